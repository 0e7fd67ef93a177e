"""URL parameters -> :class:`SearchRequest`, shared by the page, the API, the feed and the CSV.

Parameters: ``q``, ``source`` (repeatable), ``actor`` (repeatable), ``date``
(repeatable bucket: ``2024``, ``2024-09``, ``2024-09-17``, ``undated``),
``from``/``to`` (YYYY-MM-DD), ``sort``, ``match`` (all, any), ``page``, ``size``,
``all=1`` (do not collapse copies of a story). An article's page and JSON also take
``q`` (the words to mark), ``limit`` (more like this), ``copies_page`` (page) and
``copies_limit``/``copies_offset`` (JSON): which of its story's copies to list.
A bad value raises :class:`BadParam` naming the URL parameter (a 400).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer.search.results import MATCHES, SORTS, SearchRequest

MAX_QUERY_CHARS = 1000
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 200
DEFAULT_PAGE_SIZE = 10
EXPANDABLE = ("source", "actor")
_BUCKET = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
# the engine's names for parameters -> the URL's
ENGINE_NAMES = {"page_size": "size", "date_from": "from", "date_to": "to"}


class BadParam(ValueError):
    """A URL parameter out of range; ``param`` is its name in the URL."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class SearchState:
    """What a search URL says, validated; builds the URLs of neighbouring states."""

    q: str = ""
    sources: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    match: str = "all"
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE
    all: bool = False
    expand: str | None = None  # a facet shown with every value (page only)

    # -- to the engine -----------------------------------------------------------

    def request(self, **overrides: Any) -> SearchRequest:
        req = SearchRequest(
            q=self.q,
            sources=self.sources,
            actors=self.actors,
            dates=self.dates,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=self.sort,  # type: ignore[arg-type]
            match=self.match,  # type: ignore[arg-type]
            page=self.page,
            page_size=self.size,
            collapse=not self.all,
        )
        return replace(req, **overrides)

    @property
    def filtered(self) -> bool:
        return bool(self.sources or self.actors or self.dates or self.date_from or self.date_to)

    @property
    def blank(self) -> bool:
        """Nothing asked for yet: the home page."""
        return not self.q.strip() and not self.filtered

    # -- back to URLs ----------------------------------------------------------

    def pairs(self) -> list[tuple[str, str]]:
        """The URL parameters, defaults left out, in a stable order."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        out += [("source", v) for v in self.sources]
        out += [("actor", v) for v in self.actors]
        out += [("date", v) for v in self.dates]
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.match != "all":
            out.append(("match", self.match))
        if self.size != DEFAULT_PAGE_SIZE:
            out.append(("size", str(self.size)))
        if self.all:
            out.append(("all", "1"))
        if self.expand:
            out.append(("expand", self.expand))
        if self.page != 1:
            out.append(("page", str(self.page)))
        return out

    def query_string(self) -> str:
        return urlencode(self.pairs())

    def with_(self, **changes: Any) -> SearchState:
        """A neighbouring state; any change but paging goes back to page 1."""
        if "page" not in changes:
            changes["page"] = 1
        return replace(self, **changes)

    def toggle(self, field: str, value: str) -> SearchState:
        """Add ``value`` to a repeatable filter, or take it out if it is there."""
        attr = _REPEATABLE[field]
        values: tuple[str, ...] = getattr(self, attr)
        new = tuple(v for v in values if v != value) if value in values else values + (value,)
        return self.with_(**{attr: new})

    def without(self, field: str, value: str | None = None) -> SearchState:
        """The state with one filter value (or a whole single filter) removed."""
        if field in _REPEATABLE:
            attr = _REPEATABLE[field]
            return self.with_(**{attr: tuple(v for v in getattr(self, attr) if v != value)})
        return self.with_(**{_SINGLE[field]: None})


_REPEATABLE = {"source": "sources", "actor": "actors", "date": "dates"}
_SINGLE = {"from": "date_from", "to": "date_to"}


def parse(args: Mapping[str, str] | MultiDict[str, str]) -> SearchState:
    """Validate request args into a :class:`SearchState`; raise :class:`BadParam`."""
    args = args if isinstance(args, MultiDict) else MultiDict(args)
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParam("q", f"is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
    if "\x00" in q:
        raise BadParam("q", "contains a NUL character")
    state = SearchState(
        q=q.strip(),
        sources=_values(args, "source"),
        actors=_values(args, "actor"),
        dates=tuple(_bucket(v) for v in _values(args, "date")),
        date_from=_day(args, "from"),
        date_to=_day(args, "to"),
        sort=_choice(args, "sort", SORTS, "relevance"),
        match=_choice(args, "match", MATCHES, "all"),
        page=_int(args, "page", 1, 1, MAX_PAGE),
        size=_int(args, "size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
        all=_flag(args, "all"),
        expand=_choice(args, "expand", EXPANDABLE, None),
    )
    if state.date_from and state.date_to and state.date_from > state.date_to:
        raise BadParam("from", f"{state.date_from} is after to ({state.date_to})")
    return state


def article_query(args: Mapping[str, str]) -> str:
    """The ``q`` an article page marks (arriving from a search), validated."""
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParam("q", f"is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
    return q.replace("\x00", "").strip()


def limit(args: Mapping[str, str], default: int, most: int) -> int:
    """A ``limit`` parameter (CSV export rows, more-like-this hits)."""
    return _int(_multi(args), "limit", default, 1, most)


def copies_page(args: Mapping[str, str]) -> int:
    """The page of a story's other copies that an article page lists (``copies_page``)."""
    return _int(_multi(args), "copies_page", 1, 1, MAX_PAGE)


def copies_window(args: Mapping[str, str], default: int, most: int) -> tuple[int, int]:
    """The story copies an article's JSON lists: ``copies_limit`` from ``copies_offset`` on."""
    multi = _multi(args)
    return _int(multi, "copies_limit", default, 1, most), _int(multi, "copies_offset", 0, 0, 10**9 - 1)


def _multi(args: Mapping[str, str]) -> MultiDict[str, str]:
    return args if isinstance(args, MultiDict) else MultiDict(args)


def _values(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(values) > MAX_FILTER_VALUES:
        raise BadParam(name, f"is given {len(values)} times; the limit is {MAX_FILTER_VALUES}")
    for v in values:
        if len(v) > MAX_VALUE_CHARS or "\x00" in v:
            raise BadParam(name, f"a value is longer than {MAX_VALUE_CHARS} characters")
    return tuple(dict.fromkeys(values))


def _bucket(value: str) -> str:
    if value == "undated":
        return value
    if not _BUCKET.match(value):
        raise BadParam("date", f"'{value}' is not a period (YYYY, YYYY-MM, YYYY-MM-DD or undated)")
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as err:
        raise BadParam("date", f"'{value}' is not a valid period ({err})") from None
    return value


def _day(args: MultiDict[str, str], name: str) -> dt.date | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise BadParam(name, f"'{value}' is not an ISO date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        raise BadParam(name, f"'{value}' is not a valid date ({err})") from None


def _int(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    value = args.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise BadParam(name, f"'{value[:20]}' is not a whole number from {low} to {high}")
    number = int(value)
    if not low <= number <= high:
        raise BadParam(name, f"must be from {low} to {high} (got {number})")
    return number


def _choice(args: MultiDict[str, str], name: str, allowed: tuple[str, ...], default: Any) -> Any:
    value = args.get(name, "").strip()
    if not value:
        return default
    if value not in allowed:
        raise BadParam(name, f"must be one of {', '.join(allowed)}")
    return value


def _flag(args: MultiDict[str, str], name: str) -> bool:
    value = args.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadParam(name, "must be 1 or 0")
