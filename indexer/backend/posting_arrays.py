"""Postings as compact arrays: one analysed field of a document, and one field of a segment.

A text field is analysed where the article is prepared (in a worker or in reindex)
into :class:`FieldPostings`: its distinct terms, their counts and their
positions, already in Whoosh's Positions format, as a few byte strings that
cross between processes cheaply. The segment writer gathers them, field by
field, into a :class:`FieldBuffer` of parallel arrays, sorted when the segment
is written (:mod:`.w3_blocks`).
"""

from __future__ import annotations

import pickle
import struct
from array import array
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

import numpy as np

_pack_count = struct.Struct("!I").pack  # Whoosh's pack_uint: the number of positions


class FieldPostings(NamedTuple):
    """One text field of one document, analysed: what its postings will hold.

    ``terms`` are the distinct terms, UTF-8, joined by NUL; ``freqs`` their
    counts (``array('I')`` bytes); ``values`` their positions in Whoosh's
    Positions format, concatenated, with ``value_ends`` (``array('I')`` bytes)
    the end of each. Compact so that it crosses between processes cheaply.
    """

    terms: bytes
    freqs: bytes
    values: bytes
    value_ends: bytes
    length: int  # tokens in the field


def field_postings(terms: Sequence[str]) -> FieldPostings:
    """The postings of a field whose analysed terms, in order, are ``terms``."""
    positions: dict[str, list[int]] = {}
    for i, term in enumerate(terms):
        poses = positions.get(term)
        if poses is None:
            positions[term] = [i]
        else:
            poses.append(i)
    dumps = pickle.dumps
    values = [
        _one_position(p[0]) if len(p) == 1 else _pack_count(len(p)) + dumps([p[0]] + [b - a for a, b in zip(p, p[1:])], 2)
        for p in positions.values()
    ]
    return FieldPostings(
        "\x00".join(positions).encode("utf-8"),
        array("I", map(len, positions.values())).tobytes(),
        b"".join(values),
        array("I", accumulate(map(len, values))).tobytes(),
        len(terms),
    )


@lru_cache(maxsize=1 << 16)
def _one_position(position: int) -> bytes:
    """The Positions value of a term that occurs once (most terms of a document)."""
    return _pack_count(1) + pickle.dumps([position], 2)


class FieldBuffer:
    """The postings of one field in the segment being written, as parallel arrays."""

    def __init__(self) -> None:
        self.term_ids: dict[bytes, int] = {}
        self.terms = array("I")  # per posting: the term's id
        self.docs = array("I")
        self.weights = array("f")
        self.values = bytearray()
        self.value_ends = array("Q")

    def add_one(self, tbytes: bytes, docnum: int, weight: float, vbytes: bytes | None) -> None:
        ids = self.term_ids
        self.terms.append(ids.setdefault(tbytes, len(ids)))
        self.docs.append(docnum)
        self.weights.append(weight)
        if vbytes:
            self.values += vbytes
        self.value_ends.append(len(self.values))

    def add_document(self, docnum: int, fp: FieldPostings) -> None:
        if not fp.terms:
            return
        ids = self.term_ids
        words = fp.terms.split(b"\x00")
        terms = list(map(ids.get, words))  # most terms are known after a few documents
        if None in terms:
            terms = [ids.setdefault(w, len(ids)) if t is None else t for w, t in zip(words, terms)]
        self.terms.extend(terms)
        self.docs.extend([docnum] * len(terms))
        self.weights.frombytes(np.frombuffer(fp.freqs, np.uint32).astype(np.float32).tobytes())
        base = len(self.values)
        self.values += fp.values
        self.value_ends.frombytes((np.frombuffer(fp.value_ends, np.uint32).astype(np.uint64) + base).tobytes())

    def __len__(self) -> int:
        return len(self.terms)


