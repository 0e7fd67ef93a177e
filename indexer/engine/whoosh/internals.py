"""Every use newsdex makes of Whoosh's private names, in one module, for whoosh-reloaded 2.7.5 only.

newsdex writes Whoosh segments in bulk (postings sorted as arrays, column values
a column at a time) instead of through Whoosh's per-posting writer, which was
four fifths of a reindex. That needs Whoosh's writer hooks, its column writers'
buffers, its per-document length columns and its term-info layout, none of them
public. They are all here, so that a Whoosh release that moves any of them
breaks this module alone, and ``tests/test_whoosh_internals.py`` fails on any
other version than the one pinned (``PINNED``), naming what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo, _lenfield
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import ID
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from indexer.engine.base import EngineError, Segment
from indexer.engine.postings import FieldPostings
from indexer.engine.whoosh import flat_postings
from indexer.engine.whoosh.buffers import ColumnBuffer, PostingBuffer
from indexer.engine.whoosh.flat_postings import EMPTY_POSTINGS
from indexer.engine.whoosh.w3_blocks import sorted_postings, write_field

PINNED = "2.7.5"  # whoosh-reloaded, as pyproject.toml pins it
SEGMENT_POSTINGS = 2_000_000  # postings buffered before a segment is written (~70 MB): bounds memory
TERMINFO = W3TermInfo._struct  # flags, weight, doc freq, min/max length, max weight, first and last id


class _MemoryReader:
    """A read-only file over a buffer, reading only what is asked for."""

    def __init__(self, buf: memoryview) -> None:
        self._buf, self._pos = buf, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._buf) if n is None or n < 0 else min(self._pos + n, len(self._buf))
        data = bytes(self._buf[self._pos : end])
        self._pos = end
        return data

    def readline(self, limit: int = -1) -> bytes:
        end = len(self._buf) if limit is None or limit < 0 else min(self._pos + limit, len(self._buf))
        start, step = self._pos, 256
        while True:  # (in growing windows: the rest of a part may be large)
            stop = min(start + step, end)
            found = bytes(self._buf[start:stop]).find(b"\n")
            if found >= 0 or stop == end:
                return self.read((start + found + 1 if found >= 0 else end) - self._pos)
            start, step = stop, step * 4

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = pos if whence == 0 else self._pos + pos if whence == 1 else len(self._buf) + pos
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")


class ViewFile(BufferFile):
    """A part of a compound segment file, read from its memory map where it lies. Whoosh's
    ``BufferFile`` reads through a ``BytesIO``, which copies the part when it is opened:
    the first stored article read from a segment copied all of the segment's stored
    articles into the reading process (a server's processes grew by the index's size)."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf, self.file = buf, _MemoryReader(buf)

    def subset(self, position: int, length: int, name: str | None = None) -> ViewFile:
        return ViewFile(self._buf[position : position + length], name=name or self._name)


compound.BufferFile = ViewFile  # what a compound segment's parts are opened as


class FieldFiles(NamedTuple):
    """What writing a field's postings directly needs of Whoosh's field writer."""

    postfile: Any  # the postings file, positioned at the end
    tindex: Any  # the term index (an OrderedHashWriter)
    fieldid: int  # the field's number, which starts its term keys
    blocklimit: int  # postings per block
    compression: int  # zlib level of blocks
    terminfo: Any  # the struct of a term's info


def field_files(fw: Any) -> FieldFiles:
    return FieldFiles(fw._postfile, fw._tindex, fw._fieldid, fw._codec._blocklimit, fw._codec._compression, TERMINFO)


def length_field(fieldname: str) -> str:
    """The name of the column of a text field's per-document lengths."""
    return _lenfield(fieldname)


def segment_length_bytes(leaf: Any, fieldname: str) -> np.ndarray:
    """The one-byte encoded lengths of ``fieldname`` in every document of a segment reader."""
    return length_bytes(leaf._perdoc, fieldname, leaf.doc_count_all())


def length_bytes(perdoc: Any, fieldname: str, n: int) -> np.ndarray:
    """The one-byte encoded lengths of ``fieldname`` in the ``n`` documents of a segment."""
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return np.zeros(n, np.uint8)
    if hasattr(column, "_dbfile"):
        return np.frombuffer(column._dbfile.get(column._basepos, n), np.uint8)
    return np.array([column[d] for d in range(n)], np.uint8)


def _write_columns(pdw: Any, columns: ColumnBuffer) -> None:
    """Write the column values kept so far into the per-document writer's columns."""
    for name, column, docnums, values in columns.drain():
        if not pdw._has_column(name):
            pdw._create_column(name, column)
        _add_all(pdw._get_column(name), docnums, values)


def _add_all(writer: Any, docnums: list[int], values: list[Any]) -> None:
    """``writer.add(d, v)`` for each document number (increasing) and value, made as
    one write for the two column types this schema uses."""
    start, end = writer._count, docnums[-1] + 1
    if type(writer) is VarBytesColumn.Writer:
        lengths = np.zeros(end - start, np.int64)
        lengths[np.asarray(docnums) - start] = np.fromiter(map(len, values), np.int64, len(values))
        _append_var_bytes(writer, lengths, b"".join(values))
    elif type(writer) is NumericColumn.Writer and writer._fixedlen == 1 and writer._default == 0:
        row = bytearray(end - start)  # zeros: the default, which Whoosh writes for gaps
        for d, v in zip(docnums, values):
            row[d - start] = v
        writer._dbfile.write(bytes(row))
    else:
        for d, v in zip(docnums, values):
            writer.add(d, v)
        return
    writer._count = end


def _append_var_bytes(writer: Any, lengths: np.ndarray, data: bytes) -> None:
    """Values of the next ``len(lengths)`` documents, ``data`` their bytes one after another."""
    writer._dbfile.write(data)
    writer._lengths.extend(lengths.tolist())
    writer._offsets.extend((writer._offset_base + np.cumsum(lengths) - lengths).tolist())
    writer._offset_base += int(lengths.sum())
    writer._count += len(lengths)


def copy_columns(pdw: Any, perdoc: Any, start: int, columns: list[tuple[str, Any]]) -> None:
    """Append the ``columns`` (names and types) of a segment's per-document reader, its
    documents taking the numbers from ``start`` (none deleted), to a per-document writer,
    as the bytes they are: Whoosh's merge unpacks and packs each value of each document."""
    n = perdoc.doc_count_all()
    for name, column in columns:
        if not pdw._has_column(name):
            pdw._create_column(name, column)
        writer = getattr(pdw._get_column(name), "_child", pdw._get_column(name))  # (stored fields: pickled, as they are)
        if not perdoc.has_column(name):  # (its documents take the default: filled at the next write, or at the end)
            continue
        reader = perdoc.column_reader(name, column)
        reader = getattr(reader, "_child", reader)
        writer.fill(start)
        writer._count = start  # (fill writes the gap's defaults but leaves the count to the next add)
        if isinstance(writer, VarBytesColumn.Writer):  # (stored fields' compressed bytes too)
            lengths = np.array(reader._lengths, np.int64)
            _append_var_bytes(writer, lengths, reader._dbfile.get(reader._basepos, int(lengths.sum())))
        elif type(writer) is NumericColumn.Writer:
            writer._dbfile.write(reader._dbfile.get(reader._basepos, n * writer._fixedlen))
            writer._count = start + n
        else:
            raise EngineError(f"column {name}: {type(column).__name__} cannot be copied in bulk")


def finish_merged_columns(pdw: Any, doc_count: int, field_lengths: Mapping[str, int]) -> None:
    """Close a per-document writer filled by :func:`copy_columns` alone."""
    pdw._doccount = doc_count
    pdw._fieldlengths.update(field_lengths)
    pdw.close()


class BulkSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, taking analysed text fields and writing postings in bulk.

    Large runs are split into several segments of about ``SEGMENT_POSTINGS``
    postings, so memory stays bounded, merged in bulk into a few as they are
    committed (:mod:`.bulk_merge`).
    """

    def __init__(
        self,
        ix: Any,
        flat_fields: tuple[str, ...] = (),
        on_segment: Callable[[Segment], None] | None = None,
        on_merged: Callable[[Segment, list[Segment]], None] | None = None,
    ) -> None:
        """``flat_fields`` also get their postings as flat arrays (:mod:`.flat_postings`);
        ``on_segment`` is told of each segment written of added documents alone, and
        ``on_merged`` of each made of such segments at the commit (as
        :meth:`~indexer.engine.base.EngineIndex.writer` says)."""
        super().__init__(ix)
        self._on_segment = on_segment
        self._on_merged = on_merged
        self._own: dict[str, Segment] = {}  # segments of added documents alone, by key
        self._merged_in = False  # the segment being filled takes a merged segment's documents (at a commit)
        self._written = 0  # documents added to the segments written before it
        self.pool = PostingBuffer()
        self._columns = ColumnBuffer()
        self._finished: list[Any] = []  # segments written earlier in this run
        self._flat_fields = flat_fields
        self._flat: dict[str, flat_postings.TermPostings] = {}

    def add_analysed(self, fields: dict[str, Any], analysed: Mapping[str, FieldPostings], stored: dict[str, str]) -> None:
        """Add one document: ``fields`` as for ``add_document``; the text fields as
        ``analysed`` postings with their ``stored`` text."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        pdw = self.perdocwriter
        columns: list[tuple[str, Any, Any]] = []
        pdw.start_doc(docnum)
        try:
            for name, value in sorted(fields.items()):
                field = schema[name]
                if type(field) is ID:  # the whole value is the one term: Whoosh's ID analysis, without its cost
                    self.pool.add((name, value.encode("utf-8"), docnum, field.format.field_boost, b""))
                elif field.indexed:
                    for tbytes, _freq, weight, vbytes in field.index(value):
                        self.pool.add((name, tbytes, docnum, weight, vbytes))
                pdw.add_field(name, field, value if field.stored else None, 0)
                if field.column_type:
                    columns.append((name, field.column_type, field.to_column_value(value)))
            for name, fp in analysed.items():
                self.pool.add_document(name, docnum, fp)
                pdw.add_field(name, schema[name], stored.get(name), 0)
                if fp.length:  # what add_field does with a length, but for the column write
                    pdw._fieldlengths[name] += fp.length
                    columns.append((_lenfield(name), LENGTHS_COLUMN, length_to_byte(fp.length)))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._columns.add(columns, docnum)
        self._added = True
        self.docnum += 1
        if self.pool.count >= SEGMENT_POSTINGS:
            self._next_segment()

    def _next_segment(self) -> None:
        segment = self._finalize_segment()
        self._finished.append(segment)
        self._written += segment.doc_count_all()
        codec = self.codec
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self.pool = PostingBuffer()
        self.docnum = self.docbase
        self._added = False
        self._merged_in = False

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        kept = super()._merge_segments(mergetype, optimize, merge)
        if self._finished and self._added and not self._merged_in:
            self._next_segment()  # (the segment being filled joins the run's others)
        return kept + self._merged_in_bulk()

    def _merged_in_bulk(self) -> list[Any]:
        """This run's segments, each run of consecutive ones of added documents alone
        merged into as few as :func:`.bulk_merge.groups` allows."""
        from indexer.engine.whoosh import bulk_merge  # (it builds on this module)

        folder = Path(self.storage.folder)
        out: list[Any] = []
        own: list[Any] = []
        for segment in [*self._finished, None]:
            if segment is not None and segment.segment_id() in self._own:
                own.append(segment)
                continue
            for group in bulk_merge.groups(own, folder):
                if len(group) < 2:
                    out += group
                    continue
                merged = bulk_merge.merge(self, group, self._flat_fields)
                parts = [self._own[s.segment_id()] for s in group]
                key = merged.segment_id()
                if self._on_merged is not None:
                    self._on_merged(Segment(key, parts[0].start, merged.doc_count_all(), str(folder / key)), parts)
                out.append(merged)
            own = []
            if segment is not None:
                out.append(segment)
        return out

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: dict[int, int] | None) -> None:
        """A merged segment's postings: its text fields' from the flat file beside it (their
        only copy), the other fields' through Whoosh."""
        self._merged_in = True
        flat = flat_postings.beside(Path(self.storage.folder), reader)  # (EngineError if unreadable)
        assert flat is not None  # (a segment being merged has documents, hence its file)
        texts = self._flat_fields  # (not in the segment's term index: only in its flat file)
        try:
            missing = [f for f in texts if not flat.has_field(f)]
            if missing:
                raise EngineError(f"segment {reader.segment().segment_id()}: its flat postings lack {', '.join(missing)}")
            others = sorted(set(reader.indexed_field_names()) - set(texts))
            for item in self._process_posts(_postings_of(reader, others), startdoc, docmap):
                self.pool.add(item)
            numbers = np.arange(startdoc, startdoc + reader.doc_count_all(), dtype=np.int64)
            if docmap is not None:  # only live documents are in it
                numbers[:] = -1
                numbers[list(docmap)] = list(docmap.values())
            for f in texts:
                self.pool.add_merged(f, flat.field(f), numbers)
        finally:
            flat.close()

    def write_per_doc(self, fieldnames: Any, reader: Any) -> Any:
        """Whoosh's copy of a merged segment's documents, which writes their column values
        directly: the values kept for the documents before them go first."""
        _write_columns(self.perdocwriter, self._columns)
        return super().write_per_doc(fieldnames, reader)

    def add_document(self, **fields: Any) -> None:
        """Not for this writer: Whoosh's analysis would give the text fields postings
        without the positions the flat file beside the segment keeps for each of them."""
        raise TypeError("BulkSegmentWriter takes documents through add_analysed")

    def _flush_segment(self) -> None:
        _write_columns(self.perdocwriter, self._columns)
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(self.pool.fields):
            postings = sorted_postings(self.pool.fields[name])
            if name in self._flat_fields:  # in the flat file only: not in Whoosh's term index
                self._flat[name] = postings
                continue
            fw.start_field(name, self.schema[name])
            write_field(field_files(fw), postings, self.schema[name])
            fw.finish_field()
        for name in self._flat_fields:  # (every segment has its flat file, fields without terms too)
            self._flat.setdefault(name, EMPTY_POSTINGS)
        fw.close()

    def _finalize_segment(self) -> Any:
        segment = super()._finalize_segment()
        folder = Path(self.storage.folder)
        if self._flat:  # after Whoosh has gathered the segment's files into its compound file
            flat_postings.write(folder / segment.make_filename(flat_postings.EXTENSION), self._flat)
            self._flat = {}
        if not self._merged_in:
            key = segment.segment_id()
            self._own[key] = Segment(key, self._written, segment.doc_count_all(), str(folder / key))
            if self._on_segment is not None:
                self._on_segment(self._own[key])
        return segment



def _postings_of(reader: Any, fields: list[str]) -> Iterator[tuple[str, bytes, int, float, bytes]]:
    """(field, term, document, weight, value) of each posting of ``fields`` in a segment
    (its live documents), as Whoosh's ``iter_postings`` gives them for all fields."""
    for field in fields:
        for term in reader.lexicon(field):
            m = reader.postings(field, term)
            while m.is_active():
                yield field, term, m.id(), m.weight(), m.value()
                m.next()
