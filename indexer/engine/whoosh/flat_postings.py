"""A segment's text postings as flat arrays beside it: the only copy of them.

Whoosh keeps a term's postings in pickled blocks, so reading a posting list means
decompressing and unpickling it, and its blocks hold no positions. The text
fields' postings are therefore newsdex's own, in ``<segment>.npp`` beside each
segment: per text field, the terms (sorted, NUL-separated), where each term's
postings start, the document numbers and counts (the term's in the document; the
smallest unsigned type that holds them) of all of them, and their positions,
each posting's in turn (as many as its count). Matching reads slices of these
(memory-mapped), phrases are matched on the positions, and the vocabulary, prefix
expansion and document frequencies come from the terms and where they start.
A segment whose file is missing or damaged cannot be searched: opening it is an
error that says to rebuild the index.

Layout: 8 bytes of header length, a JSON header naming each array's dtype,
offset and length, then the arrays, each starting at a multiple of 8.
"""

from __future__ import annotations

import json
import mmap
import struct
from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, overload

import numpy as np

from indexer.arrays import sorted_unique
from indexer.engine.base import EngineError
from indexer.engine.postings import with_prefix

EXTENSION = ".npp"
HEADER_SIZE = struct.Struct("<Q")


class TermPostings(NamedTuple):
    """All postings of one field of a segment, grouped by term in term order."""

    terms: list[bytes]  # sorted
    starts: np.ndarray  # int64, len(terms) + 1: postings of term i are starts[i]:starts[i+1]
    docs: np.ndarray  # uint32 document numbers within the segment
    weights: np.ndarray  # float32: the term's count in the document
    positions: np.ndarray  # each posting's positions in turn (none for a field without them)


EMPTY_POSTINGS = TermPostings([], np.zeros(1, np.int64), np.empty(0, np.uint32), np.empty(0, np.float32), np.empty(0, np.uint32))


def write(path: Path, fields: dict[str, TermPostings]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for name, fp in fields.items():
        arrays[f"{name}.terms"] = np.frombuffer(b"\x00".join(fp.terms), np.uint8)
        arrays[f"{name}.term_starts"] = SortedTerms.starts_of(fp.terms)
        arrays[f"{name}.starts"] = np.asarray(fp.starts, np.int64)
        arrays[f"{name}.docs"] = np.asarray(fp.docs, np.uint32)
        arrays[f"{name}.weights"] = _smallest(np.asarray(fp.weights))  # (whole counts)
        small = not len(fp.positions) or int(fp.positions.max()) <= np.iinfo(np.uint16).max
        arrays[f"{name}.positions"] = np.asarray(fp.positions, np.uint16 if small else np.uint32)
    with open(path, "wb") as f:
        f.write(header({key: (a.dtype, len(a)) for key, a in arrays.items()}))
        for a in arrays.values():
            write_padded(f, a)


def header(arrays: dict[str, tuple[np.dtype, int]]) -> bytes:
    """The start of a file holding arrays of these types and lengths, in this order."""
    places: dict[str, list] = {}
    offset = 0
    for key, (dtype, n) in arrays.items():
        places[key] = [dtype.str, offset, n]
        offset += -(-n * dtype.itemsize // 8) * 8
    head = json.dumps(places).encode("utf-8")
    head += b" " * (-len(head) % 8)
    return HEADER_SIZE.pack(len(head)) + head


def write_padded(f: BinaryIO, a: np.ndarray) -> None:
    """An array's bytes, then zeros to a multiple of 8 bytes (where the next one starts)."""
    f.write(a.tobytes() + b"\x00" * (-a.nbytes % 8))


class SortedTerms(Sequence[bytes]):
    """A field's sorted terms where they lie in the file (NUL-separated), by number: what
    ``bisect`` needs to find one. A list and a dict of them, per segment and field, took
    over a gigabyte at a million articles (tens of segments): this takes 4 bytes a term."""

    def __init__(self, blob: np.ndarray, starts: np.ndarray | None = None) -> None:
        """``starts``: where each term starts, as :meth:`starts_of` gives them (written with
        the file, so that a first search need not find every NUL of every segment's terms;
        found here for a file written without them)."""
        self._blob = blob.data  # (a memoryview: slices read the map, not a copy)
        # term i is blob[starts[i] : starts[i + 1] - 1] (the last one is followed by no NUL)
        if starts is None:
            separators = np.flatnonzero(blob == 0)
            bounds = ([0], separators + 1, [len(blob) + 1]) if len(blob) else ([0],)
            starts = np.concatenate(bounds).astype(np.uint32)
        self._starts = starts

    @staticmethod
    def starts_of(terms: list[bytes]) -> np.ndarray:
        """Where each of ``terms`` starts in their NUL-joined blob, and one past the end."""
        lengths = np.fromiter(map(len, terms), np.int64, len(terms)) + 1  # (each with its NUL)
        return np.concatenate(([0], np.cumsum(lengths))).astype(np.uint32)

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> list[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | list[bytes]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return bytes(self._blob[self._starts[i] : self._starts[i + 1] - 1])

    def index_of(self, term: bytes) -> int | None:
        """The term's number, or None when it is not there."""
        i = bisect_left(self, term)
        return i if i < len(self) and self[i] == term else None


class PostingsFile:
    """One segment's ``.npp`` file, memory-mapped; term lookups built on first use."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        (size,) = HEADER_SIZE.unpack(self._map[:8])
        base = 8 + size
        self._arrays = {
            key: np.frombuffer(self._map, np.dtype(dtype), count, base + offset)
            for key, (dtype, offset, count) in json.loads(self._map[8:base]).items()
        }
        self._terms_of: dict[str, SortedTerms] = {}
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

    def expand_prefix(self, fieldname: str, prefix: bytes, limit: int) -> list[bytes]:
        """Up to ``limit`` of the field's terms that start with ``prefix``, in order."""
        return with_prefix(self._terms(fieldname), prefix, limit)

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
        return sorted_unique(found >> 32) if found is not None else np.empty(0, np.int64)

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

    def _terms(self, fieldname: str) -> SortedTerms:
        terms = self._terms_of.get(fieldname)
        if terms is None:
            blob = self._arrays[f"{fieldname}.terms"] if self.has_field(fieldname) else np.empty(0, np.uint8)
            starts = self._arrays.get(f"{fieldname}.term_starts")
            if starts is not None and len(starts) != len(self._arrays[f"{fieldname}.starts"]):
                starts = None  # (not this field's terms: found again)
            terms = self._terms_of[fieldname] = SortedTerms(blob, starts)
        return terms

    def _span(self, fieldname: str, term: bytes) -> tuple[int, int] | None:
        i = self._terms(fieldname).index_of(term)
        if i is None:
            return None
        starts = self._arrays[f"{fieldname}.starts"]
        return int(starts[i]), int(starts[i + 1])

    def close(self) -> None:
        self._arrays.clear()
        self._terms_of.clear()
        self._position_starts.clear()
        try:
            self._map.close()
        except BufferError:  # a slice is still in use somewhere: the map goes with it
            pass


def beside(folder: Path, leaf: Any) -> PostingsFile | None:
    """The flat postings written beside a (Whoosh) segment reader's segment (None for the
    empty reader of an index without segments); :class:`EngineError` if they cannot be read."""
    segment = leaf.segment()
    if segment is None:
        return None
    path = folder / segment.make_filename(EXTENSION)
    try:
        return PostingsFile(path)
    except (OSError, ValueError, KeyError) as err:
        raise EngineError(
            f"{path}: the segment's postings cannot be read ({err})"
        ) from None


def _smallest(counts: np.ndarray) -> np.ndarray:
    """Whole counts in the smallest unsigned type that holds them."""
    top = int(counts.max()) if len(counts) else 0
    return counts.astype(np.uint8 if top <= 0xFF else np.uint16 if top <= 0xFFFF else np.uint32)
