"""Which corpus files are new, changed or gone since the last run: the walk, each file's
key and content hash (not recomputed for a file whose stat is the one remembered,
:mod:`.file_stats`)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.article import Problem
from indexer.build import file_stats
from indexer.build.rounds import Changed
from indexer.ingest import CorpusFile, iter_corpus


@dataclass
class Found:
    """What the walk found."""

    changed: list[Changed] = field(default_factory=list)  # new or changed files
    seen_keys: set[str] = field(default_factory=set)  # every file's key
    stats: dict[str, file_stats.Stat] = field(default_factory=dict)  # the stats to remember
    unchanged: int = 0  # the articles the unchanged files hold in the index
    failed: int = 0  # files that could not be read, or gave problems before
    problems: list[Problem] = field(default_factory=list)


def find_changes(
    roots: list[Path],
    known: dict[str, tuple[str, int]],
    remembered: dict[str, file_stats.Stat],
    file_problems: dict[str, list[list]],
) -> Found:
    """Walk the corpus under ``roots`` and compare each file with what the index ``known``
    of it (its hash and articles, by file key). A file whose stat is the one ``remembered``
    holds what the index holds, and is not hashed again; an unchanged file's
    ``file_problems`` of an earlier run are reported again."""
    found = Found()
    for f in iter_corpus(roots):
        if isinstance(f, Problem):
            found.problems.append(f)
            continue
        key = file_key(f)
        found.seen_keys.add(key)
        try:
            digest, size, stat = quick_hash(f.path, known.get(key), remembered.get(key))
        except OSError as err:
            found.problems.append(Problem(f.rel, f"cannot read: {err.strerror}"))
            found.failed += 1
            continue
        if stat is not None:
            found.stats[key] = stat
        if key in known and known[key][0] == digest:
            found.unchanged += known[key][1]
            if old := file_problems.get(key):
                found.failed += 1
                found.problems.extend(Problem(*p) for p in old)
        else:
            found.changed.append(Changed(f, key, digest, size))
    return found


def quick_hash(
    path: Path, known: tuple[str, int] | None, remembered: file_stats.Stat | None
) -> tuple[str, int, file_stats.Stat | None]:
    """The file's content hash, size and stat to remember: the hash the index ``known``
    for it if its stat is the one ``remembered``, else hashed (the stat taken first, so
    that a change while it is read shows in the next run's)."""
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        stat = file_stats.stat_of(st)
        if known is not None and stat is not None and stat == remembered:
            return known[0], st.st_size, stat
        h = hashlib.blake2b(digest_size=16)
        size = 0
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size, stat


def file_key(f: CorpusFile) -> str:
    # A file name that is not UTF-8 holds surrogates (surrogateescape), which the
    # index cannot store: escape those bytes instead (other keys are unchanged).
    key = str(f.path.resolve())
    return key if key.isascii() else os.fsencode(key).decode("utf-8", "backslashreplace")
