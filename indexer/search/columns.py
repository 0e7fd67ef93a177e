"""Per-document facet columns in memory, built once per index version.

Facet counts and filters are array operations over these, not per-hit
lookups: source and story are one value id per document, the date is a day
ordinal (0 = undated), actors are a sparse document x actor matrix (CSR).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import chain

import numpy as np

from indexer.actors import actor_key
from indexer.engine.base import EngineReader
from indexer.engine.schema import ACTOR_SEPARATOR
from indexer.search.dates import EPOCH_ORDINAL

_CHUNK = 50_000  # documents whose actor lists are split at a time


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
    doc_actors: np.ndarray  # the same pairs by document: doc_actors[doc_ptr[d]:doc_ptr[d+1]]
    doc_ptr: np.ndarray
    actors: tuple[str, ...]  # one display name per actor
    actor_ids: dict[str, int]  # actor key -> position in ``actors``

    def actor_mask(self, actor_ids: list[int]) -> np.ndarray:
        mask = np.zeros(self.size, bool)
        for a in actor_ids:
            mask[self.actor_docs[self.actor_ptr[a] : self.actor_ptr[a + 1]]] = True
        return mask

    def actor_counts(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The actors of the documents in ``mask`` (ids, sorted) and how many documents
        carry each (work in proportion to those documents, through the by-document pairs)."""
        docs = np.flatnonzero(mask)
        starts = self.doc_ptr[docs]
        lengths = self.doc_ptr[docs + 1] - starts
        pairs = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        return np.unique(self.doc_actors[pairs], return_counts=True)


def load_columns(reader: EngineReader) -> Columns:
    size = reader.docnum_limit
    live = np.zeros(size, bool)
    live[reader.live_docnums()] = True

    # One column at a time, each list of a million values let go before the next is read.
    source_values = reader.column("source")
    sources = tuple(sorted({v for v in source_values if v}))
    source_id = {s: i for i, s in enumerate(sources)}
    source = np.fromiter((source_id.get(v, -1) for v in source_values), np.int32, size)
    del source_values

    day = _day_ordinals(reader.column("published"))

    story_values = reader.column("story")
    story_id: dict[str, int] = {}
    story = np.fromiter((story_id.setdefault(v, len(story_id)) for v in story_values), np.int32, size)
    del story_values, story_id

    actors, actor_ids, actor_ptr, actor_docs = _actor_matrix(reader.column("actor_list"), live)
    actor_of_pair = np.repeat(np.arange(len(actors)), np.diff(actor_ptr))
    doc_actors = actor_of_pair[np.lexsort((actor_of_pair, actor_docs))]
    doc_ptr = np.concatenate(([0], np.cumsum(np.bincount(actor_docs, minlength=size)))).astype(np.int64)
    return Columns(
        size=size,
        live=live,
        source=source,
        sources=sources,
        source_ids=source_id,
        day=day,
        story=story,
        actor_docs=actor_docs,
        actor_ptr=actor_ptr,
        doc_actors=doc_actors,
        doc_ptr=doc_ptr,
        actors=actors,
        actor_ids=actor_ids,
    )


def _actor_matrix(
    joined_names: list[str], live: np.ndarray
) -> tuple[tuple[str, ...], dict[str, int], np.ndarray, np.ndarray]:
    """Actors (display names), actor key -> position, and the CSR document lists.

    Spellings that differ only in accents, case or hyphens are one actor, shown by its
    most used spelling (accented on a tie: "António" over "Antonio").
    """
    is_live = live.tolist()
    name_ids: dict[str, int] = {}  # each spelling, numbered as first met
    names_of: list[np.ndarray] = []  # (document, name) pairs, by document, a chunk at a time:
    docs_of: list[np.ndarray] = []  # the split names of a million documents take gigabytes
    for start in range(0, len(joined_names), _CHUNK):
        per_doc = [
            joined.split(ACTOR_SEPARATOR) if joined and is_live[d] else ()
            for d, joined in enumerate(joined_names[start : start + _CHUNK], start)
        ]
        pair_names = list(chain.from_iterable(per_doc))
        names_of.append(np.fromiter((name_ids.setdefault(n, len(name_ids)) for n in pair_names), np.int64, len(pair_names)))
        docs_of.append(np.repeat(np.arange(start, start + len(per_doc), dtype=np.int64), list(map(len, per_doc))))
    names = np.concatenate(names_of) if names_of else np.empty(0, np.int64)
    docs = np.concatenate(docs_of) if docs_of else np.empty(0, np.int64)
    key_ids: dict[str, int] = {}
    key_of_name = np.fromiter(
        (key_ids.setdefault(actor_key(n), len(key_ids)) for n in name_ids), np.int64, len(name_ids)
    )
    uses = np.bincount(names, minlength=len(name_ids))
    best: dict[int, tuple[int, bool, str]] = {}
    for name, used, k in zip(name_ids, uses.tolist(), key_of_name.tolist()):
        rank = (used, not name.isascii(), name)
        if k not in best or rank[:2] > best[k][:2]:
            best[k] = rank
    keys = key_of_name[names]
    order = np.lexsort((docs, keys))
    keys, docs = keys[order], docs[order]
    first = np.ones(len(keys), bool)  # a document names an actor once, whatever the spellings
    first[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
    keys, docs = keys[first], docs[first]
    ptr = np.concatenate(([0], np.cumsum(np.bincount(keys, minlength=len(key_ids))))).astype(np.int64)
    return tuple(best[k][2] for k in range(len(key_ids))), key_ids, ptr, docs


def _day_ordinals(published: list[str]) -> np.ndarray:
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
