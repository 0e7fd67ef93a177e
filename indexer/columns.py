"""Per-document facet columns in memory, built once per index version.

Facet counts and filters are array operations over these, not per-hit
lookups: source and story are one value id per document, the date is a day
ordinal (0 = undated), actors are a sparse document x actor matrix (CSR).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from indexer.actors import actor_key
from indexer.backend.whoosh_engine import WhooshReader
from indexer.fields import ACTOR_SEPARATOR


@dataclass(frozen=True)
class Columns:
    size: int  # document numbers are 0 .. size-1
    live: np.ndarray  # bool per document
    source: np.ndarray  # int32 value id, -1 for none
    sources: tuple[str, ...]
    source_ids: dict[str, int]
    day: np.ndarray  # int32 proleptic ordinal, 0 for undated
    story: np.ndarray  # int32 story id
    actor_docs: np.ndarray  # CSR by actor: actor_docs[actor_ptr[a]:actor_ptr[a+1]]
    actor_ptr: np.ndarray
    actors: tuple[str, ...]  # one display name per actor
    actor_ids: dict[str, int]  # actor key -> position in ``actors``

    def actor_mask(self, actor_ids: list[int]) -> np.ndarray:
        mask = np.zeros(self.size, bool)
        for a in actor_ids:
            mask[self.actor_docs[self.actor_ptr[a] : self.actor_ptr[a + 1]]] = True
        return mask

    def actor_counts(self, mask: np.ndarray) -> np.ndarray:
        """How many documents in ``mask`` carry each actor."""
        hits = mask[self.actor_docs].astype(np.int64)
        sums = np.concatenate(([0], np.cumsum(hits)))
        return sums[self.actor_ptr[1:]] - sums[self.actor_ptr[:-1]]


def load_columns(reader: WhooshReader) -> Columns:
    size = reader.docnum_limit
    live = np.zeros(size, bool)
    live[reader.live_docnums()] = True

    source_values = reader.column("source")
    sources = tuple(sorted({v for v in source_values if v}))
    source_id = {s: i for i, s in enumerate(sources)}
    source = np.fromiter((source_id.get(v, -1) for v in source_values), np.int32, size)

    day = np.fromiter((_ordinal(v) for v in reader.column("published")), np.int32, size)

    story_values = reader.column("story")
    story_id: dict[str, int] = {}
    story = np.fromiter((story_id.setdefault(v, len(story_id)) for v in story_values), np.int32, size)

    per_name: dict[str, list[int]] = defaultdict(list)
    for docnum, joined in enumerate(reader.column("actor_list")):
        if joined and live[docnum]:
            for name in joined.split(ACTOR_SEPARATOR):
                per_name[name].append(docnum)
    spellings: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
    for name, ids in per_name.items():
        spellings[actor_key(name)].append((name, ids))
    names, ptr, docs = [], [0], []
    for variants in spellings.values():
        # Spellings that differ only in accents, case or hyphens are one actor, shown
        # by its most used spelling (accented on a tie: "António" over "Antonio").
        names.append(max(variants, key=lambda v: (len(v[1]), not v[0].isascii()))[0])
        ids = np.unique(np.concatenate([np.asarray(v[1], np.int64) for v in variants]))
        docs.append(ids)
        ptr.append(ptr[-1] + len(ids))
    actor_docs = np.concatenate(docs) if docs else np.empty(0, np.int64)
    return Columns(
        size=size,
        live=live,
        source=source,
        sources=sources,
        source_ids=source_id,
        day=day,
        story=story,
        actor_docs=actor_docs,
        actor_ptr=np.asarray(ptr, np.int64),
        actors=tuple(names),
        actor_ids={key: i for i, key in enumerate(spellings)},
    )


def _ordinal(value: str) -> int:
    if not value:
        return 0
    try:
        return dt.date.fromisoformat(value).toordinal()
    except ValueError:
        return 0
