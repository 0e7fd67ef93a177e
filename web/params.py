"""URL parameters <-> :class:`SearchRequest`, for the pages, the API, the feed and the CSV.

Parameters: ``q``, ``source`` (repeatable), ``actor`` (repeatable), ``date``
(repeatable bucket: ``2024``, ``2024-09``, ``2024-09-17``, ``undated``),
``from``/``to`` (YYYY-MM-DD), ``sort``, ``match`` (all, any), ``page``, ``size``,
``all=1`` (do not collapse copies of a story). An article's page and JSON also take
``q`` (the words to mark), ``limit`` (more like this), ``copies_page`` (page) and
``copies_limit``/``copies_offset`` (JSON): which of its story's copies to list.

The limits and checks are the request contract's (:mod:`indexer.search.request`); this
module only renames: :data:`URL_FIELDS` is the one table of URL names, read to parse a
URL, to build one, and to name a bad parameter in a 400 (:func:`url_name`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer.search.request import (
    FACETS,
    MAX_PAGE,
    SearchRequest,
    choice,
    flag,
    make_request,
    query_text,
    whole_number,
)

# URL parameter -> SearchRequest field, in the order a URL lists them (but the page comes
# last, after ``expand``: the URLs of neighbouring pages differ at their end). ``all`` is
# the one inverted: all=1 means collapse=False.
URL_FIELDS: dict[str, str] = {
    "q": "q",
    **{f.name: f.filter for f in FACETS.values()},  # source, actor, date: repeatable
    "from": "date_from",
    "to": "date_to",
    "sort": "sort",
    "match": "match",
    "size": "page_size",
    "all": "collapse",
    "page": "page",
}
_URL_NAMES = {name: url for url, name in URL_FIELDS.items()}
_REPEATABLE = {f.filter for f in FACETS.values()}
_DEFAULT = SearchRequest()
SIDEBAR = tuple(f for f in FACETS.values() if f.listed)  # listed by count; a page can show every value (date: a histogram)
_EXPANDABLE = choice(tuple(f.name for f in SIDEBAR))


def url_name(param: str) -> str:
    """A request field's name in a URL (``page_size`` -> ``size``); any other name as it is."""
    return _URL_NAMES.get(param, param)


_REQUEST_FIELDS = frozenset(f.name for f in fields(SearchRequest))


@dataclass(frozen=True)
class SearchState:
    """A search page's state: the checked request, plus what only a page shows (a facet
    expanded to every value). Builds the URLs of neighbouring states."""

    request: SearchRequest = field(default_factory=SearchRequest)
    expand: str | None = None

    @classmethod
    def of(cls, **fields: Any) -> SearchState:
        """A state for a link (``SearchState.of(actors=(name,))``), by request field names.
        Not checked: the URL it makes is, when followed."""
        return cls(SearchRequest(**fields))

    # -- what templates and views read -----------------------------------------------

    def __getattr__(self, name: str) -> Any:
        """The request's fields, read as the state's (``state.q``, ``state.page_size``):
        a state is its request, plus ``expand``."""
        if name not in _REQUEST_FIELDS:  # (a typo in a template fails, not renders empty)
            raise AttributeError(f"SearchState has no {name!r}")
        return getattr(self.request, name)

    @property
    def filtered(self) -> bool:
        r = self.request
        return bool(r.sources or r.actors or r.dates or r.date_from or r.date_to)

    @property
    def blank(self) -> bool:
        """Nothing asked for yet: the home page."""
        return not self.q.strip() and not self.filtered

    # -- back to URLs ----------------------------------------------------------

    def pairs(self) -> list[tuple[str, str]]:
        """The URL parameters, defaults left out, in a stable order."""
        out: list[tuple[str, str]] = []
        for url, name in URL_FIELDS.items():
            value = getattr(self.request, name)
            if name == "page" or value == getattr(_DEFAULT, name):
                continue  # (the page comes last)
            if name in _REPEATABLE:
                out += [(url, v) for v in value]
            elif name == "collapse":
                out.append((url, "1"))  # collapsing is the default: all=1 asks for every copy
            else:
                out.append((url, value.isoformat() if isinstance(value, dt.date) else str(value)))
        if self.expand:
            out.append(("expand", self.expand))
        if self.page != _DEFAULT.page:
            out.append(("page", str(self.page)))
        return out

    def query_string(self) -> str:
        return urlencode(self.pairs())

    def with_(self, **changes: Any) -> SearchState:
        """A neighbouring state, by request field names (and ``expand``); any change but
        paging goes back to page 1."""
        changes.setdefault("page", 1)
        expand = changes.pop("expand", self.expand)
        return SearchState(replace(self.request, **changes), expand)

    def only(self, *names: str) -> SearchState:
        """This state with only these request fields kept (the others at their defaults)."""
        return SearchState.of(**{name: getattr(self.request, name) for name in names})

    def toggle(self, facet: str, value: str) -> SearchState:
        """Add ``value`` to a facet's filter (``source``, ``actor``, ``date``), or take it
        out if it is there."""
        name = FACETS[facet].filter
        values: tuple[str, ...] = getattr(self.request, name)
        new = tuple(v for v in values if v != value) if value in values else (*values, value)
        return self.with_(**{name: new})

    def without(self, param: str, value: str | None = None) -> SearchState:
        """The state with one filter value (or a whole single filter: ``from``, ``to``) removed."""
        name = URL_FIELDS[param]
        if name in _REPEATABLE:
            return self.with_(**{name: tuple(v for v in getattr(self.request, name) if v != value)})
        return self.with_(**{name: getattr(_DEFAULT, name)})


def parse(args: Mapping[str, str] | MultiDict[str, str]) -> SearchState:
    """A search URL's parameters as a checked :class:`SearchState`; raises
    :class:`InvalidRequest` naming the field (:func:`url_name` gives its URL name)."""
    args = _multi(args)
    values: dict[str, Any] = {}  # (checked and converted by make_request)
    for url, name in URL_FIELDS.items():
        if name in _REPEATABLE:
            values[name] = tuple(args.getlist(url))
        elif name == "collapse":
            if args.get(url, "").strip():
                values[name] = not flag(name, args[url])
        elif url in args:
            values[name] = args[url]
    request = make_request(values.pop("q", ""), **values)
    expand = args.get("expand", "").strip()
    return SearchState(request, _EXPANDABLE("expand", expand) if expand else None)


def article_query(args: Mapping[str, str]) -> str:
    """The ``q`` an article page marks (arriving from a search), checked."""
    return query_text(args.get("q", ""), drop_nul=True)


def limit(args: Mapping[str, str], default: int, most: int) -> int:
    """A ``limit`` parameter (CSV export rows, more-like-this hits)."""
    return _number(args, "limit", default, 1, most)


def copies_page(args: Mapping[str, str]) -> int:
    """The page of a story's other copies that an article page lists (``copies_page``)."""
    return _number(args, "copies_page", 1, 1, MAX_PAGE)


def copies_window(args: Mapping[str, str], default: int, most: int) -> tuple[int, int]:
    """The story copies an article's JSON lists: ``copies_limit`` from ``copies_offset`` on."""
    return _number(args, "copies_limit", default, 1, most), _number(args, "copies_offset", 0, 0, 10**9 - 1)


def _number(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _multi(args).get(name, "")
    return whole_number(name, value, low, high) if value.strip() else default


def _multi(args: Mapping[str, str] | MultiDict[str, str]) -> MultiDict[str, str]:
    return args if isinstance(args, MultiDict) else MultiDict(args)

