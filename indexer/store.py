"""The data directory: index generations, the pointer to the live one, the reindex lock.

::

    instance/
      CURRENT          name of the live generation, replaced atomically
      gen-000003/      the engine's index plus newsdex.json (schema version, corpus roots)
      gen-000002/      the previous generation, kept for readers that still hold it
      reindex.lock     held (flock) by a running reindex; names its pid

A full rebuild writes a new generation beside the live one and switches
CURRENT with one ``os.replace``; a crash before that leaves the old one live.
Incremental updates commit into the live generation with the engine's own
atomic commit (Whoosh's: new segment files, then a renamed table of contents).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

# 2: per-document actor column; 3: 32-bit story signatures of hashed word shingles;
# 4: ids, file keys and hashes and signatures as columns (an update reads no stored article),
#    actors stored only (their facet column serves filters);
# 5: source, date and story are no longer indexed (their columns serve every use);
# 6: title and body positions only in the flat postings beside each segment;
# 7: the classes Whoosh's pickled schema names moved into the package tree;
# 8: title and body postings only in the flat file (not Whoosh's term index), counts as small integers
SCHEMA_VERSION = 8
DATA_ENV = "NEWSDEX_DATA"
DEFAULT_DATA_DIR = "instance"
USER_ALIASES = "aliases.toml"  # the data directory's own aliases, merged over the shipped ones
_CURRENT = "CURRENT"
_META = "newsdex.json"
_LOCK = "reindex.lock"
KEEP_GENERATIONS = 2


class StoreError(Exception):
    """A problem with the data directory that a person must act on."""


def data_dir_from(option: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: the option, else $NEWSDEX_DATA, else ./instance."""
    return Path(option or os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR)


@dataclass
class GenerationMeta:
    schema_version: int = SCHEMA_VERSION
    created_at: str = field(default_factory=lambda: _now())
    updated_at: str = field(default_factory=lambda: _now())
    roots: list[str] = field(default_factory=list)
    learned_aliases: dict[str, str] = field(default_factory=dict)
    aliases_digest: str = ""  # content hash of the data dir's aliases.toml it was built with ("" for none)
    # file key -> its problems as [path, reason, line]: reported again while the file is unchanged
    file_problems: dict[str, list[list]] = field(default_factory=dict)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def current_generation(data_dir: Path) -> Path | None:
    """The live generation's folder, or None when nothing was indexed yet."""
    try:
        name = (data_dir / _CURRENT).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise StoreError(f"cannot read {data_dir / _CURRENT}: {err.strerror}") from None
    path = data_dir / name
    if not name.startswith("gen-") or not path.is_dir():
        raise StoreError(f"{data_dir / _CURRENT} names '{name}', which is not an index generation")
    return path


def new_generation(data_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in data_dir.glob("gen-*") if p.name[4:].isdigit()]
    path = data_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    path.mkdir(parents=True)
    return path


def switch_to(data_dir: Path, generation: Path) -> None:
    """Make ``generation`` the live one, atomically, then drop old generations."""
    _fsync_tree(generation)  # its files on disk before CURRENT names it (a power cut, not only a kill)
    tmp = data_dir / (_CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(generation.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, data_dir / _CURRENT)
    _fsync_dir(data_dir)
    prune(data_dir)


def prune(data_dir: Path) -> None:
    """Remove generations older than the last KEEP_GENERATIONS, and unfinished builds."""
    live = current_generation(data_dir)
    gens = sorted(p for p in data_dir.glob("gen-*") if p.is_dir())
    keep = {p for p in gens if live and p.name <= live.name}
    keep = set(sorted(keep)[-KEEP_GENERATIONS:])
    for p in gens:
        if p not in keep:
            shutil.rmtree(p, ignore_errors=True)


def read_meta(generation: Path) -> GenerationMeta:
    try:
        raw = json.loads((generation / _META).read_text("utf-8"))
        return GenerationMeta(**raw)
    except (OSError, ValueError, TypeError):
        return GenerationMeta(schema_version=0)


def write_meta(generation: Path, meta: GenerationMeta) -> None:
    meta.updated_at = _now()
    tmp = generation / (_META + ".tmp")
    tmp.write_text(json.dumps(asdict(meta), indent=2), "utf-8")
    os.replace(tmp, generation / _META)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_held_locks: set[int] = set()  # descriptors of the reindex locks this process holds


def _drop_inherited_locks() -> None:
    """In a forked child (a reindex worker): close the copies of the parent's lock
    descriptors, so that the lock dies with the parent, not with its last worker."""
    for fd in _held_locks:
        os.close(fd)
    _held_locks.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)


class ReindexLock:
    """Only one reindex per data directory. The OS frees the lock when its holder dies,
    so a lock left by a killed process is recovered without manual steps."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / _LOCK
        self._fd: int | None = None

    def __enter__(self) -> ReindexLock:
        if self.path.parent.exists() and not self.path.parent.is_dir():
            raise StoreError(f"the data directory {self.path.parent} is a file, not a folder")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:  # read-only, no permission
            raise StoreError(
                f"cannot use the data directory {self.path.parent}: {err.strerror or err}"
                + (f" ({err.filename})" if err.filename else "")
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise StoreError(
                f"another reindex is running on {self.path.parent} ({holder}); "
                "wait for it to finish"
            ) from None
        try:  # who holds the lock, for the message above; a full disk must not stop the run
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()}, started {_now()}".encode())
        except OSError:
            pass
        self._fd = fd
        _held_locks.add(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            _held_locks.discard(self._fd)
            self._fd = None
