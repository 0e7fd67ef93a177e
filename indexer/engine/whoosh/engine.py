"""The Whoosh engine: an index generation as a Whoosh index on disk.

Whoosh is newsdex's container format: the table of contents and its atomic
commits, segment files and merges, the key fields' terms (an article found by its
id, a file's articles deleted by its key), stored fields and per-document columns
(field lengths among them). The text fields' postings are newsdex's own, only in
the flat file beside each segment (:mod:`.flat_postings`), with their positions:
matching, phrases, prefixes and the vocabulary read them there. Segments are
written in bulk (:mod:`.internals`, :mod:`.w3_blocks`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema
from whoosh.formats import Format, tokens
from whoosh.index import EmptyIndexError, LockError
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length
from whoosh.writing import OPTIMIZE

from indexer.engine.base import EngineBusy, EngineError, Segment
from indexer.engine.postings import FieldPostings
from indexer.engine.schema import TEXT_FIELDS
from indexer.engine.whoosh import flat_postings, merging
from indexer.engine.whoosh.internals import BulkSegmentWriter, segment_length_bytes

INDEX_NAME = "MAIN"
# Posting lists kept in memory per reader, merged across segments: bounded in bytes, since
# a common word's list holds most documents (MBs at a million articles; 50,000 lists, the
# bound by count before, grew a server past 4 GB).
POSTINGS_CACHE_BYTES = 64 << 20


class PreAnalysed(Tokenizer):
    """The text fields' analyzer in the schema: their documents arrive analysed
    (:class:`~indexer.engine.postings.FieldPostings`, with the positions Whoosh's
    postings would not keep), so Whoosh is never asked to analyse them."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        raise TypeError("the text fields of a newsdex index take analysed postings (EngineWriter.add)")


class Counts(Format):
    """The text fields' format in the schema, as Whoosh's ``Frequency`` without a value:
    a posting's weight is the term's count in the document. (Their postings are written
    to the flat file only; Whoosh still reads the format with the schema.)"""

    posting_size = 0

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        counts: dict[str, int] = {}
        for t in tokens(value, analyzer, kwargs):
            counts[t.text] = counts.get(t.text, 0) + 1
        return ((w, n, n * self.field_boost, b"") for w, n in counts.items())


def _text(analyzer: Tokenizer) -> TEXT:
    field = TEXT(analyzer=analyzer, stored=True)
    field.format = Counts()
    return field


class StoredColumn(ID):
    """A value stored and kept as a per-document column, but not indexed: filters,
    facets and reindex read the column, so its terms would be written and never read."""

    indexed = False


def make_schema(analyzer: Tokenizer | None = None) -> Schema:
    """The schema of :mod:`indexer.engine.schema` in Whoosh's terms (``analyzer`` of the
    text fields: only for tests that index the same documents through Whoosh's own writer)."""
    text = analyzer or PreAnalysed()
    return Schema(
        # id, file key and hash, source, date, story and signature are columns: reindex
        # and facets read them without unpacking stored articles
        id=ID(stored=True, unique=True, sortable=True),  # indexed: an article is found by its id
        title=_text(text),
        body=_text(text),
        source=StoredColumn(stored=True, sortable=True),
        source_name=STORED,
        url=STORED,
        published=StoredColumn(stored=True, sortable=True),
        authors=STORED,
        actor=STORED,  # the article's actors, as shown; filters and facets read actor_list
        actor_list=COLUMN(VarBytesColumn()),  # the same names, read as a column for facets
        origin=STORED,
        file_key=ID(sortable=True),  # indexed: an update deletes a changed file's articles by it
        file_hash=COLUMN(VarBytesColumn()),
        story=StoredColumn(stored=True, sortable=True),
        signature=COLUMN(VarBytesColumn()),
    )


class WhooshEngine:
    """Index generations as Whoosh indexes in their folders."""

    name = "whoosh"

    def create(self, path: Path) -> WhooshIndex:
        path.mkdir(parents=True, exist_ok=True)
        return WhooshIndex(whoosh_index.create_in(str(path), make_schema(), indexname=INDEX_NAME))

    def open(self, path: Path) -> WhooshIndex:
        return WhooshIndex.open(path)


class WhooshIndex:
    """One index directory (one generation)."""

    def __init__(self, ix: Any) -> None:
        self._ix = ix

    @classmethod
    def open(cls, path: Path) -> WhooshIndex:
        try:
            return cls(whoosh_index.open_dir(str(path), indexname=INDEX_NAME))
        except EmptyIndexError:
            raise EngineError(f"no index in {path}") from None

    def size_bytes(self) -> int:
        """Bytes of the files in the index's folder (one that a commit or a columns file
        being saved removes meanwhile is not counted)."""
        total = 0
        for entry in os.scandir(self._ix.storage.folder):
            try:
                total += entry.stat().st_size if entry.is_file() else 0
            except FileNotFoundError:
                pass
        return total

    def version(self) -> int:
        """Changes with every commit, so caches can key on it."""
        return self._ix.latest_generation()

    def writer(
        self,
        on_segment: Callable[[Segment], None] | None = None,
        on_merged: Callable[[Segment, list[Segment]], None] | None = None,
    ) -> WhooshWriter:
        """The writer of the next commit (it takes the index's write lock)."""
        try:
            writer = BulkSegmentWriter(self._ix, flat_fields=TEXT_FIELDS, on_segment=on_segment, on_merged=on_merged)
            return WhooshWriter(writer)
        except LockError:
            raise EngineBusy(f"another writer is open on {self._ix.storage.folder}") from None

    def reader(self) -> WhooshReader:
        version = self.version()  # (before opening: a commit in between makes it stale, not wrong)
        return WhooshReader(self._ix.reader(), Path(self._ix.storage.folder), version)


class WhooshWriter:
    def __init__(self, writer: BulkSegmentWriter) -> None:
        self._w = writer

    def add(self, fields: Mapping[str, Any], analysed: Mapping[str, FieldPostings]) -> None:
        others = dict(fields)
        stored = {name: others.pop(name) for name in TEXT_FIELDS if name in others}
        self._w.add_analysed(others, analysed, stored)

    def delete_by_key(self, fieldname: str, value: str) -> int:
        return self._w.delete_by_term(fieldname, value)

    def commit(self, optimize: bool = False) -> None:
        """Commit, merging small segments (:mod:`.merging`; ``optimize``: every segment into one)."""
        self._w.commit(mergetype=OPTIMIZE if optimize else merging.tiered)

    def cancel(self) -> None:
        self._w.cancel()


class WhooshReader:
    """A point-in-time view of the index: match, read stored fields and columns."""

    def __init__(self, reader: Any, folder: Path, version: int) -> None:
        """``reader``: Whoosh's reader of the index (not a searcher: newsdex matches and
        scores itself, and Whoosh's searching module and its query language cost a
        fresh process 20 ms to import)."""
        self._r = reader
        self._version = version
        self._folder = folder
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._postings_bytes = 0  # what the cached lists hold
        self._flats: list[tuple[flat_postings.PostingsFile, int]] = []  # each segment's, with its first number
        try:
            for leaf, offset in self._r.leaf_readers():
                flat = flat_postings.beside(folder, leaf)
                if flat is not None:
                    self._flats.append((flat, offset))
        except BaseException:
            self.close()
            raise

    @property
    def version(self) -> int:
        """The commit this reader sees (:meth:`WhooshIndex.version` when it was opened)."""
        seen = self._r.generation()  # None for an index without documents
        return self._version if seen is None else seen

    def close(self) -> None:
        for flat, _offset in self._flats:
            flat.close()
        self._r.close()

    @property
    def doc_count(self) -> int:
        return self._r.doc_count()

    @property
    def docnum_limit(self) -> int:
        """One past the highest document number (deleted ones included)."""
        return self._r.doc_count_all()

    # -- postings and lengths (matching and scoring happen in indexer.search.matching) ----

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (sorted, deleted ones included) and term frequencies."""
        key = (fieldname, term)
        cached = self._postings.get(key)
        if cached is None:
            cached = self._read_postings(fieldname, term)
            size = cached[0].nbytes + cached[1].nbytes
            if self._postings_bytes + size > POSTINGS_CACHE_BYTES:  # (start afresh, as a Memo does)
                self._postings.clear()
                self._postings_bytes = 0
            self._postings[key] = cached
            self._postings_bytes += size
        return cached

    def _read_postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        btext = term.encode("utf-8")
        for flat, offset in self._flats:
            found = flat.postings(fieldname, btext) if flat.has_field(fieldname) else None
            if found is not None:
                ids.append(found[0].astype(np.int64) + offset)
                weights.append(found[1].astype(np.float64))
        if not ids:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        return np.concatenate(ids), np.concatenate(weights)

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Tokens in ``fieldname`` for every document number (as Whoosh stores them)."""
        lengths = [
            _BYTE_TO_LENGTH[segment_length_bytes(leaf, fieldname)]
            for leaf, _offset in self._r.leaf_readers()
            if leaf.doc_count_all()  # an index with no segment has one empty reader, without lengths
        ]
        return np.concatenate(lengths) if lengths else np.empty(0)

    def phrase_docs(self, fieldname: str, terms: Sequence[str]) -> np.ndarray:
        """Documents (sorted, deleted ones included) where ``terms`` occur in a row in ``fieldname``."""
        btexts = [t.encode("utf-8") for t in terms]
        found = [np.empty(0, np.int64)]
        found += [flat.phrase_docs(fieldname, btexts) + offset for flat, offset in self._flats if flat.has_field(fieldname)]
        return np.concatenate(found)

    def expand_prefix(self, fieldname: str, prefix: str, limit: int) -> list[str]:
        found = sorted({t for flat, _ in self._flats for t in flat.expand_prefix(fieldname, prefix.encode("utf-8"), limit)})
        return [t.decode("utf-8") for t in found[:limit]]

    def live_docnums(self) -> np.ndarray:
        """The document numbers not deleted, in order."""
        parts = [
            (
                np.fromiter(leaf.all_doc_ids(), np.int64)
                if leaf.has_deletions()
                else np.arange(leaf.doc_count_all(), dtype=np.int64)
            )
            + offset
            for leaf, offset in self._r.leaf_readers()
        ]
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    # -- stored values ---------------------------------------------------------

    def stored(self, docnum: int) -> dict[str, Any]:
        return self._r.stored_fields(docnum)

    def docnum_of(self, article_id: str) -> int | None:
        try:
            return self._r.first_id("id", article_id)  # (the first live document: deleted ones are skipped)
        except TermNotFound:
            return None

    # -- columns and vocabulary ------------------------------------------------

    def segments(self) -> list[Segment]:
        return [
            Segment(key, offset, leaf.doc_count_all(), str(self._folder / key))
            for leaf, offset in self._r.leaf_readers()
            if (key := _key(leaf)) is not None  # (an index without segments has one empty reader)
        ]

    def column(self, fieldname: str, segment: Segment | None = None) -> list[str]:
        """The value of a per-document column field for every document number (of ``segment``)."""
        values: list[str] = []
        for part in self._column_parts(fieldname, segment):  # (a segment's raw values at a time)
            values.extend(v.decode("utf-8") if isinstance(v, bytes) else v for v in part)
        return values

    def column_bytes(self, fieldname: str, segment: Segment | None = None) -> list[bytes]:
        """The raw values of a per-document column for every document number (of ``segment``; b"" if none)."""
        values: list[bytes] = []
        for part in self._column_parts(fieldname, segment):
            values.extend(part)
        return values

    def _column_parts(self, fieldname: str, segment: Segment | None) -> Iterator[Any]:
        """Each segment's raw values of a column, in turn (or ``segment``'s alone)."""
        leaves = self._r.leaf_readers()
        if segment is not None:
            leaves = [(leaf, offset) for leaf, offset in leaves if offset == segment.start and _key(leaf) == segment.key]
            if not leaves:
                raise EngineError(f"segment {segment.key} is not this reader's")
        for leaf, _offset in leaves:
            # (Whoosh's multi-segment column reader skips segments without the column)
            if leaf.has_column(fieldname):
                yield leaf.column_reader(fieldname, translate=False)
            else:
                yield [b""] * leaf.doc_count_all()

    def term_frequencies(self, fieldname: str) -> Iterator[tuple[str, int]]:
        """From the flat postings, where each term's posting count is its document frequency."""
        per_segment = [flat.term_frequencies(fieldname) for flat, _offset in self._flats if flat.has_field(fieldname)]
        if len(per_segment) == 1:
            terms, freqs = per_segment[0]
            yield from zip(terms, freqs.tolist())
            return
        counts: dict[str, int] = {}
        for terms, freqs in per_segment:
            for term, n in zip(terms, freqs.tolist()):
                counts[term] = counts.get(term, 0) + n
        for term in sorted(counts):
            yield term, counts[term]


def _key(leaf: Any) -> str | None:
    """A segment reader's segment's id (what names its files), None for an empty reader."""
    segment = leaf.segment()
    return None if segment is None else segment.segment_id()


_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], np.float64)
