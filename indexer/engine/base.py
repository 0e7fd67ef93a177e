"""The engine interface: all that the build and search layers ask of an index's storage.

An engine keeps one index generation (a folder, for an engine on disk): it
writes documents whose fields follow :mod:`indexer.engine.schema`, commits them
atomically, and reads them back as plain values and numpy arrays. Matching,
BM25F scoring, facets and snippets are done above it, over these arrays, so any
engine that can give postings, lengths, columns and stored fields serves the
same query layer.

Document numbers are an engine's own: dense from 0, stable within one reader,
renumbered by merges, in no order the layers above rely on (ties in sorting use
them only to be stable). Deleted documents may keep their numbers until a merge
drops them: postings, columns and term statistics may include them (Whoosh's do;
the memory engine merges at every commit), and :meth:`EngineReader.live_docnums`
says which are live. So two engines give the same answers over the same
documents when neither holds deleted ones (a fresh build); after updates, scores
that use document frequencies can differ until a merge.

Two implementations: :mod:`indexer.engine.whoosh` (the index on disk) and
:mod:`indexer.engine.memory` (a small one in memory, for tests); both pass
``tests/test_engine_contract.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np

from indexer.engine.postings import FieldPostings


class Segment(NamedTuple):
    """Documents an engine wrote together and never changes, but to delete some of them:
    what is worked out from them once (:mod:`indexer.search.segment_tables`) holds for
    every later commit that keeps the segment."""

    key: str  # the same key, the same documents in the same order
    start: int  # its first document number in the reader
    size: int  # the document numbers it takes, deleted documents included
    files: str | None  # the path prefix of files kept beside it, removed with it (None: keep none)


class EngineReader(Protocol):
    """A point-in-time view of one commit; searches run against it."""

    @property
    def version(self) -> int:
        """The commit this reader sees: :meth:`EngineIndex.version` at that commit."""

    @property
    def doc_count(self) -> int:
        """Live documents."""

    @property
    def docnum_limit(self) -> int:
        """One past the highest document number (deleted documents included)."""

    def close(self) -> None: ...

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """A text field's posting list: document numbers (int64, sorted, deleted ones
        included) and the term's count in each (float64)."""

    def phrase_docs(self, fieldname: str, terms: Sequence[str]) -> np.ndarray:
        """Documents (int64, sorted, deleted ones possibly included) where ``terms`` occur
        in a row in ``fieldname``."""

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Tokens in a text field for every document number, as the engine keeps them
        (an engine may round long lengths, as Whoosh's one-byte encoding does)."""

    def term_frequencies(self, fieldname: str) -> Iterator[tuple[str, int]]:
        """Every term of a text field with its document frequency, in term order (deleted
        documents may be counted, and terms only they hold listed, until a merge)."""

    def expand_prefix(self, fieldname: str, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` terms of a text field starting with ``prefix``, in term order."""

    def live_docnums(self) -> np.ndarray:
        """The document numbers not deleted, in order (int64)."""

    def stored(self, docnum: int) -> dict[str, Any]:
        """The stored fields of one document (absent values left out)."""

    def docnum_of(self, article_id: str) -> int | None:
        """The live document with this ``id``, if any."""

    def segments(self) -> list[Segment]:
        """The reader's segments, in document-number order, covering them all."""

    def column(self, fieldname: str, segment: Segment | None = None) -> list[str]:
        """A column's value as text for every document number, or for every one of a
        ``segment`` ("" where none; a bytes column decoded as UTF-8)."""

    def column_bytes(self, fieldname: str, segment: Segment | None = None) -> list[bytes]:
        """A bytes column's value for every document number, or for every one of a
        ``segment`` (b"" where none)."""


class EngineWriter(Protocol):
    """The writer of the next commit."""

    def add(self, fields: Mapping[str, Any], analysed: Mapping[str, FieldPostings]) -> None:
        """One document: its fields (by :mod:`~indexer.engine.schema`, text fields
        as their text) and its text fields' postings."""

    def delete_by_key(self, fieldname: str, value: str) -> int:
        """Delete the committed documents whose key field ``fieldname`` is ``value``
        (not those added by this writer); how many."""

    def commit(self) -> None:
        """Make everything added and deleted visible at once, as a new version."""

    def cancel(self) -> None:
        """Drop everything since the last commit; the index is left as it was."""


class EngineIndex(Protocol):
    """One index generation."""

    def version(self) -> int:
        """Changes with every commit, so caches can key on it."""

    def size_bytes(self) -> int: ...

    def writer(
        self,
        on_segment: Callable[[Segment], None] | None = None,
        on_merged: Callable[[Segment, list[Segment]], None] | None = None,
    ) -> EngineWriter:
        """The writer of the next commit (one at a time). ``on_segment`` is told of each
        segment it writes that holds only documents added to it, when the segment is
        written (before the commit): its ``start`` counts the documents added before its
        first, so the caller can work out what it needs of them (their segment table)
        from the documents it gave. ``on_merged`` is told, at the commit, of each segment
        made of such segments (the list: their documents in turn, none deleted), while
        their files are still there. An engine may tell of none."""

    def reader(self) -> EngineReader: ...


class Engine(Protocol):
    """Makes and opens index generations."""

    name: str

    def create(self, path: Path) -> EngineIndex:
        """A new, empty index at ``path``."""

    def open(self, path: Path) -> EngineIndex:
        """The index at ``path``; raises :class:`EngineError` if there is none."""


class EngineError(Exception):
    """An index that cannot be opened or written as asked, with the reason."""


class EngineBusy(EngineError):
    """Another writer is open on the index."""
