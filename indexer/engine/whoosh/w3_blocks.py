"""A segment's postings sorted by term, and the key fields' written as Whoosh's W3 blocks.

:func:`sorted_postings` orders one field's postings (buffered as arrays) by term
and document, as :class:`.flat_postings.TermPostings`: the text fields' go to the
flat file beside the segment, and nowhere else. The key fields' (``id``,
``file_key``, which Whoosh looks up and deletes by) are encoded as Whoosh's W3
codec encodes them (the same pickled blocks and term infos; small blocks left
uncompressed) and written a chunk of terms at a time instead of a few calls per
posting, so Whoosh reads them as its own.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from itertools import accumulate
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

from indexer.engine.postings import FieldBuffer
from indexer.engine.whoosh import flat_postings

if TYPE_CHECKING:
    from indexer.engine.whoosh.internals import FieldFiles

_FIELD_ID = struct.Struct("!H").pack  # Whoosh's pack_ushort: term keys start with it
_EXTENT = struct.Struct("!qi").pack  # offset and length of a term's blocks (pack_long + pack_int)
_BLOCK_SIZE = struct.Struct("!i").pack  # before each block: its size, negative for the last
_RECORD_LENGTHS = struct.Struct("!ii").pack  # before each record of a hash file: key and value lengths

# Blocks whose pickle is shorter are not compressed (Whoosh's reader reads the flag per
# block): zlib's set-up per call costs more than it saves on a few dozen bytes, and
# most terms have a posting or two.
COMPRESS_FROM = 200
CHUNK_POSTINGS = 100_000  # postings turned into Python lists at a time when a segment is written


def sorted_postings(buf: FieldBuffer) -> flat_postings.TermPostings:
    """One field's postings grouped by term, in term order, documents in order within
    each (with their positions, for a text field)."""
    terms = list(buf.term_ids)
    rank = np.empty(len(terms), np.int64)
    rank[sorted(range(len(terms)), key=terms.__getitem__)] = np.arange(len(terms))
    posting_rank = rank[np.frombuffer(buf.terms, np.uint32)]
    order = np.lexsort((np.frombuffer(buf.docs, np.uint32), posting_rank))
    sorted_rank = posting_rank[order]
    docs = np.frombuffer(buf.docs, np.uint32)[order]
    weights = np.frombuffer(buf.weights, np.float32)[order]
    starts = np.flatnonzero(np.r_[True, sorted_rank[1:] != sorted_rank[:-1]]) if len(order) else order
    bounds = np.append(starts, len(order)).astype(np.int64)
    by_rank = [terms[i] for i in np.argsort(rank)]
    counts = np.frombuffer(buf.weights, np.float32)  # (a text field's weight is its count of positions)
    positions = _positions_in_order(np.frombuffer(buf.positions, np.uint32), counts, order)
    return flat_postings.TermPostings(by_rank, bounds, docs, weights, positions)


def write_field(files: FieldFiles, postings: flat_postings.TermPostings, field: Any) -> None:
    """Every term of one field (a key field: not scored, so its blocks carry no lengths),
    in term order, each as Whoosh's W3 posting blocks."""
    if field.format.fixed_value_size() != 0:
        raise ValueError(f"{field.format!r}: only formats without posting values are written in bulk")
    by_rank, bounds, docs, weights = postings.terms, postings.starts, postings.docs, postings.weights
    blocks = _TermBlocks(files)
    # Python lists are made a chunk of terms at a time, so that they never hold a whole field
    first = 0
    while first < len(by_rank):
        last = int(np.searchsorted(bounds, bounds[first] + CHUNK_POSTINGS, "right")) - 1
        last = min(max(last, first + 1), len(by_rank))
        a, b = int(bounds[first]), int(bounds[last])
        chunk = _Chunk(docs[a:b].tolist(), weights[a:b].tolist())
        for t in range(first, last):
            blocks.write(by_rank[t], chunk, int(bounds[t]) - a, int(bounds[t + 1]) - a)
        blocks.flush()
        first = last


def _positions_in_order(positions: np.ndarray, counts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The positions of postings taken in ``order`` (each posting has ``counts`` of them,
    in turn in ``positions``); empty for a field without positions."""
    if not len(positions):
        return positions
    counts = counts.astype(np.int64)
    starts = np.cumsum(counts) - counts
    n = counts[order]
    return positions[np.repeat(starts[order] - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))]


class _Chunk(NamedTuple):
    """The sorted postings of some consecutive terms, as Python lists."""

    docs: list[int]
    weights: list[float]


class _TermBlocks:
    """Writes terms' postings as Whoosh's W3PostingsWriter and W3FieldWriter would,
    a chunk of terms at a time (one write of their blocks, one of their term infos)."""

    def __init__(self, files: FieldFiles) -> None:
        self._postfile = files.postfile
        self._tindex = files.tindex
        self._key = _FIELD_ID(files.fieldid)
        self._block = files.blocklimit
        self._level = files.compression
        self._terminfo = files.terminfo.pack  # flags, weight, doc freq, min/max length, max weight, ids
        self._terms: list[bytes] = []
        self._blocks: list[bytes] = []  # each term's, in term order
        self._infos: list[bytes] = []  # each term's info, but for where its blocks are

    def flush(self) -> None:
        """Write the blocks and term infos of the terms since the last flush."""
        if not self._terms:
            return
        sizes = list(map(len, self._blocks))
        offsets = accumulate(sizes, initial=self._postfile.tell())
        self._postfile.write(b"".join(self._blocks))
        keys = [self._key + t for t in self._terms]
        _add_in_order(self._tindex, keys, [i + _EXTENT(o, n) for i, o, n in zip(self._infos, offsets, sizes)])
        self._terms, self._blocks, self._infos = [], [], []

    def write(self, term: bytes, chunk: _Chunk, start: int, end: int) -> None:
        if end - start == 1:
            self._write_one(term, chunk, start)
            return
        out = [WHOOSH3_HEADER_MAGIC]
        total_weight = max_weight = 0.0
        docs, weights = chunk.docs, chunk.weights
        for a in range(start, end, self._block):
            b = min(a + self._block, end)
            w = weights[a:b]
            block_max = max(w)
            mini_w: float | tuple[float, ...] | None
            if w.count(1.0) == len(w):
                mini_w = None
            elif w.count(w[0]) == len(w):
                mini_w = w[0]
            else:
                mini_w = tuple(w)
            ids = (docs[a], *(y - x for x, y in zip(docs[a : b - 1], docs[a + 1 : b])))  # deltas within the block
            data = pickle.dumps((ids, mini_w, None), 5)  # (no values)
            comp = self._level if len(data) >= COMPRESS_FROM else 0
            if comp:
                z = zlib.compressobj(comp, zlib.DEFLATED, 15, 4)  # memLevel 4: half the set-up, same size here
                data = z.compress(data) + z.flush()
            info = pickle.dumps((b - a, docs[b - 1], block_max, comp, 0, 0), 2)  # (no lengths)
            size = len(info) + len(data)
            out += (_BLOCK_SIZE(-size if b == end else size), info, data)
            total_weight += sum(w)
            max_weight = max(max_weight, block_max)
        self._terms.append(term)
        self._blocks.append(b"".join(out))
        self._infos.append(
            self._terminfo(False, total_weight, end - start, 0, 0, max_weight, docs[start], docs[end - 1])
        )

    def _write_one(self, term: bytes, chunk: _Chunk, i: int) -> None:
        """``write`` for a term with one posting (most terms): the same block, made directly."""
        doc, w = chunk.docs[i], chunk.weights[i]
        data = pickle.dumps(((doc,), None if w == 1.0 else w, None), 5)
        comp = self._level if len(data) >= COMPRESS_FROM else 0
        if comp:
            z = zlib.compressobj(comp, zlib.DEFLATED, 15, 4)
            data = z.compress(data) + z.flush()
        info = pickle.dumps((1, doc, w, comp, 0, 0), 2)
        self._terms.append(term)
        self._blocks.append(b"".join((WHOOSH3_HEADER_MAGIC, _BLOCK_SIZE(-len(info) - len(data)), info, data)))
        self._infos.append(self._terminfo(False, w, 1, 0, 0, w, doc, doc))


def _add_in_order(table: Any, keys: list[bytes], values: list[bytes]) -> None:
    """``OrderedHashWriter.add`` of each key (in increasing order) and value, with the
    records written in one piece."""
    records = [_RECORD_LENGTHS(len(k), len(v)) + k + v for k, v in zip(keys, values)]
    positions = list(accumulate(map(len, records), initial=table.dbfile.tell()))[:-1]
    table.dbfile.write(b"".join(records))
    hashed, buckets = table.hashfn, table.buckets
    for key, pos in zip(keys, positions):
        h = hashed(key)
        buckets[h & 255].append((h, pos))
    table.index.extend(positions)
    table.lastkey = keys[-1]
