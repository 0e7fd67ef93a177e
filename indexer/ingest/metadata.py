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
# Only this much text is split into sentences: a first sentence longer than the
# title is cut anyway, and punkt is the slowest step of reading an article.
TITLE_WINDOW_CHARS = 2 * TITLE_MAX_CHARS
MIN_YEAR = 1800  # older "dates" in news metadata are typos or placeholders
MAX_SOURCE_CHARS = 100

_HOST_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_NON_WORD_RE = re.compile(r"[\W_]+")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\d])")

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])"
# Every full date in prose holds a four-digit year: find those, then look around them.
_YEAR_RE = re.compile(r"[12]\d{3}")  # boundaries checked in code: lookarounds make it 5x slower
_NOT_BEFORE_YEAR = frozenset("0123456789-")
_ISO_FROM_YEAR_RE = re.compile(r"-(\d{2})-(\d{2})(?![\d-])")
_BEFORE_YEAR_CHARS = 40
# What precedes the year: "September 17, " or "17 September " / "17th of September ".
_DAY_MONTH_BEFORE_RE = re.compile(
    rf"(?:\b(?P<m1>{_MONTH})\.?\s+(?P<d1>{_DAY})(?:st|nd|rd|th)?,?"
    rf"|\b(?P<d2>{_DAY})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?)\s+$",
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
    """The first full date written in ``text`` ("On September 17, 2024" → 2024-09-17).

    Reads "September 17, 2024", "17 September 2024" and "2024-09-17"; bare
    years and months ("March 2016") are not dates.
    """
    for match in _YEAR_RE.finditer(text):
        start, end = match.span()
        if text[start - 1 : start] in _NOT_BEFORE_YEAR or text[end : end + 1].isdigit():
            continue
        iso = _ISO_FROM_YEAR_RE.match(text, end)
        if iso:
            parts = (int(iso.group(1)), int(iso.group(2)))
        else:
            written = _DAY_MONTH_BEFORE_RE.search(text, max(0, start - _BEFORE_YEAR_CHARS), start)
            if not written:
                continue
            month = written.group("m1") or written.group("m2")
            parts = (_MONTHS[month[:3].lower()], int(written.group("d1") or written.group("d2")))
        try:
            day = _plausible(dt.date(int(match.group()), *parts))
        except ValueError:
            continue
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
