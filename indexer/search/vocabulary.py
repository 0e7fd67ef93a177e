"""The index vocabulary in memory, for fuzzy terms and did-you-mean.

Gathering it reads every segment's terms (at a million articles, tens of segments of
tens of thousands of terms each): the reindex that makes a commit saves it beside it
(``vocabulary-v1-<version>.npz``, :mod:`indexer.search.saved_arrays`), and the first
fuzzy search after an opening loads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from indexer.engine.base import EngineReader
from indexer.engine.schema import TEXT_FIELDS
from indexer.search.saved_arrays import saved_or_built, saved_path

FORMAT = 1


class Vocabulary:
    """Index terms with their document frequencies (the largest over the fields given,
    a lower bound of how many documents hold the term)."""

    def __init__(self, frequency: dict[str, int]) -> None:
        """From one frequency a term (see :meth:`gathered` for pairs from several fields)."""
        self.terms = list(frequency)
        self.frequency = frequency
        self._by_initial: dict[str, list[str]] = {}
        for term in self.terms:
            self._by_initial.setdefault(term[:1], []).append(term)

    @classmethod
    def gathered(cls, frequencies: Iterable[tuple[str, int]]) -> Vocabulary:
        """From (term, frequency) pairs of several fields: a term's largest frequency."""
        merged: dict[str, int] = {}
        for term, freq in frequencies:
            merged[term] = max(merged.get(term, 0), freq)
        return cls(merged)

    def near(self, term: str, max_edits: int, limit: int) -> list[str]:
        """Terms within ``max_edits`` edits of ``term`` sharing its first letter,
        closest first, then most frequent."""
        found = process.extract(
            term,
            self._by_initial.get(term[:1], []),
            scorer=Levenshtein.distance,
            score_cutoff=max_edits,
            limit=None,
        )
        close = [(d, -self.frequency[t], t) for t, d, _ in found]
        return [t for _, _, t in sorted(close)[:limit]]


def vocabulary_path(generation: Path, version: int) -> Path:
    return saved_path(generation, "vocabulary", version, FORMAT)


def saved_or_built_vocabulary(reader: EngineReader, path: Path) -> Vocabulary:
    """The title and body terms, with their document frequencies, saved at ``path`` if
    they are there and whole, else gathered from the index (and saved)."""
    return saved_or_built(
        path,
        lambda: Vocabulary.gathered(pair for f in TEXT_FIELDS for pair in reader.term_frequencies(f)),
        _arrays,
        _vocabulary,
    )


def _arrays(vocabulary: Vocabulary) -> dict[str, np.ndarray]:
    terms = "\x00".join(vocabulary.terms).encode("utf-8")
    freqs = np.fromiter(vocabulary.frequency.values(), np.int64, len(vocabulary.terms))
    return {"terms": np.frombuffer(terms, np.uint8), "frequencies": freqs}


def _vocabulary(saved: Mapping[str, np.ndarray]) -> Vocabulary:
    blob = saved["terms"].tobytes().decode("utf-8")
    terms = blob.split("\x00") if blob else []
    if len(terms) != len(saved["frequencies"]):
        raise ValueError(f"{len(terms)} terms, {len(saved['frequencies'])} frequencies")
    return Vocabulary(dict(zip(terms, saved["frequencies"].tolist())))  # (saved merged: one a term)
