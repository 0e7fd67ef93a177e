"""The request contract: what a search may ask for, within which limits, and how loose
input becomes a :class:`SearchRequest`.

Every front end goes through :func:`make_request`: the Python API (:meth:`Index.search`),
the web app (URL parameters, renamed by :mod:`web.params`) and the CLI (its options). So
each limit is stated once, here, and a bad value is refused alike everywhere: with an
:class:`InvalidRequest` naming the parameter, which each front end spells its own way
(``size`` in a URL, ``--size`` on the command line, ``page_size`` in Python).
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Literal

from indexer.search.dates import UNDATED, bucket_range

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")
Match = Literal["all", "any"]
MATCHES: tuple[str, ...] = ("all", "any")

# Limits. Each bounds the work one request can cause, with room to spare for a person.
MAX_QUERY_CHARS = 1000  # nobody types more; the parser's work grows with the text
MAX_PAGE = 10_000  # deeper pages are crawlers walking the result list
MAX_PAGE_SIZE = 100  # each hit costs a stored article read and a snippet
DEFAULT_PAGE_SIZE = 10
MAX_FACET_SIZE = 1000  # a sidebar's top values; Index.facet lists every value
DEFAULT_FACET_SIZE = 10
MORE_LIKE_THIS = 5  # similar articles listed beside one, unless asked for more
MAX_FILTER_VALUES = 50  # values of one filter: each is a mask over the columns
MAX_VALUE_CHARS = 200  # longer than any source key, actor name or period
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class FacetField:
    """One facet: counted for every search, filtered by a request field."""

    name: str  # Facet.field, its key in SearchResult.facets, /api/facets/<name>, the URL filter
    filter: str  # the SearchRequest field holding the values selected
    title: str  # its heading where a person reads it
    listed: bool  # values listed most frequent first, all on request; else periods in order


# The facets, named once: counting (indexer.search.facets), Index.facet, the web's filters,
# sidebar and /api/facets/<field> all read this.
FACETS: dict[str, FacetField] = {
    f.name: f
    for f in (
        FacetField("source", "sources", "Sources", listed=True),
        FacetField("actor", "actors", "People & organisations", listed=True),
        FacetField("date", "dates", "Dates", listed=False),
    )
}


class InvalidRequest(ValueError):
    """A search parameter out of range or of the wrong kind; ``param`` names it (as the
    Python API spells it: front ends rename it to their own spelling)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class SearchRequest:
    """A search: query text plus drill-down filters.

    Values inside one facet filter combine with OR, different facets with AND.
    ``date_from``/``date_to`` are inclusive. ``dates`` holds selected date-facet
    buckets (``2024``, ``2024-09``, ``2024-09-17`` or ``undated``). ``match``:
    whether plain words must all occur (the default; when no article has them
    all, articles with any are shown, with a warning) or any of them may.

    Built as it is, a request is not checked (benchmarks run deeper pages than the
    public limits allow); :func:`make_request` checks one, and :class:`Index` does.
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
    page_size: int = DEFAULT_PAGE_SIZE
    collapse: bool = True
    facet_size: int = DEFAULT_FACET_SIZE
    snippets: bool = True


def make_request(
    q: str | SearchRequest = "", *, cut_long_query: bool = False, **values: object
) -> SearchRequest:
    """A checked :class:`SearchRequest` from loose values, named as its fields.

    Conversions (anything else raises :class:`InvalidRequest` naming the field):

    - ``q``: a string of at most :data:`MAX_QUERY_CHARS` characters, no NUL; stripped.
      With ``cut_long_query`` a longer one is let through, for the parser to read its
      first :data:`MAX_QUERY_CHARS` characters with a warning: the Python API is lenient
      about query text, as the parser is about its syntax; the web app and the CLI refuse
      it, so that a person sees why.
    - ``sources``, ``actors``, ``dates``: a list, tuple or other collection of strings,
      never a bare string (its letters would be read as values). Each value is
      stripped, blanks dropped, repeats dropped; at most :data:`MAX_FILTER_VALUES`
      values of at most :data:`MAX_VALUE_CHARS` characters. A period in ``dates`` is
      ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``undated``.
    - ``date_from``, ``date_to``: a date, a datetime (its day) or a ``YYYY-MM-DD``
      string; ``date_from`` not after ``date_to``.
    - ``sort``: one of :data:`SORTS`; ``match``: one of :data:`MATCHES`.
    - ``page`` (1 to :data:`MAX_PAGE`), ``page_size`` (1 to :data:`MAX_PAGE_SIZE`),
      ``facet_size`` (1 to :data:`MAX_FACET_SIZE`): a whole number, or its decimal
      digits as a string (as a URL or a command line gives it); never a bool or float.
    - ``collapse``, ``snippets``: a bool, 0 or 1, or ``1/0``, ``true/false``,
      ``yes/no``, ``on/off`` as a string.
    - Any value but ``q`` given as an empty string means "not given" (an empty form
      field): the default.

    ``q`` may be a whole :class:`SearchRequest` instead: it is checked the same way, and
    no other value may then differ from its default (it would be ignored otherwise).
    """
    for name in values:
        if name not in _CONVERT:
            raise InvalidRequest(name, f"is not a search parameter ({', '.join(_DEFAULTS)})")
    if isinstance(q, SearchRequest):
        for name, value in values.items():  # (a default, as Index.search passes them all, costs no conversion)
            if value != _DEFAULTS[name] and _convert(name, value) != _DEFAULTS[name]:
                raise InvalidRequest(
                    name, "is given both in the SearchRequest and as a keyword: change the request instead"
                )
        values = {name: getattr(q, name) for name in _CONVERT}
        q = q.q
    converted: dict[str, object] = {"q": query_text(q, cut=cut_long_query)}  # first, as errors are looked for
    converted |= {name: _convert(name, values[name]) for name in _CONVERT if name in values}
    request = SearchRequest(**converted)  # type: ignore[arg-type]
    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise InvalidRequest("date_from", f"{request.date_from} is after the end of the range ({request.date_to})")
    return request


# -- conversions, one per kind of value: each names the parameter it refuses -------------


def query_text(value: object, *, cut: bool = False, drop_nul: bool = False) -> str:
    """A query, stripped. ``cut``: let a longer one through (the parser cuts it, with a
    warning). ``drop_nul``: take NULs out rather than refuse them (an article page marks
    the words it is given; a NUL there can only be noise)."""
    if not isinstance(value, str):
        raise InvalidRequest("q", f"must be a string, not {type(value).__name__}")
    if len(value) > MAX_QUERY_CHARS and not cut:
        raise InvalidRequest("q", f"is {len(value)} characters long; the limit is {MAX_QUERY_CHARS}")
    if "\x00" in value:
        if not drop_nul:
            raise InvalidRequest("q", "contains a NUL character")
        value = value.replace("\x00", "")
    return value.strip()


def text_values(param: str, value: object) -> tuple[str, ...]:
    """A filter's values: stripped, blanks and repeats dropped, within the limits."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        one = f" ({param}=[{value!r}] for one value)" if isinstance(value, str) else ""
        raise InvalidRequest(param, f"must be a list of strings, not {type(value).__name__}{one}")
    values: list[str] = []
    for v in value:
        if not isinstance(v, str):
            raise InvalidRequest(param, f"must be a list of strings; it holds {type(v).__name__} {v!r:.40}")
        if v.strip():
            values.append(v.strip())
    if len(values) > MAX_FILTER_VALUES:
        raise InvalidRequest(param, f"has {len(values)} values; the limit is {MAX_FILTER_VALUES}")
    for v in values:
        if len(v) > MAX_VALUE_CHARS:
            raise InvalidRequest(param, f"a value is longer than {MAX_VALUE_CHARS} characters")
        if "\x00" in v:
            raise InvalidRequest(param, "a value contains a NUL character")
    return tuple(dict.fromkeys(values))


def periods(param: str, value: object) -> tuple[str, ...]:
    """Date-facet buckets: ``2024``, ``2024-09``, ``2024-09-17`` or ``undated``."""
    buckets = text_values(param, value)
    for bucket in buckets:
        if bucket != UNDATED:
            try:
                bucket_range(bucket)
            except ValueError as err:  # (it says which and why)
                raise InvalidRequest(param, str(err)) from None
    return buckets


def day(param: str, value: object) -> dt.date | None:
    """A day: a date, a datetime (its day) or ``YYYY-MM-DD``; None for none."""
    if value is None or type(value) is dt.date:
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):  # a subclass (pendulum's, say): the plain day
        return dt.date(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise InvalidRequest(param, f"must be a date or a YYYY-MM-DD string, not {type(value).__name__}")
    text = value.strip()
    if not _ISO_DAY.fullmatch(text):
        raise InvalidRequest(param, f"'{text[:40]}' is not an ISO date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise InvalidRequest(param, f"'{text}' is not a date ({err})") from None


def whole_number(param: str, value: object, low: int, high: int | None = None) -> int:
    """A whole number from ``low`` to ``high`` (no bound: None): an int, or its decimal
    digits as a string (from a URL or a command line)."""
    span = f"from {low} to {high}" if high is not None else f"≥ {low}"
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            raise InvalidRequest(param, f"'{text[:20]}' is not a whole number {span}")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidRequest(param, f"must be a whole number {span}, not {type(value).__name__}")
    number = int(value)
    if number < low or (high is not None and number > high):
        raise InvalidRequest(param, f"must be a whole number {span} (got {number})")
    return number


def flag(param: str, value: object) -> bool:
    """Yes or no: a bool, 0 or 1, or a word for one."""
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InvalidRequest(param, "must be 1 or 0 (or true/false, yes/no, on/off)")


def choice(allowed: tuple[str, ...]) -> Callable[[str, object], str]:
    """A conversion to one of ``allowed``."""

    def convert(param: str, value: object) -> str:
        text = value.strip() if isinstance(value, str) else None
        if text is None or text not in allowed:
            raise InvalidRequest(param, f"must be one of {', '.join(allowed)} (got {str(value)[:40]!r})")
        return text

    return convert


_CONVERT: dict[str, Callable[[str, object], object]] = {  # q's, then these, in the order errors are looked for
    "sources": text_values,
    "actors": text_values,
    "dates": periods,
    "date_from": day,
    "date_to": day,
    "sort": choice(SORTS),
    "match": choice(MATCHES),
    "page": lambda param, value: whole_number(param, value, 1, MAX_PAGE),
    "page_size": lambda param, value: whole_number(param, value, 1, MAX_PAGE_SIZE),
    "collapse": flag,
    "facet_size": lambda param, value: whole_number(param, value, 1, MAX_FACET_SIZE),
    "snippets": flag,
}
_DEFAULTS: dict[str, object] = {f.name: f.default for f in fields(SearchRequest)}
assert {"q", *_CONVERT} == set(_DEFAULTS), "every SearchRequest field has its conversion"


def _convert(name: str, value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return _DEFAULTS[name]
    return _CONVERT[name](name, value)
