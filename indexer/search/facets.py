"""Drill-down filters and disjunctive facet counts over the in-memory columns.

Values within one facet combine with OR, facets with AND, and each facet is
counted with every active filter except its own, so a person can widen a
selection without losing the other options (Elasticsearch's post_filter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from indexer.actors import actor_key
from indexer.search.dates import UNDATED, bucket_counts, bucket_of, bucket_range
from indexer.search.request import FACETS, SearchRequest
from indexer.search.results import Facet, FacetValue
from indexer.search.snapshot import Snapshot

MAX_DATE_BUCKETS = 120


@dataclass
class FacetFilters:
    range_mask: np.ndarray | None = None  # date_from..date_to, applies to every facet
    masks: dict[str, np.ndarray] = field(default_factory=dict)  # facet -> its own filter
    selected: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, snap: Snapshot, request: SearchRequest) -> FacetFilters:
        cols = snap.columns
        f = cls()
        if request.date_from or request.date_to:
            lo = request.date_from.toordinal() if request.date_from else 1
            hi = request.date_to.toordinal() if request.date_to else dt.date.max.toordinal()
            f.range_mask = (cols.day >= lo) & (cols.day <= hi)
        if request.sources:
            keys = [snap.source_key(s) for s in request.sources]
            f.masks["source"] = np.isin(cols.source, [cols.source_ids[k] for k in keys if k in cols.source_ids])
            f.selected["source"] = tuple(k for k in keys if k)
        if request.actors:
            ids = [i for a in request.actors for i in snap.actor_ids(a)]
            f.masks["actor"] = cols.actor_mask(ids)
            f.selected["actor"] = tuple(dict.fromkeys([cols.actors[i] for i in ids] or request.actors))
        if request.dates:
            mask = np.zeros(cols.size, bool)
            for bucket in request.dates:
                if bucket == UNDATED:
                    mask |= cols.day == 0
                    continue
                r = bucket_range(bucket)  # (make_request has checked every bucket)
                assert r.start and r.end  # (a bucket's range has both ends)
                mask |= (cols.day >= r.start.toordinal()) & (cols.day <= r.end.toordinal())
            f.masks["date"] = mask
            f.selected["date"] = tuple(request.dates)
        return f

    def all_mask(self, base: np.ndarray) -> np.ndarray:
        return self.mask_except(base, None)

    def mask_except(self, base: np.ndarray, facet: str | None) -> np.ndarray:
        mask = base if self.range_mask is None else base & self.range_mask
        for name, m in self.masks.items():
            if name != facet:
                mask = mask & m
        return mask


def count_facets(
    snap: Snapshot, request: SearchRequest, matched: np.ndarray, filters: FacetFilters
) -> dict[str, Facet]:
    """Every facet of :data:`FACETS`, in its order, each counted over the matches that
    pass every filter but its own."""
    return {
        name: _COUNTERS[name](
            snap, filters.mask_except(matched, name), filters.selected.get(name, ()), request.facet_size
        )
        for name in FACETS
    }


def _sources(snap: Snapshot, sel: np.ndarray, selected: tuple[str, ...], size: int) -> Facet:
    cols = snap.columns
    counts = np.bincount(cols.source[sel & (cols.source >= 0)], minlength=len(cols.sources))
    ids = np.flatnonzero(counts)
    return _top("source", cols.sources, (ids, counts[ids]), selected, size, snap.source_label, cols.source_ids.get)


def _actors(snap: Snapshot, sel: np.ndarray, selected: tuple[str, ...], size: int) -> Facet:
    cols = snap.columns
    return _top(
        "actor", cols.actors, cols.actor_counts(sel), selected, size,
        str, lambda name: cols.actor_ids.get(actor_key(name)),
    )


def _date_buckets(snap: Snapshot, sel: np.ndarray, selected: tuple[str, ...], size: int) -> Facet:
    return _dates(snap.columns.day[sel], selected)  # every period, whatever the size: a histogram


_COUNTERS: dict[str, Callable[[Snapshot, np.ndarray, tuple[str, ...], int], Facet]] = {
    "source": _sources,
    "actor": _actors,
    "date": _date_buckets,
}
assert set(_COUNTERS) == set(FACETS), "each facet of the request contract is counted"


def _top(
    name: str,
    values: tuple[str, ...],
    counted: tuple[np.ndarray, np.ndarray],
    selected: tuple[str, ...],
    size: int,
    label: Callable[[str], str],
    position: Callable[[str], int | None],
) -> Facet:
    """The ``size`` most frequent values (ties alphabetical), plus any selected ones;
    ``counted`` holds the ids of the values found (sorted) and their counts."""
    ids, counts = counted
    best = np.arange(len(ids))
    if len(ids) > size:  # only the best candidates need sorting
        best = np.flatnonzero(counts >= counts[np.argpartition(-counts, size - 1)[size - 1]])
    found = {values[i]: c for i, c in zip(ids[best].tolist(), counts[best].tolist())}
    shown = sorted(found.items(), key=lambda kc: (-kc[1], kc[0].casefold()))[:size]
    shown_keys = {k for k, _ in shown}
    for k in selected:
        if k not in shown_keys:
            shown.append((k, _count_of(position(k), ids, counts)))
    items = tuple(FacetValue(k, label(k), c, k in selected) for k, c in shown)
    return Facet(name, items, other=max(0, len(ids) - size))


def _count_of(value_id: int | None, ids: np.ndarray, counts: np.ndarray) -> int:
    at = int(np.searchsorted(ids, value_id)) if value_id is not None else len(ids)
    return int(counts[at]) if at < len(ids) and ids[at] == value_id else 0


def _dates(days: np.ndarray, selected: tuple[str, ...]) -> Facet:
    """Chronological buckets, a year, month or day wide by the span of the dates."""
    dated = days[days > 0]
    undated = int(len(days) - len(dated))
    interval = "day"
    if len(dated):
        span = int(dated.max() - dated.min())
        interval = "year" if span > 4 * 366 else "month" if span > 45 else "day"  # <= ~50 bars
    buckets = bucket_counts(dated, interval)
    periods = _periods(int(dated.min()), int(dated.max()), interval) if len(dated) else []
    values = [FacetValue(b, b, buckets.get(b, 0), b in selected) for b in periods]
    if undated:
        values.append(FacetValue(UNDATED, "undated", undated, UNDATED in selected))
    return Facet("date", tuple(values), interval=interval)


def _periods(first: int, last: int, interval: str) -> list[str]:
    """Every bucket from the one holding day ``first`` to the one holding ``last``
    (ordinals), empty ones included, so a histogram shows gaps as gaps; at most the
    latest ``MAX_DATE_BUCKETS``."""
    if interval == "day":
        days = range(max(first, last - MAX_DATE_BUCKETS + 1), last + 1)
        return [dt.date.fromordinal(d).isoformat() for d in days]
    start, end = dt.date.fromordinal(first), dt.date.fromordinal(last)
    if interval == "month":
        first_month, last_month = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
        months = range(max(first_month, last_month - MAX_DATE_BUCKETS + 1), last_month + 1)
        return [bucket_of(dt.date(m // 12, m % 12 + 1, 1), "month") for m in months]
    years = range(max(start.year, end.year - MAX_DATE_BUCKETS + 1), end.year + 1)
    return [bucket_of(dt.date(y, 1, 1), "year") for y in years]
