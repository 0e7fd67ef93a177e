"""Jinja filters and globals: how dates, numbers, periods and links read on a page."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from flask import Flask, url_for

from indexer.search.results import readable_size
from web.params import SearchState

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) link, else None (no ``javascript:`` from a corpus)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def day(value: dt.date | None) -> str:
    if value is None:
        return "undated"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def period(bucket: str) -> str:
    """A date-facet bucket as a person reads it: ``2024-09`` -> ``Sep 2024``."""
    parts = bucket.split("-")
    if bucket == "undated" or not all(p.isdigit() for p in parts):
        return bucket
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 3:
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return bucket


def short_period(bucket: str) -> str:
    """A compact axis label: ``2024-09-17`` -> ``17 Sep``, ``2024-09`` -> ``Sep``."""
    parts = bucket.split("-")
    if bucket == "undated" or not all(p.isdigit() for p in parts):
        return bucket
    if len(parts) == 2:
        return _MONTHS[int(parts[1]) - 1]
    if len(parts) == 3:
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]}"
    return bucket


def number(value: int | float) -> str:
    return f"{value:,}"


def paragraphs(text: str) -> list[str]:
    """An article body's paragraphs (blank lines or single line breaks)."""
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


def timestamp(value: str | None) -> str:
    """An ISO timestamp from the index, readable (UTC)."""
    if not value:
        return "unknown"
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{day(when.date())}, {when:%H:%M} {when.tzname() or ''}".strip()


def search_url(state: SearchState | None = None, endpoint: str = "pages.search") -> str:
    """The URL of a search state (on the page, or the feed / CSV / API endpoints)."""
    base = url_for(endpoint)
    qs = state.query_string() if state else ""
    return f"{base}?{qs}" if qs else base


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        safe_url=safe_url,
        day=day,
        period=period,
        short_period=short_period,
        number=number,
        size=readable_size,
        paragraphs=paragraphs,
        timestamp=timestamp,
    )
    app.jinja_env.globals.update(search_url=search_url, SearchState=SearchState)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
