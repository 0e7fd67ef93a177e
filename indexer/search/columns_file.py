"""Facet columns saved beside an index generation, so that opening it need not build them.

Building :class:`~indexer.search.columns.Columns` gathers every segment's table
(:mod:`indexer.search.segment_tables`): array work over every document, a second at a
million articles (bench/README). The reindex that makes a commit builds them and saves them as
``columns-v1-<version>.npz`` (:mod:`indexer.search.saved_arrays`: numpy arrays, the
strings as JSON), which openings memory-map.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from indexer.engine.base import EngineReader
from indexer.search.columns import Columns, load_columns
from indexer.search.saved_arrays import saved_or_built, saved_path
from indexer.search.segment_tables import SegmentTable

FORMAT = 1
_ARRAYS = ("live", "source", "day", "story", "actor_docs", "actor_ptr", "doc_actors", "doc_ptr")


def columns_path(generation: Path, version: int) -> Path:
    return saved_path(generation, "columns", version, FORMAT)


def saved_or_built_columns(reader: EngineReader, path: Path, known: Mapping[str, SegmentTable] | None = None) -> Columns:
    """The columns saved at ``path`` if they are there, whole and fit the index, else built
    (from the segment tables, some maybe ``known`` already) and saved."""
    return saved_or_built(
        path, lambda: load_columns(reader, known), _arrays, lambda saved: _columns(saved, reader.docnum_limit)
    )


def _arrays(columns: Columns) -> dict[str, np.ndarray]:
    strings = {"sources": columns.sources, "actors": columns.actors, "actor_keys": list(columns.actor_ids)}
    arrays = {name: getattr(columns, name) for name in _ARRAYS}
    arrays["strings"] = np.frombuffer(json.dumps(strings).encode("utf-8"), np.uint8)
    return arrays


def _columns(saved: Mapping[str, np.ndarray], size: int) -> Columns:
    arrays = {name: saved[name] for name in _ARRAYS}
    strings = json.loads(saved["strings"].tobytes().decode("utf-8"))
    per_document = [len(arrays[name]) for name in ("live", "source", "day", "story")] + [len(arrays["doc_ptr"]) - 1]
    if per_document != [size] * 5:
        raise ValueError(f"columns for {per_document} documents, the index has {size}")
    sources, actors, keys = tuple(strings["sources"]), tuple(strings["actors"]), strings["actor_keys"]
    pairs = (len(arrays["actor_docs"]), len(arrays["doc_actors"]), int(arrays["actor_ptr"][-1]), int(arrays["doc_ptr"][-1]))
    if len(keys) != len(actors) or len(arrays["actor_ptr"]) != len(actors) + 1 or len(set(pairs)) != 1:
        raise ValueError("actor names and lists do not match")
    return Columns(
        size=size,
        sources=sources,
        source_ids={s: i for i, s in enumerate(sources)},
        actors=actors,
        actor_ids=dict(zip(keys, range(len(keys)))),
        **arrays,
    )
