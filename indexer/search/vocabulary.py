"""The index vocabulary in memory, for fuzzy terms and did-you-mean."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein


class Vocabulary:
    """Index terms with their document frequencies (the largest over the fields given,
    a lower bound of how many documents hold the term)."""

    def __init__(self, frequencies: Iterable[tuple[str, int]]) -> None:
        merged: dict[str, int] = {}
        for term, freq in frequencies:
            merged[term] = max(merged.get(term, 0), freq)
        self.terms = list(merged)
        self.frequency = merged
        self._by_initial: dict[str, list[str]] = {}
        for term in self.terms:
            self._by_initial.setdefault(term[:1], []).append(term)

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
