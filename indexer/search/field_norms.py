"""BM25F's length normalisation of each document's title and body, saved beside each commit.

A document's norm in a field is ``(1 - b) + b * length / average`` over the live
documents. Working it out reads every segment's length column (tens of segments at a
million articles): the reindex that makes a commit saves it (``norms-v1-<version>.npz``,
:mod:`indexer.search.saved_arrays`), and openings map it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from indexer.engine.base import EngineReader
from indexer.search.matching import FIELD_WEIGHTS
from indexer.search.saved_arrays import saved_or_built, saved_path

FORMAT = 1


def norms_path(generation: Path, version: int) -> Path:
    return saved_path(generation, "norms", version, FORMAT)


def saved_or_built_norms(reader: EngineReader, live: np.ndarray, path: Path) -> dict[str, np.ndarray]:
    """The norms saved at ``path`` if they are there, whole and fit the index, else worked
    out from the engine's lengths (of the ``live`` documents' average) and saved."""
    size = reader.docnum_limit

    def fitting(saved: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if set(saved) != set(FIELD_WEIGHTS) or any(len(n) != size for n in saved.values()):
            raise ValueError(f"norms of {sorted(saved)} for other documents than the index's {size}")
        return dict(saved)

    return saved_or_built(path, lambda: _built(reader, live), dict, fitting)


def _built(reader: EngineReader, live: np.ndarray) -> dict[str, np.ndarray]:
    norms = {}
    for name, params in FIELD_WEIGHTS.items():
        lengths = reader.field_lengths(name)
        average = float(lengths[live].mean()) if live.any() else 1.0
        norms[name] = (1 - params.b) + params.b * lengths / max(average, 1e-9)
    return norms
