"""What each corpus file looked like when the index last took in its content, so that a
file whose size, times and inode are unchanged need not be hashed again.

This is rsync's quick check, with the change time and inode that git's index also
keeps: the change time cannot be set back by any tool, so a file rewritten since has
another. A file whose times are within ``RACY`` seconds of when it was looked at
could still change within the same clock tick unseen: it is not remembered, and is
hashed again next time (git's "racily clean" entries). The stats are saved beside the
generation (``files-v1.npz``) after its commit, never before: stats that are lost or
stale only make a run hash more.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import numpy as np

from indexer.search.saved_arrays import write_whole

log = logging.getLogger(__name__)
FILE_NAME = "files-v1.npz"
RACY = 2.0  # seconds

_LOW_63 = (1 << 63) - 1
Stat = tuple[int, int, int, int]  # size, modified and changed times (ns), inode


def stat_of(st: os.stat_result) -> Stat | None:
    """The file's stat to remember, or None if it is too recent to be trusted."""
    if max(st.st_mtime_ns, st.st_ctime_ns) > (time.time() - RACY) * 1e9:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino & _LOW_63  # (some filesystems' inodes use all 64 bits)


def load(generation: Path) -> dict[str, Stat]:
    """The stats saved with ``generation`` (none if there are none, or they are damaged)."""
    try:
        with np.load(generation / FILE_NAME, allow_pickle=False) as saved:
            keys = json.loads(saved["keys"].tobytes().decode("utf-8"))
            stats = saved["stats"].tolist()
        if len(keys) != len(stats):
            raise ValueError(f"{len(keys)} files, {len(stats)} stats")
        return {k: (s[0], s[1], s[2], s[3]) for k, s in zip(keys, stats)}
    except FileNotFoundError:
        return {}
    except Exception as err:  # damaged: every file is hashed, and the stats saved again
        log.warning("%s: unreadable (%s); every file is hashed", generation / FILE_NAME, err)
        return {}


def save(generation: Path, stats: dict[str, Stat]) -> None:
    """Save ``stats`` with ``generation`` (after its commit: see the module's note)."""
    try:
        keys = np.frombuffer(json.dumps(list(stats)).encode("utf-8"), np.uint8)
        values = np.array(list(stats.values()), np.int64).reshape(-1, 4)
        write_whole(generation / FILE_NAME, lambda f: np.savez(f, keys=keys, stats=values))
    except (OSError, ValueError, OverflowError) as err:  # (a read-only index: the next run hashes every file)
        log.info("%s not saved: %s", FILE_NAME, err)
