"""Writing Whoosh segments from documents analysed elsewhere, a term at a time.

Whoosh's own writer analyses each document in the writing process, pools every
posting as a Python tuple, spills sorted runs to disk, merges them back and
hands the postings to the codec one call at a time: on Reuters-21578 that was
four fifths of a reindex. Here the text fields arrive analysed (in worker
processes, as :class:`FieldPostings`); their postings are kept as arrays per
field, sorted with numpy when the segment is written, and each term's blocks
are encoded as Whoosh's W3 codec encodes them (the same pickled blocks and
term infos; small blocks are left uncompressed), so Whoosh reads the segment
as its own. The text fields' postings are also written as flat arrays beside
the segment (:mod:`.postings_file`), which is what matching reads.

Other fields (ids, keys, actors) and the postings of segments merged in go
through Whoosh's usual per-field code into the same arrays.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from whoosh.analysis import CommaSeparatedTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.fields import ID, KEYWORD
from whoosh.formats import Frequency
from whoosh.writing import SegmentWriter

from indexer.backend import postings_file

_COUNT = struct.Struct("!I").pack  # Whoosh's pack_uint: the number of positions
_FIELD_ID = struct.Struct("!H").pack  # Whoosh's pack_ushort: term keys start with it
_TERMINFO = W3TermInfo._struct.pack  # flags, weight, doc freq, min/max length, max weight, ids
_EXTENT = struct.Struct("!qi").pack  # offset and length of a term's blocks (pack_long + pack_int)
_BLOCK_SIZE = struct.Struct("!i").pack  # before each block: its size, negative for the last
_RECORD_LENGTHS = struct.Struct("!ii").pack  # before each record of a hash file: key and value lengths

# Blocks whose pickle is shorter are not compressed (Whoosh's reader reads the flag per
# block): zlib's set-up costs ~40 us a call and saves nothing on a few dozen bytes, and
# most terms have a posting or two.
COMPRESS_FROM = 200
SEGMENT_POSTINGS = 2_000_000  # postings buffered before a segment is written (~70 MB): bounds memory
CHUNK_POSTINGS = 100_000  # postings turned into Python lists at a time when a segment is written


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
        _one_position(p[0]) if len(p) == 1 else _COUNT(len(p)) + dumps([p[0]] + [b - a for a, b in zip(p, p[1:])], 2)
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
    return _COUNT(1) + pickle.dumps([position], 2)


class _FieldBuffer:
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


class _PostingBuffer:
    """Stands in for Whoosh's ``PostingPool``: takes its postings, keeps them as arrays."""

    def __init__(self) -> None:
        self.fields: dict[str, _FieldBuffer] = {}
        self.count = 0

    def field(self, name: str) -> _FieldBuffer:
        buf = self.fields.get(name)
        if buf is None:
            buf = self.fields[name] = _FieldBuffer()
        return buf

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting, as Whoosh's writer gives it: (field, term, docnum, weight, value)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self.field(fieldname).add_one(tbytes, docnum, weight, vbytes)
        self.count += 1

    def add_document(self, fieldname: str, docnum: int, fp: FieldPostings) -> None:
        buf = self.field(fieldname)
        before = len(buf)
        buf.add_document(docnum, fp)
        self.count += len(buf) - before

    def cleanup(self) -> None:
        self.fields.clear()


class BulkSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, taking analysed text fields and writing postings in bulk.

    Large runs are split into several segments of about ``SEGMENT_POSTINGS``
    postings, committed together, so memory stays bounded.
    """

    def __init__(self, ix: Any, flat_fields: tuple[str, ...] = (), **kwargs: Any) -> None:
        """``flat_fields`` also get their postings as flat arrays (:mod:`.postings_file`)."""
        super().__init__(ix, **kwargs)
        self._comma_lists = {  # KEYWORD(commas=True) fields, whose terms are split here
            name
            for name, field in self.schema.items()
            if type(field) is KEYWORD
            and type(field.format) is Frequency
            and field.analyzer == CommaSeparatedTokenizer()
        }
        self.pool = _PostingBuffer()
        self._finished: list[Any] = []  # segments written earlier in this run
        self._flat_fields = flat_fields
        self._flat: dict[str, postings_file.TermPostings] = {}

    def add_analysed(self, fields: dict[str, Any], analysed: dict[str, FieldPostings], stored: dict[str, str]) -> None:
        """Add one document: ``fields`` as for ``add_document``; the text fields as
        ``analysed`` postings with their ``stored`` text."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        pdw = self.perdocwriter
        pdw.start_doc(docnum)
        try:
            for name, value in sorted(fields.items()):
                field = schema[name]
                if type(field) is ID:  # the whole value is the one term: Whoosh's ID analysis, without its cost
                    self.pool.add((name, value.encode("utf-8"), docnum, field.format.field_boost, b""))
                elif name in self._comma_lists:
                    self._add_comma_list(name, field, value, docnum)
                elif field.indexed:
                    for tbytes, _freq, weight, vbytes in field.index(value):
                        self.pool.add((name, tbytes, docnum, weight, vbytes))
                pdw.add_field(name, field, value if field.stored else None, 0)
                if field.column_type:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(value))
            for name, fp in analysed.items():
                self.pool.add_document(name, docnum, fp)
                pdw.add_field(name, schema[name], stored.get(name), fp.length)
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._added = True
        self.docnum += 1
        if self.pool.count >= SEGMENT_POSTINGS:
            self._next_segment()

    def _add_comma_list(self, name: str, field: Any, value: str, docnum: int) -> None:
        """The postings of a comma-separated KEYWORD field, as Whoosh's analyzer and
        Frequency format make them (pieces stripped; weight and value the count)."""
        counts: dict[str, int] = {}
        for piece in value.split(","):
            if piece:
                term = piece.strip()
                counts[term] = counts.get(term, 0) + 1
        boost = field.format.field_boost
        for term, n in counts.items():
            self.pool.add((name, term.encode("utf-8"), docnum, n * boost, _COUNT(n)))

    def _next_segment(self) -> None:
        self._finished.append(self._finalize_segment())
        codec = self.codec
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self.pool = _PostingBuffer()
        self.docnum = self.docbase
        self._added = False

    def finish_segments(self) -> list[Any]:
        """End a writer that takes part in another's commit: its segments, written."""
        if self._added:
            self._finished.append(self._finalize_segment())
        else:
            self._close_segment()
        self._finish()
        return self._finished

    def adopt(self, segments: list[Any]) -> None:
        """Commit ``segments`` (written by part writers) with this writer's own."""
        self._finished.extend(segments)

    def close_segment(self) -> None:
        """Write the segment being filled, if any, so that documents added or adopted
        from now on come after its documents."""
        if self._added:
            self._next_segment()

    def _finish(self) -> None:
        if self.writelock is None:  # a part writer: the temporary folder is the commit's writer's
            self.is_closed = True
        else:
            super()._finish()

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        return super()._merge_segments(mergetype, optimize, merge) + self._finished

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self._length_bytes()
        fw = self.fieldwriter
        for name in sorted(self.pool.fields):
            buf = self.pool.fields[name]
            field = self.schema[name]
            fw.start_field(name, field)
            flat = _write_field(fw, buf, field, lengths.get(name) if field.scorable else None)
            fw.finish_field()
            if name in self._flat_fields:
                self._flat[name] = flat
        fw.close()

    def _finalize_segment(self) -> Any:
        segment = super()._finalize_segment()
        if self._flat:  # after Whoosh has gathered the segment's files into its compound file
            postings_file.write(Path(self.storage.folder) / segment.make_filename(postings_file.EXTENSION), self._flat)
            self._flat = {}
        return segment

    def _length_bytes(self) -> dict[str, np.ndarray]:
        """The one-byte field lengths of every document of the segment, per scorable field."""
        pdr = self.per_document_reader()
        try:
            return {
                name: column_length_bytes(pdr, name, self.docnum)
                for name in self.pool.fields
                if self.schema[name].scorable
            }
        finally:
            pdr.close()


def column_length_bytes(perdoc: Any, fieldname: str, n: int) -> np.ndarray:
    """The one-byte encoded lengths of ``fieldname`` in the ``n`` documents of a segment."""
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return np.zeros(n, np.uint8)
    if hasattr(column, "_dbfile"):
        return np.frombuffer(column._dbfile.get(column._basepos, n), np.uint8)
    return np.array([column[d] for d in range(n)], np.uint8)


def _write_field(
    fw: Any, buf: _FieldBuffer, field: Any, length_bytes: np.ndarray | None
) -> postings_file.TermPostings:
    """Every term of one field, in term order, each as Whoosh's W3 posting blocks;
    returns the same postings as flat arrays."""
    terms = list(buf.term_ids)
    rank = np.empty(len(terms), np.int64)
    rank[sorted(range(len(terms)), key=terms.__getitem__)] = np.arange(len(terms))
    posting_rank = rank[np.frombuffer(buf.terms, np.uint32)]
    order = np.lexsort((np.frombuffer(buf.docs, np.uint32), posting_rank))
    sorted_rank = posting_rank[order]
    docs = np.frombuffer(buf.docs, np.uint32)[order]
    weights = np.frombuffer(buf.weights, np.float32)[order]
    starts = np.flatnonzero(np.r_[True, sorted_rank[1:] != sorted_rank[:-1]]) if len(order) else order
    bounds = np.append(starts, len(order))
    by_rank = [terms[i] for i in np.argsort(rank)]
    fixed_size = field.format.fixed_value_size()
    values = _values_in_order(buf, order, fixed_size)
    joined = fixed_size is not None and fixed_size > 0
    blocks = _TermBlocks(fw)
    # Python lists are made a chunk of terms at a time, so that they never hold a whole field
    first = 0
    while first < len(by_rank):
        last = int(np.searchsorted(bounds, bounds[first] + CHUNK_POSTINGS, "right")) - 1
        last = min(max(last, first + 1), len(by_rank))
        a, b = int(bounds[first]), int(bounds[last])
        chunk = _Chunk(
            docs[a:b].tolist(),
            weights[a:b].tolist(),
            length_bytes[docs[a:b]].tolist() if length_bytes is not None else None,
            values(a, b),
            joined,
        )
        for t in range(first, last):
            blocks.write(by_rank[t], chunk, int(bounds[t]) - a, int(bounds[t + 1]) - a)
        blocks.flush()
        first = last
    return postings_file.TermPostings(by_rank, bounds.astype(np.int64), docs, weights)


class _Chunk(NamedTuple):
    """The sorted postings of some consecutive terms, as Python lists."""

    docs: list[int]
    weights: list[float]
    lengths: list[int] | None  # length bytes of the documents, for scorable fields
    values: list[bytes] | None  # per posting, None for formats without values
    joined: bool  # fixed-size values: a block holds them joined, not as a tuple


class _TermBlocks:
    """Writes terms' postings as Whoosh's W3PostingsWriter and W3FieldWriter would,
    a chunk of terms at a time (one write of their blocks, one of their term infos)."""

    def __init__(self, fw: Any) -> None:
        self._postfile = fw._postfile
        self._tindex = fw._tindex
        self._key = _FIELD_ID(fw._fieldid)
        self._block = fw._codec._blocklimit
        self._level = fw._codec._compression
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
        min_len = max_len = 0
        docs, weights, lengths = chunk.docs, chunk.weights, chunk.lengths
        for a in range(start, end, self._block):
            b = min(a + self._block, end)
            w = weights[a:b]
            block_max = max(w)
            if w.count(1.0) == len(w):
                mini_w = None
            elif w.count(w[0]) == len(w):
                mini_w = w[0]
            else:
                mini_w = tuple(w)
            ids = (docs[a], *(y - x for x, y in zip(docs[a : b - 1], docs[a + 1 : b])))  # deltas within the block
            if chunk.values is None:
                values = None
            elif chunk.joined:
                values = b"".join(chunk.values[a:b])
            else:  # empty values are left out, as Whoosh's postings writer leaves them out
                values = tuple(v for v in chunk.values[a:b] if v)
            data = pickle.dumps((ids, mini_w, values), 5)
            comp = self._level if len(data) >= COMPRESS_FROM else 0
            if comp:
                z = zlib.compressobj(comp, zlib.DEFLATED, 15, 4)  # memLevel 4: half the set-up, same size here
                data = z.compress(data) + z.flush()
            lo, hi = (min(lengths[a:b]), max(lengths[a:b])) if lengths is not None else (0, 0)
            info = pickle.dumps((b - a, docs[b - 1], block_max, comp, lo, hi), 2)
            size = len(info) + len(data)
            out += (_BLOCK_SIZE(-size if b == end else size), info, data)
            total_weight += sum(w)
            max_weight = max(max_weight, block_max)
            min_len = lo if a == start else min(min_len, lo)
            max_len = max(max_len, hi)
        self._terms.append(term)
        self._blocks.append(b"".join(out))
        self._infos.append(_TERMINFO(False, total_weight, end - start, min_len, max_len, max_weight, docs[start], docs[end - 1]))


    def _write_one(self, term: bytes, chunk: _Chunk, i: int) -> None:
        """``write`` for a term with one posting (most terms): the same block, made directly."""
        doc, w = chunk.docs[i], chunk.weights[i]
        if chunk.values is None:
            values = None
        elif chunk.joined:
            values = chunk.values[i]
        else:
            values = (chunk.values[i],) if chunk.values[i] else ()
        data = pickle.dumps(((doc,), None if w == 1.0 else w, values), 5)
        comp = self._level if len(data) >= COMPRESS_FROM else 0
        if comp:
            z = zlib.compressobj(comp, zlib.DEFLATED, 15, 4)
            data = z.compress(data) + z.flush()
        length = chunk.lengths[i] if chunk.lengths is not None else 0
        info = pickle.dumps((1, doc, w, comp, length, length), 2)
        self._terms.append(term)
        self._blocks.append(b"".join((WHOOSH3_HEADER_MAGIC, _BLOCK_SIZE(-len(info) - len(data)), info, data)))
        self._infos.append(_TERMINFO(False, w, 1, length, length, w, doc, doc))


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


def _values_in_order(buf: _FieldBuffer, order: np.ndarray, fixed_size: int | None):
    """A function giving the value bytes of sorted postings ``a:b`` (None when the
    field's format keeps no values)."""
    if fixed_size == 0:
        return lambda a, b: None
    ends = np.frombuffer(buf.value_ends, np.uint64)
    starts = np.concatenate((np.zeros(1, np.uint64), ends[:-1]))[order]
    ends = ends[order]
    raw = bytes(buf.values)
    return lambda a, b: [raw[s:e] for s, e in zip(starts[a:b].tolist(), ends[a:b].tolist())]
