"""Facet columns saved beside an index generation, so that opening it need not build them.

Building :class:`~indexer.search.columns.Columns` reads every document's source, date,
story and actors through the engine (a cost that grows with the corpus: see
bench/README). The reindex that makes a commit builds them and saves them as
``columns-v1-<version>.npz`` in the generation's folder (numpy arrays, the
strings as JSON, no pickles); openings load them in milliseconds (one that finds
no file builds and saves it).
A commit makes a new version, hence a new file (the older ones are removed).
A file that cannot be read is built again; a folder that cannot be written
(a read-only index) just goes unsaved. A save writes a temporary file and renames
it: one that a killed save left behind is removed by a later save, once it is
older than any save could take.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from indexer.engine.base import EngineReader
from indexer.search.columns import Columns, load_columns

log = logging.getLogger(__name__)
FORMAT = 1
STALE_TEMPORARY = 600  # seconds: a temporary file this old belongs to a save that died
_ARRAYS = ("live", "source", "day", "story", "actor_docs", "actor_ptr", "doc_actors", "doc_ptr")


def columns_path(generation: Path, version: int) -> Path:
    return generation / f"columns-v{FORMAT}-{version}.npz"


def saved_or_built(reader: EngineReader, path: Path) -> Columns:
    """The columns saved at ``path`` if they are there and whole, else built (and saved)."""
    if path.exists():
        try:
            return _load(path, reader.docnum_limit)
        except Exception as err:  # damaged in any way: what is built instead is right
            log.warning("rebuilding the facet columns: %s is unreadable (%s)", path, err)
    columns = load_columns(reader)
    try:
        _save(columns, path)
    except OSError as err:  # a read-only index: build them on every opening
        log.info("facet columns not saved in %s: %s", path.parent, err)
    return columns


def _save(columns: Columns, path: Path) -> None:
    strings = {"sources": columns.sources, "actors": columns.actors, "actor_keys": list(columns.actor_ids)}
    arrays = {name: getattr(columns, name) for name in _ARRAYS}
    arrays["strings"] = np.frombuffer(json.dumps(strings).encode("utf-8"), np.uint8)
    fd, tmp = tempfile.mkstemp(prefix=".columns-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.chmod(tmp, path.parent.stat().st_mode & 0o666)  # readable as the index is
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob(f"columns-v{FORMAT}-*.npz"):
        if old != path:
            old.unlink(missing_ok=True)
    _remove_stale_temporaries(path.parent)


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files of saves killed before their rename (not those of a save
    going on in another process, which are recent)."""
    stale = time.time() - STALE_TEMPORARY
    for tmp in folder.glob(".columns-*.npz"):
        try:
            if tmp.stat().st_mtime < stale:
                tmp.unlink()
        except FileNotFoundError:
            pass  # another save's, renamed meanwhile


def _load(path: Path, size: int) -> Columns:
    with open(path, "rb") as f, np.load(f, allow_pickle=False) as saved:
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
        actor_ids={k: i for i, k in enumerate(keys)},
        **arrays,
    )
