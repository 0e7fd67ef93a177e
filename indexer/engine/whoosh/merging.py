"""Which segments a commit merges: a size-tiered policy, as Lucene's TieredMergePolicy.

A full rebuild writes segments of about ``internals.SEGMENT_POSTINGS`` postings
(tens of thousands of articles each); an update writes one small segment. Whoosh's
own policy (``MERGE_SMALL``) merges by a Fibonacci rule on the segment count: with
the forty-odd segments of a million-article rebuild, every update merged about
half the index again (two minutes and gigabytes to add one file). Here a commit
merges at most one group of segments, each far smaller than a rebuild's, so an
update's merge work is bounded whatever the index's size:

- segments are put in tiers by live documents (``FLOOR`` and below one tier, then
  each ``PER_TIER`` times larger the next);
- the smallest tier holding ``PER_TIER`` segments has its smallest merged, up to
  ``PER_TIER`` of them and ``MAX_MERGED`` live documents (so a segment past half
  of that is never merged again, unless most of it is deleted);
- a segment with most of its documents deleted (an updated file's old copies) is
  merged with them, if it fits, so that deletions do not linger forever.

Segments left as they are keep their order, so their document numbers stay.
"""

from __future__ import annotations

import math
from typing import Any

from whoosh.reading import SegmentReader

PER_TIER = 10
FLOOR = 1_000  # live documents: the smallest segments are one tier, however small
MAX_MERGED = 20_000  # live documents a merge may write (about a rebuild's segment)
MOSTLY_DELETED = 0.5


def tiered(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's merge-policy hook: merge the chosen segments into ``writer``'s new
    segment; the segments kept as they are, in their order."""
    chosen = {id(s) for s in to_merge(segments)}
    for segment in segments:
        if id(segment) in chosen:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
    return [s for s in segments if id(s) not in chosen]


def to_merge(segments: list[Any]) -> list[Any]:
    """The segments one commit merges: none, two or more, or a mostly deleted one alone."""
    smallest_first = sorted(segments, key=lambda s: s.doc_count())
    by_tier: dict[int, list[Any]] = {}
    for segment in smallest_first:
        by_tier.setdefault(_tier(segment.doc_count()), []).append(segment)
    group: list[Any] = []
    for _, tier in sorted(by_tier.items()):
        if len(tier) >= PER_TIER:
            group = _fitting(tier[:PER_TIER], MAX_MERGED)
            if len(group) >= 2:
                break
            group = []
    room = MAX_MERGED - sum(s.doc_count() for s in group)
    rest = [s for s in smallest_first if s not in group and _mostly_deleted(s)]
    return group + _fitting(rest, room)


def _fitting(segments: list[Any], room: int) -> list[Any]:
    """The first of ``segments`` whose live documents together fit in ``room``."""
    taken = []
    for segment in segments:
        if segment.doc_count() > room:
            break
        taken.append(segment)
        room -= segment.doc_count()
    return taken


def _tier(live: int) -> int:
    return 0 if live <= FLOOR else 1 + int(math.log(live / FLOOR, PER_TIER))


def _mostly_deleted(segment: Any) -> bool:
    return segment.doc_count_all() > 0 and segment.deleted_count() >= MOSTLY_DELETED * segment.doc_count_all()
