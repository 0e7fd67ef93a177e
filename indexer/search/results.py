"""What a search returns: the types shared by the CLI, the web app and embedders (what it
asks for is :mod:`indexer.search.request`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

from indexer.article import Problem
from indexer.search.request import SearchRequest


class JSONable:
    """A result type that turns into JSON values: the one conversion the JSON API, the
    CLI's ``--json`` and embedders all use."""

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class Hit(JSONable):
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
    other_outlets: tuple[Hit, ...] = ()  # when results are collapsed: the story's best other copies
    other_outlet_count: int = 0  # all its other copies that match (the article page lists them)


@dataclass(frozen=True)
class FacetValue(JSONable):
    value: str  # what a filter takes (source key, canonical actor, date bucket)
    label: str  # what a person reads
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet(JSONable):
    field: str
    values: tuple[FacetValue, ...]
    other: int = 0  # how many further values exist beyond those listed
    interval: str | None = None  # for the date facet: year, month or day


@dataclass(frozen=True)
class SearchResult(JSONable):
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
        """The fields, and ``pages`` (the JSON API's and the CLI's answer alike)."""
        return {**jsonable(self), "pages": self.pages}


@dataclass(frozen=True)
class ArticleRecord(JSONable):
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


@dataclass(frozen=True)
class IndexStats(JSONable):
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


@dataclass(frozen=True)
class IndexReport(JSONable):
    """What the index holds and how its corpus was read (``manage.py report``)."""

    stats: IndexStats  # its top_sources as many as top_actors
    top_actors: tuple[tuple[str, int], ...]  # (actor, articles), most first
    periods: tuple[tuple[str, int], ...]  # ("2024-09", articles): the date facet's years,
    # months or days (by the span of the dates), oldest first, "undated" last; none empty
    corpus: tuple[str, ...]  # the folders and files the last reindex read
    learned_acronyms: int  # acronym definitions learned from the corpus
    problems: tuple[Problem, ...]  # what the reindexes could not read, file by file


def jsonable(value: Any) -> Any:
    """Dataclasses (the result types), dicts, lists, tuples and dates as JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def readable_size(value: int) -> str:
    """Bytes as a person reads them: ``47.1 kB``, ``39.3 MB``."""
    amount = float(value)
    for unit in ("bytes", "kB", "MB"):
        if amount < 1000:
            return f"{amount:.0f} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1000
    return f"{amount:.1f} GB"
