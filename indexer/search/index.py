"""The Python API: open an index and search it. The CLI and the web app use exactly this.

    >>> from indexer import Index
    >>> with Index.open("instance") as index:
    ...     result = index.search("Guterres", sources=["ghanaweb.com"], sort="newest")
    ...     [hit.id for hit in result.hits]
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from indexer.search import query, snippets
from indexer import store
from indexer.article import Problem
from indexer.engine import Engine, default_engine
from indexer.search.results import (
    MATCHES,
    SORTS,
    ArticleRecord,
    Facet,
    Hit,
    IndexReport,
    IndexStats,
    SearchRequest,
    SearchResult,
)
from indexer.search.runner import more_like_this, run_search
from indexer.search.snapshot import Snapshot

MAX_PAGE_SIZE = 100


class IndexNotFound(store.StoreError):
    """No index in the data directory yet."""


class InvalidRequest(ValueError):
    """A search parameter is out of range; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class Index:
    """A live index in a data directory; follows new generations and commits by itself.

    Safe to share between threads: searches on one Index run one at a time. A new
    generation is opened beside the current one (the searches of other threads go on
    meanwhile) and warmed before they switch to it.
    """

    def __init__(self, data_dir: Path, engine: Engine | None = None) -> None:
        self.data_dir = data_dir
        self.engine = engine or default_engine()
        self._lock = threading.RLock()  # held by each search, and to switch snapshots
        self._opening = threading.Lock()  # one new snapshot opened at a time
        self._snap: Snapshot | None = None
        self._pins = threading.local()  # pinned() blocks open in each thread
        self.refresh()

    @classmethod
    def open(cls, data_dir: str | Path | None = None, *, engine: Engine | None = None) -> Index:
        """Open the index in ``data_dir`` (default: $NEWSDEX_DATA or ./instance), stored by
        ``engine`` (by default Whoosh, on disk: the engine :func:`reindex` wrote it with)."""
        return cls(store.data_dir_from(data_dir), engine)

    def close(self) -> None:
        """Close the index files. An engine's memory maps may be released only when objects
        in reference cycles that view them are collected, so collect them now: after
        ``close`` the data directory can be deleted or unmounted at once."""
        with self._opening, self._lock:
            if self._snap:
                self._snap.close()
                self._snap = None
                gc.collect()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh(self, wait: bool = True) -> bool:
        """Switch to the newest generation or commit if there is one; True if it switched.

        With ``wait=False``, return at once (False) while another thread is opening one:
        searches then go on with the snapshot already open. In a :meth:`pinned` block,
        return False: the block keeps its version."""
        if getattr(self._pins, "depth", 0):
            return False
        if not self._opening.acquire(blocking=wait or self._snap is None):
            return False
        try:
            return self._switch()
        finally:
            self._opening.release()

    def _switch(self) -> bool:
        """Open the newest generation or commit, warm it, then swap it in (the caller holds ``_opening``)."""
        generation = store.current_generation(self.data_dir)
        if generation is None:
            raise IndexNotFound(
                f"no index in {self.data_dir}: run 'python manage.py reindex' first"
            )
        snap = self._snap
        if snap and snap.generation == generation and snap.version[1] == snap.engine.version():
            return False
        meta = store.read_meta(generation)
        if meta.schema_version != store.SCHEMA_VERSION:
            raise store.StoreError(
                f"the index in {self.data_dir} was built by an older newsdex "
                f"(schema v{meta.schema_version}): run 'python manage.py reindex' to rebuild it"
            )
        aliases = self.data_dir / store.USER_ALIASES
        new = Snapshot(generation, meta, aliases if aliases.exists() else None, self.engine)
        try:
            new.warm()
        except BaseException:
            new.close()
            raise
        with self._lock:  # no search is using the old snapshot now
            self._snap = new
            if snap:
                snap.close()
        return True

    @contextmanager
    def pinned(self) -> Iterator[Index]:
        """This index held at one commit for a block: every call in it sees the same
        version, as one page that reads an article, its copies and their count must.
        A commit made meanwhile is seen after the block; other threads' calls wait."""
        with self._newest():
            self._pins.depth = getattr(self._pins, "depth", 0) + 1
            try:
                yield self
            finally:
                self._pins.depth -= 1

    @contextmanager
    def _newest(self) -> Iterator[Snapshot]:
        """The newest snapshot (the pinned one in a :meth:`pinned` block), held for one
        call (searches run one at a time)."""
        self.refresh(wait=False)
        with self._lock:
            yield self.snapshot

    @property
    def snapshot(self) -> Snapshot:
        assert self._snap is not None, "index is closed"
        return self._snap

    def search(self, q: str | SearchRequest = "", **params: Any) -> SearchResult:
        """Search with a query string and filters (see :class:`SearchRequest`)."""
        request = q if isinstance(q, SearchRequest) else SearchRequest(q=q, **_tuples(params))
        validate(request)
        with self._newest() as snap:
            return run_search(snap, request)

    def facet(self, field: str, q: str | SearchRequest = "", **params: Any) -> Facet:
        """Every value of one facet (not just the top ones) for a search."""
        request = q if isinstance(q, SearchRequest) else SearchRequest(q=q, **_tuples(params))
        if field not in ("source", "actor", "date"):
            raise InvalidRequest("field", f"'{field}' is not a facet (source, actor, date)")
        request = replace(request, facet_size=1_000_000, page_size=1, snippets=False)
        return self.search(request).facets[field]

    def article(self, article_id: str) -> ArticleRecord | None:
        with self._newest() as snap:
            return snap.article(article_id)

    def story_copies(self, article_id: str, limit: int | None = None, offset: int = 0) -> list[ArticleRecord]:
        """The other articles of the same story (syndicated copies), newest first: all of
        them, or ``limit`` from ``offset`` on."""
        with self._newest() as snap:
            return snap.story_copies(article_id, limit, offset)

    def story_copy_count(self, article_id: str) -> int:
        """How many other articles the story has (0 for an unknown id)."""
        with self._newest() as snap:
            return snap.story_copy_count(article_id)

    def more_like_this(self, article_id: str, limit: int = 5) -> list[Hit]:
        """The articles most similar to one, copies of its own story left out."""
        with self._newest() as snap:
            return more_like_this(snap, article_id, limit)

    @staticmethod
    def mark(text: str, q: str) -> str:
        """``text`` escaped, with the words ``q`` looks for in ``<mark>`` (sanitised HTML)."""
        return snippets.highlight(text, snippets.marker_for(query.parse(q).node))

    def stats(self, top_sources: int = 20) -> IndexStats:
        """What the index holds, with its ``top_sources`` largest sources."""
        if not isinstance(top_sources, int) or top_sources < 0:
            raise InvalidRequest("top_sources", "must be a whole number ≥ 0")
        with self._newest() as snap:
            return _stats(snap, top_sources)

    def report(self, top: int = 10) -> IndexReport:
        """The stats (with the ``top`` sources), the ``top`` actors, articles by period, the
        corpus, and what the reindexes could not read."""
        if not isinstance(top, int) or top < 1:
            raise InvalidRequest("top", "must be a whole number ≥ 1")
        every = SearchRequest(q="", page_size=1, snippets=False, collapse=False, facet_size=top)
        with self._newest() as snap:  # one snapshot for all of it
            meta, stats, facets = snap.meta, _stats(snap, top), run_search(snap, every).facets
        return IndexReport(
            stats=stats,
            top_actors=tuple((v.label, v.count) for v in facets["actor"].values),
            periods=tuple((v.value, v.count) for v in facets["date"].values if v.count),  # (all: not cut by size)
            corpus=tuple(meta.roots),
            learned_acronyms=len(meta.learned_aliases),
            problems=tuple(Problem(*row) for rows in meta.file_problems.values() for row in rows),
        )


def _stats(snap: Snapshot, top_sources: int) -> IndexStats:
    cols = snap.columns
    live = cols.live
    dated = cols.day[live & (cols.day > 0)]
    sources = cols.source[live & (cols.source >= 0)]
    per_source = np.bincount(sources, minlength=len(cols.sources))
    counts = sorted(
        ((snap.source_label(key), int(c)) for key, c in zip(cols.sources, per_source) if c),
        key=lambda kv: -kv[1],
    )
    return IndexStats(
        articles=int(live.sum()),
        sources=len(counts),
        stories=len(set(cols.story[live].tolist())),
        first_date=dt.date.fromordinal(int(dated.min())) if len(dated) else None,
        last_date=dt.date.fromordinal(int(dated.max())) if len(dated) else None,
        undated=int((live & (cols.day == 0)).sum()),
        size_bytes=snap.engine.size_bytes(),
        generation=f"{snap.generation.name}.{snap.version[1]}",
        built_at=snap.meta.updated_at,
        schema_version=snap.meta.schema_version,
        top_sources=tuple(counts[:top_sources]),
        unread_files=len(snap.meta.file_problems),
    )


def _tuples(params: dict[str, Any]) -> dict[str, Any]:
    """Lists are accepted for multi-valued filters; requests hold tuples."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


def validate(request: SearchRequest) -> None:
    """Raise :class:`InvalidRequest` naming the first parameter out of range."""
    if not isinstance(request.page, int) or request.page < 1:
        raise InvalidRequest("page", "must be a whole number ≥ 1")
    if not isinstance(request.page_size, int) or not 1 <= request.page_size <= MAX_PAGE_SIZE:
        raise InvalidRequest("page_size", f"must be a whole number from 1 to {MAX_PAGE_SIZE}")
    if request.sort not in SORTS:
        raise InvalidRequest("sort", f"must be one of {', '.join(SORTS)}")
    if request.match not in MATCHES:
        raise InvalidRequest("match", f"must be one of {', '.join(MATCHES)}")
    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise InvalidRequest("date_from", "is after date_to")
    if not isinstance(request.facet_size, int) or request.facet_size < 1:
        raise InvalidRequest("facet_size", "must be a whole number ≥ 1")
