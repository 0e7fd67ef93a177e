"""What a search needs of a commit, saved beside it as numpy arrays: built once, by the
reindex that makes the commit, and loaded by every opening (in milliseconds, where
building it reads every document or every segment's terms through the engine); and
the saving and loading every file newsdex keeps beside an index shares
(:func:`loaded_or_made`, :func:`write_whole`).

Each kind (the facet columns, the vocabulary) is ``<kind>-v<format>-<version>.npz``
in the generation's folder (numpy arrays, no pickles). A commit makes a new version,
hence a new file (the older versions of its kind are removed). A file that cannot be read,
or does not fit the index, is built again; a folder that cannot be written (a
read-only index) just goes unsaved. A save writes a temporary file and renames it:
one that a killed save left behind is removed by a later save, once it is older than
any save could take.
"""

from __future__ import annotations

import logging
import mmap
import os
import struct
import tempfile
import time
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np

log = logging.getLogger(__name__)
STALE_TEMPORARY = 600  # seconds: a temporary file this old belongs to a save that died
TEMPORARY = ".newsdex-"  # how a save's temporary file is named
T = TypeVar("T")


def saved_path(generation: Path, kind: str, version: int, form: int) -> Path:
    return generation / f"{kind}-v{form}-{version}.npz"


def saved_or_built(
    path: Path,
    build: Callable[[], T],
    to_arrays: Callable[[T], dict[str, np.ndarray]],
    from_arrays: Callable[[Mapping[str, np.ndarray]], T],
) -> T:
    """What is saved at ``path`` if it is there, whole and fits (``from_arrays`` raises
    otherwise), else built and saved."""

    def save(value: T, path: Path) -> T:
        _save(to_arrays(value), path)
        return value

    return loaded_or_made(path, lambda path: from_arrays(load_mapped(path)), build, save)


def loaded_or_made(path: Path, load: Callable[[Path], T], make: Callable[[], T], save: Callable[[T, Path], T]) -> T:
    """What ``load`` reads of ``path`` if it is there, whole and fits (``load`` raises
    otherwise: a damaged file is made again, with a warning), else what ``make`` makes,
    kept by ``save`` (which gives what to use from then on: the value, or the value as
    loaded again). A folder that cannot be written (a read-only index) goes without."""
    try:
        return load(path)
    except FileNotFoundError:
        pass
    except Exception as err:  # damaged in any way: what is made instead is right
        log.warning("rebuilding %s: it is unreadable (%s)", path.name, err)
    value = make()
    try:
        return save(value, path)
    except OSError as err:  # a read-only index: made on every opening
        log.info("%s not saved in %s: %s", path.name, path.parent, err)
        return value


def load_mapped(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file (as ``np.savez`` writes it: stored, not compressed),
    memory-mapped where they lie in it, read-only: opening costs no read of their data,
    and processes that open one index share its pages. (``np.load`` reads every array
    into memory: 0.25 s for the facet columns of a million articles.)"""
    arrays: dict[str, np.ndarray] = {}
    with open(path, "rb") as f, zipfile.ZipFile(f) as archive:
        whole = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        for info in archive.infolist():
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise ValueError(f"{info.filename}: not an array stored whole")
            f.seek(info.header_offset)
            local = f.read(30)  # (the local header: its name and extra field lengths end it)
            if local[:4] != b"PK\x03\x04":
                raise ValueError(f"{info.filename}: no local header where the directory says")
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            f.seek(info.header_offset + 30 + name_length + extra_length)
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(f)
            if dtype.hasobject:
                raise ValueError(f"{info.filename}: holds objects")
            arrays[info.filename[: -len(".npy")]] = np.ndarray(
                shape, dtype, buffer=whole, offset=f.tell(), order="F" if fortran else "C"
            )
    return arrays


def remove_others(path: Path, pattern: str) -> None:
    """Remove the files beside ``path`` that match ``pattern`` but are not ``path`` (what
    older rules or formats made of the same thing)."""
    for other in path.parent.glob(pattern):
        if other.name != path.name:
            other.unlink(missing_ok=True)


def _siblings(path: Path) -> str:
    """The pattern of the files of ``path``'s kind and format (any version)."""
    kind, form, _version = path.stem.rsplit("-", 2)
    return f"{kind}-{form}-*.npz"


def _version(path: Path) -> int:
    try:
        return int(path.stem.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return -1


def write_whole(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` whole or not at all: a temporary file (named ``TEMPORARY``...: a dot
    file, which the engine's clean-up and readers pass by), then a rename; and remove what
    saves killed before their rename left beside it."""
    fd, tmp = tempfile.mkstemp(prefix=TEMPORARY, suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, path.parent.stat().st_mode & 0o666)  # readable as the index is
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _remove_stale_temporaries(path.parent)


def _save(arrays: dict[str, Any], path: Path) -> None:
    write_whole(path, lambda f: np.savez(f, **arrays))
    for old in path.parent.glob(_siblings(path)):  # (not a newer version: another process saved it for a newer commit)
        if _version(old) < _version(path):
            old.unlink(missing_ok=True)


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files of saves killed before their rename (not those of a save
    going on in another process, which are recent)."""
    stale = time.time() - STALE_TEMPORARY
    for tmp in folder.glob(f"{TEMPORARY}*"):
        try:
            if tmp.stat().st_mtime < stale:
                tmp.unlink()
        except FileNotFoundError:
            pass  # another save's, renamed meanwhile
