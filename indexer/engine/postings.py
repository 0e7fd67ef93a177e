"""Postings as compact arrays: one analysed field of a document, and one field of a segment.

A text field is analysed where the article is prepared (in a worker or in reindex)
into :class:`FieldPostings`: its distinct terms, their counts and their
positions, as a few byte strings that cross between processes cheaply. The
segment writer gathers them, field by field, into a :class:`FieldBuffer` of
parallel arrays, sorted when the segment is written (:mod:`.w3_blocks`).
Positions are kept by the engine (the Whoosh engine's flat postings): Whoosh's postings of a
text field hold only documents and counts.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence
from typing import AnyStr, NamedTuple

import numpy as np


class FieldPostings(NamedTuple):
    """One text field of one document, analysed: what its postings will hold.

    ``terms`` are the distinct terms, UTF-8, joined by NUL; ``freqs`` their
    counts and ``positions`` their positions, term after term (both
    ``array('I')`` bytes). Compact so that it crosses between processes cheaply.
    """

    terms: bytes
    freqs: bytes
    positions: bytes
    length: int  # tokens in the field


def field_postings(terms: Sequence[str]) -> FieldPostings:
    """The postings of a field whose analysed terms, in order, are ``terms``."""
    first: dict[str, int] = {}  # each distinct term -> where it first occurs
    at = np.fromiter(map(first.setdefault, terms, range(len(terms))), np.int64, len(terms))
    counts = np.bincount(at, minlength=len(terms))
    return FieldPostings(
        "\x00".join(first).encode("utf-8"),
        counts[counts > 0].astype(np.uint32).tobytes(),
        np.argsort(at, kind="stable").astype(np.uint32).tobytes(),  # positions, term after term
        len(terms),
    )


class FieldBuffer:
    """The postings of one field in the segment being written, as parallel arrays
    (``positions``, each posting's in turn, for text fields only)."""

    def __init__(self) -> None:
        self.term_ids: dict[bytes, int] = {}
        self.terms = array("I")  # per posting: the term's id
        self.docs = array("I")
        self.weights = array("f")  # for a text field, the count of positions
        self.positions = array("I")

    def add_one(self, tbytes: bytes, docnum: int, weight: float) -> None:
        ids = self.term_ids
        self.terms.append(ids.setdefault(tbytes, len(ids)))
        self.docs.append(docnum)
        self.weights.append(weight)

    def add_document(self, docnum: int, fp: FieldPostings) -> None:
        if not fp.terms:
            return
        self.terms.extend(self._ids(fp.terms.split(b"\x00")))
        self.docs.extend([docnum] * (len(fp.freqs) // 4))
        self.weights.frombytes(np.frombuffer(fp.freqs, np.uint32).astype(np.float32).tobytes())
        self.positions.frombytes(fp.positions)

    def add_postings(
        self, terms: list[bytes], starts: np.ndarray, docs: np.ndarray, weights: np.ndarray, positions: np.ndarray
    ) -> None:
        """Postings grouped by term (term ``i``'s are ``starts[i]:starts[i+1]``), with
        their positions in turn: those of a segment merged into this one."""
        self.terms.extend(np.repeat(np.asarray(self._ids(terms), np.uint32), np.diff(starts)).tolist())
        self.docs.frombytes(docs.astype(np.uint32).tobytes())
        self.weights.frombytes(weights.astype(np.float32).tobytes())
        self.positions.frombytes(positions.astype(np.uint32).tobytes())

    def _ids(self, words: list[bytes]) -> list[int]:
        ids = self.term_ids
        known = list(map(ids.get, words))  # most terms are known after a few documents
        if None in known:
            return [ids.setdefault(w, len(ids)) if t is None else t for w, t in zip(words, known)]
        return known  # type: ignore[return-value]  # (no None in it)

    def __len__(self) -> int:
        return len(self.terms)


def with_prefix(terms: Sequence[AnyStr], prefix: AnyStr, limit: int) -> list[AnyStr]:
    """Up to ``limit`` of the sorted ``terms`` that start with ``prefix``, in order."""
    found: list[AnyStr] = []
    for i in range(bisect_left(terms, prefix), len(terms)):
        if not terms[i].startswith(prefix) or len(found) >= limit:
            break
        found.append(terms[i])
    return found
