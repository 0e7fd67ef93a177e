"""A segment's text postings as flat arrays beside it: what matching and phrases read.

Whoosh keeps a term's postings in pickled blocks, so reading a posting list means
decompressing and unpickling it. When newsdex writes a segment it also writes
``<segment>.npp``: per text field, the terms (sorted, NUL-separated), where each
term's postings start, the document numbers and weights (the term's count in
the document) of all of them, and their positions, each posting's in turn
(as many as its count). Matching reads slices of these (memory-mapped), and
phrases are matched on the positions: Whoosh's own postings of a text field
hold no positions. A segment whose file is missing or damaged still matches
words through Whoosh's blocks, and phrases there as all of their words.

Layout: 8 bytes of header length, a JSON header naming each array's dtype,
offset and length, then the arrays, each starting at a multiple of 8.
"""

from __future__ import annotations

import json
import logging
import mmap
import struct
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

log = logging.getLogger("newsdex.engine")
EXTENSION = ".npp"
_HEADER_SIZE = struct.Struct("<Q")


class TermPostings(NamedTuple):
    """All postings of one field of a segment, grouped by term in term order."""

    terms: list[bytes]  # sorted
    starts: np.ndarray  # int64, len(terms) + 1: postings of term i are starts[i]:starts[i+1]
    docs: np.ndarray  # uint32 document numbers within the segment
    weights: np.ndarray  # float32: the term's count in the document
    positions: np.ndarray  # each posting's positions in turn (none for a field without them)


def write(path: Path, fields: dict[str, TermPostings]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for name, fp in fields.items():
        arrays[f"{name}.terms"] = np.frombuffer(b"\x00".join(fp.terms), np.uint8)
        arrays[f"{name}.starts"] = np.asarray(fp.starts, np.int64)
        arrays[f"{name}.docs"] = np.asarray(fp.docs, np.uint32)
        arrays[f"{name}.weights"] = np.asarray(fp.weights, np.float32)
        small = not len(fp.positions) or int(fp.positions.max()) <= np.iinfo(np.uint16).max
        arrays[f"{name}.positions"] = np.asarray(fp.positions, np.uint16 if small else np.uint32)
    header: dict[str, list] = {}
    offset = 0
    for key, a in arrays.items():
        header[key] = [a.dtype.str, offset, len(a)]
        offset += -(-a.nbytes // 8) * 8
    head = json.dumps(header).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(_HEADER_SIZE.pack(len(head)) + head)
        for a in arrays.values():
            f.write(a.tobytes() + b"\x00" * (-a.nbytes % 8))


class PostingsFile:
    """One segment's ``.npp`` file, memory-mapped; term lookups built on first use."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        (size,) = _HEADER_SIZE.unpack(self._map[:8])
        base = 8 + size
        self._arrays = {
            key: np.frombuffer(self._map, np.dtype(dtype), count, base + offset)
            for key, (dtype, offset, count) in json.loads(self._map[8:base]).items()
        }
        self._lookup: dict[str, dict[bytes, int]] = {}
        self._position_starts: dict[str, np.ndarray] = {}

    def has_field(self, fieldname: str) -> bool:
        return f"{fieldname}.docs" in self._arrays

    def field(self, fieldname: str) -> TermPostings:
        """All of the field's postings."""
        blob = self._arrays[f"{fieldname}.terms"].tobytes()
        return TermPostings(
            blob.split(b"\x00") if blob else [],
            *(self._arrays[f"{fieldname}.{part}"] for part in ("starts", "docs", "weights", "positions")),
        )

    def term_frequencies(self, fieldname: str) -> tuple[list[str], np.ndarray]:
        """The field's terms (in order) and how many documents of the segment hold each
        (deleted ones included, as in the term infos of Whoosh's term index)."""
        blob = self._arrays[f"{fieldname}.terms"].tobytes()
        terms = blob.decode("utf-8").split("\x00") if blob else []
        return terms, np.diff(self._arrays[f"{fieldname}.starts"])

    def postings(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Document numbers and weights of ``term``, or None when the segment lacks it."""
        span = self._span(fieldname, term)
        if span is None:
            return None
        a, b = span
        return self._arrays[f"{fieldname}.docs"][a:b], self._arrays[f"{fieldname}.weights"][a:b]

    def phrase_docs(self, fieldname: str, terms: list[bytes]) -> np.ndarray:
        """Document numbers (deleted ones included) where ``terms`` occur in a row."""
        found: np.ndarray | None = None
        for k, term in enumerate(terms):
            at = self._term_positions(fieldname, term)
            if at is None:
                return np.empty(0, np.int64)
            docs, positions = at
            keep = positions >= k
            starts = (docs[keep] << 32) | (positions[keep] - k)  # where the phrase would start
            found = starts if found is None else np.intersect1d(found, starts, assume_unique=True)
            if not len(found):
                break
        return np.unique(found >> 32) if found is not None else np.empty(0, np.int64)

    def _term_positions(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Each position of ``term``, with its document number."""
        span = self._span(fieldname, term)
        if span is None:
            return None
        a, b = span
        starts = self._position_starts.get(fieldname)
        if starts is None:
            counts = self._arrays[f"{fieldname}.weights"].astype(np.int64)
            starts = self._position_starts[fieldname] = np.concatenate(([0], np.cumsum(counts)))
        docs = self._arrays[f"{fieldname}.docs"][a:b].astype(np.int64)
        positions = self._arrays[f"{fieldname}.positions"][starts[a] : starts[b]].astype(np.int64)
        return np.repeat(docs, np.diff(starts[a : b + 1])), positions

    def _span(self, fieldname: str, term: bytes) -> tuple[int, int] | None:
        lookup = self._lookup.get(fieldname)
        if lookup is None:
            blob = self._arrays[f"{fieldname}.terms"].tobytes()
            terms = blob.split(b"\x00") if blob else []
            lookup = self._lookup[fieldname] = dict(zip(terms, range(len(terms))))
        i = lookup.get(term)
        if i is None:
            return None
        starts = self._arrays[f"{fieldname}.starts"]
        return int(starts[i]), int(starts[i + 1])

    def close(self) -> None:
        self._arrays.clear()
        self._position_starts.clear()
        try:
            self._map.close()
        except BufferError:  # a slice is still in use somewhere: the map goes with it
            pass


def beside(folder: Path, leaf: Any) -> PostingsFile | None:
    """The flat postings written beside a (Whoosh) segment reader's segment, if it has them."""
    segment = leaf.segment()  # None for the empty reader of an index with no segment
    path = folder / segment.make_filename(EXTENSION) if segment is not None else None
    if path is None or not path.exists():
        return None
    try:
        return PostingsFile(path)
    except (OSError, ValueError, KeyError) as err:  # damaged: Whoosh's own blocks still hold the documents
        log.warning(
            "%s: cannot read (%s); matching the segment through Whoosh's postings, phrases as all their words", path, err
        )
        return None
