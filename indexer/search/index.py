"""The Python API: open an index and search it. The CLI and the web app use exactly this.

    >>> from indexer import Index
    >>> with Index.open("instance") as index:
    ...     result = index.search("Guterres", sources=["ghanaweb.com"], sort="newest")
    ...     [hit.id for hit in result.hits]
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from indexer import store
from indexer.article import Problem
from indexer.engine import Engine, EngineError, default_engine
from indexer.search import query, snippets
from indexer.search.request import (
    DEFAULT_FACET_SIZE,
    DEFAULT_PAGE_SIZE,
    FACETS,
    MAX_PAGE_SIZE,
    MORE_LIKE_THIS,
    InvalidRequest,
    Match,
    SearchRequest,
    Sort,
    make_request,
    whole_number,
)
from indexer.search.results import ArticleRecord, Facet, Hit, IndexReport, IndexStats, SearchResult
from indexer.search.runner import more_like_this, run_search
from indexer.search.snapshot import Snapshot

__all__ = ["Index", "IndexNotFound", "IndexUnusable"]
_EVERY_VALUE = 1_000_000  # a facet_size no facet reaches: Index.facet lists every value


class IndexNotFound(store.StoreError):
    """No index in the data directory yet."""


class IndexUnusable(store.StoreError):
    """An index this newsdex cannot search: built by an older one, or damaged. A reindex
    rebuilds it (``--full`` for a damaged one)."""


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
    def open(cls, data_dir: str | os.PathLike[str] | None = None, *, engine: Engine | None = None) -> Index:
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
            raise IndexUnusable(
                f"the index in {self.data_dir} was built by an older newsdex "
                f"(schema v{meta.schema_version}): run 'python manage.py reindex' to rebuild it"
            )
        aliases = self.data_dir / store.USER_ALIASES
        try:
            new = Snapshot(generation, meta, aliases if aliases.exists() else None, self.engine)
        except EngineError as err:
            raise IndexUnusable(
                f"the index in {generation} cannot be opened ({err}): run 'manage.py reindex --full' to rebuild it"
            ) from None
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

    def search(
        self,
        q: str | SearchRequest = "",
        *,
        sources: Sequence[str] = (),
        actors: Sequence[str] = (),
        dates: Sequence[str] = (),
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        sort: Sort = "relevance",
        match: Match = "all",
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        collapse: bool = True,
        facet_size: int = DEFAULT_FACET_SIZE,
        snippets: bool = True,
    ) -> SearchResult:
        """Search: the ranked hits of one page, the total, the facets, how ``q`` was read.

        :param q: the query (words, ``"phrases"``, ``AND``/``OR``/``NOT``, ``-word``,
            ``prefix*``, ``word~``, ``title:``/``source:``/``actor:``/``date:`` fields),
            never refused for its syntax (a broken query is read as well as it can be, with
            warnings), nor for its length: past 1,000 characters it is cut, with a warning.
            Or a whole :class:`SearchRequest`; the other parameters must then be left at
            their defaults.
        :param sources: only articles from these sources (keys like ``ghanaweb.com`` or
            names as the facet labels them); values OR together, filters AND.
        :param actors: only articles naming one of these people or organisations (any
            alias of one: ``GSIM`` finds JNIM).
        :param dates: only articles in one of these date-facet periods: ``2024``,
            ``2024-09``, ``2024-09-17`` or ``undated``.
        :param date_from: only articles published on or after this day (a date, a
            datetime or ``YYYY-MM-DD``); undated articles are left out.
        :param date_to: only articles published on or before this day; not before
            ``date_from``.
        :param sort: ``relevance``, ``newest`` or ``oldest`` (undated last).
        :param match: ``all`` (plain words must all occur; when no article has them all,
            articles with any are shown, with a warning) or ``any``.
        :param page: which page of hits, 1 to 10,000.
        :param page_size: hits per page, 1 to 100.
        :param collapse: one hit per story (syndicated copies listed in it) or every article.
        :param facet_size: values listed per facet, 1 to 1,000 (:meth:`facet` lists all).
        :param snippets: whether hits carry a passage of the body with the query words marked.

        Filters take a list or tuple of strings, never a bare string; each is stripped,
        blanks and repeats dropped, at most 50 values of 200 characters. ``page``,
        ``page_size`` and ``facet_size`` take an int or its digits as a string
        (``"2"``), never a bool or float. Anything else raises :class:`InvalidRequest`
        naming the parameter; :func:`indexer.search.request.make_request` has every rule.
        """
        request = make_request(
            q, sources=sources, actors=actors, dates=dates, date_from=date_from, date_to=date_to, sort=sort,
            match=match, page=page, page_size=page_size, collapse=collapse, facet_size=facet_size, snippets=snippets,
            cut_long_query=True,
        )
        with self._newest() as snap:
            return run_search(snap, request)

    def facet(
        self,
        field: str,
        q: str | SearchRequest = "",
        *,
        match: Match = "all",
        sources: Sequence[str] = (),
        actors: Sequence[str] = (),
        dates: Sequence[str] = (),
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
    ) -> Facet:
        """Every value of one facet (``source``, ``actor`` or ``date``), not just the top
        ones, for the articles a search finds: ``q`` and the filters are :meth:`search`'s,
        checked alike (a whole :class:`SearchRequest` may be given as ``q``; what shapes
        its page of hits changes nothing here)."""
        request = make_request(
            q, sources=sources, actors=actors, dates=dates, date_from=date_from, date_to=date_to, match=match,
            cut_long_query=True,
        )
        if not isinstance(field, str) or field not in FACETS:
            raise InvalidRequest("field", f"{field!r} is not a facet ({', '.join(FACETS)})")
        every = replace(request, facet_size=_EVERY_VALUE, page_size=1, snippets=False)
        with self._newest() as snap:
            return run_search(snap, every).facets[field]

    def article(self, article_id: str) -> ArticleRecord | None:
        """The article with this id, or None."""
        article_id = _article_id(article_id)
        with self._newest() as snap:
            return snap.article(article_id)

    def story_copies(self, article_id: str, limit: int | None = None, offset: int = 0) -> list[ArticleRecord]:
        """The other articles of the same story (syndicated copies), newest first: all of
        them, or ``limit`` from ``offset`` on."""
        article_id = _article_id(article_id)
        limit = None if limit is None else whole_number("limit", limit, 0)
        offset = whole_number("offset", offset, 0)
        with self._newest() as snap:
            return snap.story_copies(article_id, limit, offset)

    def story_copy_count(self, article_id: str) -> int:
        """How many other articles the story has (0 for an unknown id)."""
        article_id = _article_id(article_id)
        with self._newest() as snap:
            return snap.story_copy_count(article_id)

    def more_like_this(self, article_id: str, limit: int = MORE_LIKE_THIS) -> list[Hit]:
        """Up to ``limit`` (1 to 100) articles most similar to one, copies of its own story left out."""
        article_id = _article_id(article_id)
        limit = whole_number("limit", limit, 1, MAX_PAGE_SIZE)
        with self._newest() as snap:
            return more_like_this(snap, article_id, limit)

    @staticmethod
    def mark(text: str, q: str) -> str:
        """``text`` escaped, with the words ``q`` looks for in ``<mark>`` (sanitised HTML)."""
        return snippets.highlight(text, snippets.marker_for(query.parse(q).node))

    def stats(self, top_sources: int = 20) -> IndexStats:
        """What the index holds, with its ``top_sources`` largest sources."""
        top_sources = whole_number("top_sources", top_sources, 0)
        with self._newest() as snap:
            return _top(snap.stats, top_sources)

    def report(self, top: int = 10) -> IndexReport:
        """The stats (with the ``top`` sources), the ``top`` actors, articles by period, the
        corpus, and what the reindexes could not read."""
        top = whole_number("top", top, 1)
        every = SearchRequest(q="", page_size=1, snippets=False, collapse=False, facet_size=top)
        with self._newest() as snap:  # one snapshot for all of it
            meta, stats, facets = snap.meta, _top(snap.stats, top), run_search(snap, every).facets
        return IndexReport(
            stats=stats,
            top_actors=tuple((v.label, v.count) for v in facets["actor"].values),
            periods=tuple((v.value, v.count) for v in facets["date"].values if v.count),  # (all: not cut by size)
            corpus=tuple(meta.roots),
            learned_acronyms=len(meta.learned_aliases),
            problems=tuple(Problem(*row) for rows in meta.file_problems.values() for row in rows),
        )


def _top(stats: IndexStats, sources: int) -> IndexStats:
    return replace(stats, top_sources=stats.top_sources[:sources])


def _article_id(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidRequest("article_id", f"must be a string, not {type(value).__name__}")
    return value
