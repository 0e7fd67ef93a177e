"""Per-document facet columns in memory, built once per index version.

Facet counts and filters are array operations over these, not per-hit
lookups: source and story are one value id per document, the date is a day
ordinal (0 = undated), actors are a sparse document x actor matrix (CSR).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from indexer.arrays import sorted_unique
from indexer.engine.base import EngineReader, Segment
from indexer.search.segment_tables import SegmentTable, segment_tables


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
        named = self.doc_actors[pairs]
        if len(named) * 8 < len(self.actors):  # (few: sorting them beats counting over every actor)
            return np.unique(named, return_counts=True)
        counts = np.bincount(named, minlength=len(self.actors))
        ids = np.flatnonzero(counts)
        return ids, counts[ids]


def load_columns(reader: EngineReader, known: Mapping[str, SegmentTable] | None = None) -> Columns:
    """The columns of the commit ``reader`` sees, gathered from its segments' tables (some
    of them maybe ``known`` already, by segment key)."""
    return gathered_columns(segment_tables(reader, known), reader.live_docnums(), reader.docnum_limit)


def gathered_columns(tables: list[tuple[Segment, SegmentTable]], live_docnums: np.ndarray, size: int) -> Columns:
    """The columns of documents 0 .. size-1, from the tables of the segments that hold them."""
    live = np.zeros(size, bool)
    live[live_docnums] = True
    sources = tuple(sorted({s for _, t in tables for s in t.sources}))
    source_ids = {s: i for i, s in enumerate(sources)}
    source = np.empty(size, np.int32)
    day = np.empty(size, np.int32)
    story_hashes = np.empty(size, np.int64)
    for segment, t in tables:
        where = slice(segment.start, segment.start + segment.size)
        numbers = np.array([*(source_ids[s] for s in t.sources), -1], np.int32)  # (-1, none, stays -1)
        source[where] = numbers[t.source]
        day[where] = t.day
        story_hashes[where] = t.story_hashes[t.story]
    # stories numbered as first met, document by document
    _, first, inverse = np.unique(story_hashes, return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.int32)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first), dtype=np.int32)
    story = rank[inverse.reshape(-1)]

    actors, actor_ids, actor_ptr, actor_docs = _actor_matrix(tables, live)
    doc_actors = actor_docs * max(len(actors), 1)  # by document, then actor: one number a pair, sorted
    doc_actors += np.repeat(np.arange(len(actors)), np.diff(actor_ptr))
    doc_actors.sort()
    doc_actors = (doc_actors % max(len(actors), 1)).astype(np.int32)  # (half the bytes a facet count gathers)
    doc_ptr = np.concatenate(([0], np.cumsum(np.bincount(actor_docs, minlength=size)))).astype(np.int64)
    return Columns(
        size=size,
        live=live,
        source=source,
        sources=sources,
        source_ids=source_ids,
        day=day,
        story=story,
        actor_docs=actor_docs,
        actor_ptr=actor_ptr,
        doc_actors=doc_actors,
        doc_ptr=doc_ptr,
        actors=actors,
        actor_ids=actor_ids,
    )


def _live_pairs(t: SegmentTable, segment: Segment, live: np.ndarray) -> np.ndarray:
    """Which of a segment's (document, spelling) pairs are of live documents."""
    return np.repeat(live[segment.start : segment.start + segment.size], np.diff(t.name_ptr))


def _actor_matrix(
    tables: list[tuple[Segment, SegmentTable]], live: np.ndarray
) -> tuple[tuple[str, ...], dict[str, int], np.ndarray, np.ndarray]:
    """Actors (display names), actor key -> position, and the CSR document lists, of the
    live documents.

    Spellings that differ only in accents, case or hyphens are one actor, shown by its
    most used spelling (accented on a tie, then the first met: "António" over "Antonio").
    """
    # Each spelling is numbered as first met, document by document, through its (64-bit)
    # hash: a segment's spellings are met in an order of their own, then across segments;
    # a spelling's text is read only for its first meeting.
    met_table, met_local, met_hash = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for number, (segment, t) in enumerate(tables):
        local = t.names[_live_pairs(t, segment, live)]
        spellings, first = np.unique(local, return_index=True)
        order = spellings[np.argsort(first, kind="stable")]
        met_table.append(np.full(len(order), number))
        met_local.append(order)
        met_hash.append(t.actor_name_hashes[order])
    unique, first_met = np.unique(np.concatenate(met_hash), return_index=True)
    by_first = np.argsort(first_met, kind="stable")
    number_of = np.empty(len(unique), np.int64)
    number_of[by_first] = np.arange(len(unique))
    where = first_met[by_first]  # each spelling's first meeting, in its number's order
    table_of, local_of = np.concatenate(met_table)[where].tolist(), np.concatenate(met_local)[where].tolist()
    del met_table, met_local, met_hash
    name_ids = [tables[t][1].actor_names[n] for t, n in zip(table_of, local_of)]
    key_ids: dict[str, int] = {}
    keys_met = (tables[t][1].actor_keys[n] for t, n in zip(table_of, local_of))
    key_of = np.fromiter((key_ids.setdefault(k, len(key_ids)) for k in keys_met), np.int64, len(name_ids))
    # (actor, document) pairs as one number each, a segment at a time, with each spelling's uses
    size = max(len(live), 1)
    uses = np.zeros(len(name_ids), np.int64)
    numbered = []
    for segment, t in tables:
        in_live = _live_pairs(t, segment, live)
        local = t.names[in_live]
        renumbered = np.zeros(len(t.actor_names), np.int64)  # (a spelling of deleted documents alone has none)
        spellings = sorted_unique(local)
        renumbered[spellings] = number_of[np.searchsorted(unique, t.actor_name_hashes[spellings])]
        spelling = renumbered[local]
        uses += np.bincount(spelling, minlength=len(name_ids))
        docs = np.repeat(np.arange(segment.start, segment.start + segment.size, dtype=np.int64), np.diff(t.name_ptr))
        numbered.append(key_of[spelling] * size + docs[in_live])
    best: dict[int, tuple[int, bool, str]] = {}
    for name, used, k in zip(name_ids, uses.tolist(), key_of.tolist()):
        rank = (used, not name.isascii(), name)
        if k not in best or rank[:2] > best[k][:2]:
            best[k] = rank
    # sorted, each once (a document names an actor once, whatever the spellings)
    pairs = sorted_unique(np.concatenate([np.empty(0, np.int64), *numbered]))
    del numbered
    keys = pairs // size
    docs = np.remainder(pairs, size, out=pairs)
    ptr = np.concatenate(([0], np.cumsum(np.bincount(keys, minlength=len(key_ids))))).astype(np.int64)
    return tuple(best[k][2] for k in range(len(key_ids))), key_ids, ptr, docs
