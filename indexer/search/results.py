"""What a search asks for and what it returns: the types shared by the CLI, the web app and embedders."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from indexer.article import Problem

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")
Match = Literal["all", "any"]
MATCHES: tuple[str, ...] = ("all", "any")
FACET_FIELDS: tuple[str, ...] = ("source", "actor", "date")


@dataclass(frozen=True)
class SearchRequest:
    """A search: query text plus drill-down filters.

    Values inside one facet filter combine with OR, different facets with AND.
    ``date_from``/``date_to`` are inclusive. ``dates`` holds selected date-facet
    buckets (``2024``, ``2024-09``, ``2024-09-17`` or ``undated``). ``match``:
    whether plain words must all occur (the default; when no article has them
    all, articles with any are shown, with a warning) or any of them may.
    """

    q: str = ""
    sources: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: Sort = "relevance"
    match: Match = "all"
    page: int = 1
    page_size: int = 10
    collapse: bool = True
    facet_size: int = 10
    snippets: bool = True


@dataclass(frozen=True)
class Hit:
    id: str
    title: str  # plain text
    title_html: str  # escaped, query words in <mark>
    source: str | None
    source_name: str | None
    published: dt.date | None
    actors: tuple[str, ...]
    url: str | None
    score: float
    snippet: str  # sanitised HTML: only <mark> survives
    authors: tuple[str, ...] = ()
    story: str | None = None
    other_outlets: tuple["Hit", ...] = ()  # when results are collapsed: the story's best other copies
    other_outlet_count: int = 0  # all its other copies that match (the article page lists them)


@dataclass(frozen=True)
class FacetValue:
    value: str  # what a filter takes (source key, canonical actor, date bucket)
    label: str  # what a person reads
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    field: str
    values: tuple[FacetValue, ...]
    other: int = 0  # how many further values exist beyond those listed
    interval: str | None = None  # for the date facet: year, month or day


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    hits: tuple[Hit, ...]
    total: int  # matching articles (stories when collapsed)
    total_articles: int  # matching articles before collapsing
    facets: dict[str, Facet]
    took_ms: float
    parsed: str  # how the query was read, in query syntax
    warnings: tuple[str, ...] = ()  # leniency notes: "unbalanced quote closed", ...
    suggestion: str | None = None  # did-you-mean query

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.page_size))

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class ArticleRecord:
    """One indexed article as the index holds it (for article pages and APIs)."""

    id: str
    title: str
    body: str
    source: str | None
    source_name: str | None
    url: str | None
    published: dt.date | None
    authors: tuple[str, ...]
    actors: tuple[str, ...]
    origin: str
    story: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class IndexStats:
    articles: int
    sources: int
    stories: int
    first_date: dt.date | None
    last_date: dt.date | None
    undated: int
    size_bytes: int
    generation: str
    built_at: str
    schema_version: int
    top_sources: tuple[tuple[str, int], ...] = field(default=())
    unread_files: int = 0  # corpus files the reindexes could not read whole (Index.report lists why)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class IndexReport:
    """What the index holds and how its corpus was read (``manage.py report``)."""

    stats: IndexStats  # its top_sources as many as top_actors
    top_actors: tuple[tuple[str, int], ...]  # (actor, articles), most first
    periods: tuple[tuple[str, int], ...]  # ("2024-09", articles): the date facet's years,
    # months or days (by the span of the dates), oldest first, "undated" last; none empty
    corpus: tuple[str, ...]  # the folders and files the last reindex read
    learned_acronyms: int  # acronym definitions learned from the corpus
    problems: tuple[Problem, ...]  # what the reindexes could not read, file by file

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
