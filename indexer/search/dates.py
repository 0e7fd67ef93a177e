"""Date ranges and date-facet buckets (``2024``, ``2024-09``, ``2024-09-17``)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

UNDATED = "undated"
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()  # numpy's day 0
_UNIT = {"year": "Y", "month": "M", "day": "D"}
_BUCKET = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")  # as bucket_of names them


@dataclass(frozen=True)
class DateRange:
    """Inclusive range; either end may be open."""

    start: dt.date | None
    end: dt.date | None

    def __str__(self) -> str:
        bucket = _bucket_of(self) if self.start and self.end else ""
        if bucket and bucket_range(bucket) == self:
            return bucket
        return f"{self.start or ''}..{self.end or ''}"


def bucket_range(bucket: str) -> DateRange:
    """The days a bucket covers: ``2024-09`` -> 2024-09-01..2024-09-30.

    Raises ``ValueError`` with a readable reason for anything else.
    """
    m = _BUCKET.match(bucket.strip())
    if not m:
        raise ValueError(f"'{bucket}' is not a period (YYYY, YYYY-MM, YYYY-MM-DD or undated)")
    year = int(m.group(1))
    month, day = (int(g) if g else None for g in m.groups()[1:])
    try:
        if month is None:
            return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31))
        if day is None:
            first = dt.date(year, month, 1)  # (its error names a bad month as any other date's does)
            return DateRange(first, dt.date(year, month, calendar.monthrange(year, month)[1]))
        day_ = dt.date(year, month, day)
    except ValueError as err:
        raise ValueError(f"'{bucket}' is not a valid period ({err})") from None
    return DateRange(day_, day_)


def parse_date_range(text: str) -> DateRange:
    """``2024``, ``2024-09``, ``2024-09-01..2024-09-30``, ``..2023``, ``2024-01..``."""
    if ".." not in text:
        return bucket_range(text)
    left, _, right = text.partition("..")
    start = bucket_range(left).start if left.strip() else None
    end = bucket_range(right).end if right.strip() else None
    if start is None and end is None:
        raise ValueError("a date range needs at least one end")
    if start and end and start > end:
        raise ValueError(f"the range starts ({start}) after it ends ({end})")
    return DateRange(start, end)


def _bucket_of(r: DateRange) -> str:
    assert r.start and r.end
    if r.start == r.end:
        return r.start.isoformat()
    if r.start.day == 1 and r.start.month == r.end.month and r.start.year == r.end.year:
        return f"{r.start.year:04d}-{r.start.month:02d}"
    if (r.start.month, r.start.day, r.end.month, r.end.day) == (1, 1, 12, 31):
        return f"{r.start.year:04d}"
    return ""


def bucket_of(day: dt.date, interval: str) -> str:
    """The facet bucket of ``day`` at ``interval`` (year, month or day), always four-digit years."""
    if interval == "year":
        return f"{day.year:04d}"
    if interval == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def bucket_counts(ordinals: np.ndarray, interval: str) -> dict[str, int]:
    """How many of the days (proleptic ordinals, all > 0) fall in each bucket at ``interval``."""
    days = (ordinals.astype(np.int64) - EPOCH_ORDINAL).astype("datetime64[D]")
    buckets, counts = np.unique(days.astype(f"datetime64[{_UNIT[interval]}]"), return_counts=True)
    return dict(zip(np.datetime_as_string(buckets).tolist(), counts.tolist()))  # (years four digits)


def day_ordinals(published: Sequence[str]) -> np.ndarray:
    """Each ISO date's proleptic ordinal, 0 for none (or, should one be there, a bad one)."""
    try:
        days = np.array(published, "datetime64[D]")  # ("" is NaT)
    except ValueError:
        return np.fromiter(map(_ordinal, published), np.int32, len(published))
    return np.where(np.isnat(days), 0, days.astype(np.int64) + EPOCH_ORDINAL).astype(np.int32)


def _ordinal(value: str) -> int:
    if not value:
        return 0
    try:
        return dt.date.fromisoformat(value).toordinal()
    except ValueError:
        return 0
