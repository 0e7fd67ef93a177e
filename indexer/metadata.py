"""Article metadata from raw strings: outlet names, hosts, dates and titles.

Every function here is total: bad input gives ``None``, never an exception,
and nothing is guessed (a month without a day is not a date).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import urlsplit

import punkt
from dateutil import parser as _dateparser

TITLE_MAX_CHARS = 90
TITLE_WINDOW_CHARS = 1000  # the first sentence is looked for in this much text
MIN_YEAR = 1800  # older "dates" in news metadata are typos or placeholders
MAX_SOURCE_CHARS = 100

_HOST_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_NON_WORD_RE = re.compile(r"[\W_]+")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\d])")

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# A full date written out: "September 17, 2024", "17 September 2024", "2024-09-17".
_TEXT_DATE_RE = re.compile(
    rf"\b(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})(?![\d-])",
    re.IGNORECASE,
)
# Two defaults that differ in every field: a field that changes with the default was missing.
_DEFAULT_A = dt.datetime(2000, 1, 1)
_DEFAULT_B = dt.datetime(2001, 2, 2)


def _strip_www(host: str) -> str:
    return host[4:] if host.lower().startswith("www.") else host


def source_from_url(url: str) -> tuple[str, str] | None:
    """``https://www.bbc.co.uk/news/x`` → ``("bbc.co.uk", "bbc.co.uk")``; None if no host."""
    url = url.strip()
    if not url:
        return None
    if not _SCHEME_RE.match(url):
        url = "//" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or not _HOST_RE.fullmatch(host):
        return None
    host = _strip_www(host.lower())
    return host, host


def normalise_source(raw: str) -> tuple[str, str] | None:
    """An outlet as written → ``(key, display)``.

    Hosts are keyed lowercase without ``www.`` and shown as written, minus
    ``www.`` (``Gambiaj.com`` → ``("gambiaj.com", "Gambiaj.com")``); names get
    a slug key (``BBC News`` → ``("bbc-news", "BBC News")``).
    """
    display = " ".join(raw.split())
    if not display or len(display) > MAX_SOURCE_CHARS:
        return None
    if _SCHEME_RE.match(display):
        return source_from_url(display)
    host = display.split("/", 1)[0]
    if " " not in display and _HOST_RE.fullmatch(host):
        host = _strip_www(host)
        return host.lower(), host
    key = _slug(display)
    return (key, display) if key else None


def _slug(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD_RE.sub("-", plain.casefold()).strip("-")


def _plausible(day: dt.date) -> dt.date | None:
    return day if MIN_YEAR <= day.year <= dt.date.today().year + 1 else None


def parse_date(value: str) -> dt.date | None:
    """A date string (ISO 8601, RFC 2822, "17 September 2024", ...) → date, or None.

    Incomplete dates ("March 2016", "2024") and implausible years give None.
    """
    value = value.strip()
    if not value or len(value) > 64:
        return None
    iso = _ISO_DATE_RE.match(value)
    if iso:
        try:
            return _plausible(dt.date(*map(int, iso.groups())))
        except ValueError:
            return None
    try:
        first = _dateparser.parse(value, default=_DEFAULT_A)
        second = _dateparser.parse(value, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError):
        return None
    if first.date() != second.date():
        return None  # day, month or year was not in the string
    return _plausible(first.date())


def first_date_in_text(text: str) -> dt.date | None:
    """The first full date written in ``text`` ("On September 17, 2024" → 2024-09-17)."""
    for match in _TEXT_DATE_RE.finditer(text):
        day = parse_date(match.group())
        if day:
            return day
    return None


def derive_title(text: str) -> str:
    """A title for text that has none: its first sentence, cut at a word boundary with "…"."""
    head = " ".join(text[:TITLE_WINDOW_CHARS].split())
    if not head:
        return ""
    first = punkt.sent_tokenize(head)[0]
    if len(first) <= TITLE_MAX_CHARS:
        return first
    cut = first[: TITLE_MAX_CHARS + 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut[:TITLE_MAX_CHARS].rstrip(" ,;:–—-(") + "…"
