"""The ingest layer: corpus paths → files → :class:`~indexer.article.Article`.

:func:`iter_corpus` finds the files, :func:`read_file` reads one of them with
the reader for its suffix. Neither raises for bad input: what goes wrong
comes back as a :class:`~indexer.article.Problem`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.article import FileRead, Problem
from indexer.readers.decoding import Unreadable
from indexer.readers.html_page import read_html_page
from indexer.readers.json_articles import read_json, read_jsonl
from indexer.readers.scraped_text import read_scraped_text

_READERS: dict[str, Callable[[Path, str], FileRead]] = {
    ".txt": read_scraped_text,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".html": read_html_page,
    ".htm": read_html_page,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_READERS)


@dataclass(frozen=True)
class CorpusFile:
    """A file to read: ``rel`` is its POSIX path relative to ``root``."""

    path: Path
    root: Path
    rel: str


def read_file(path: Path, root: Path) -> FileRead:
    """Read the articles in one file; never raises for bad or vanished input."""
    rel = path.relative_to(root).as_posix()
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        return FileRead(problems=[Problem(rel, f"unsupported file type ({path.suffix or 'no suffix'})")])
    try:
        return reader(path, rel)
    except Unreadable as error:
        return FileRead(problems=[Problem(rel, str(error))])
    except OSError as error:
        return FileRead(problems=[Problem(rel, f"cannot read: {error.strerror or error}")])


def iter_corpus(paths: Sequence[Path]) -> Iterator[CorpusFile | Problem]:
    """The files to read under ``paths``, in a stable order, and what could not be walked.

    A folder is walked recursively in sorted order, skipping hidden entries
    and files of unsupported types; symlinked folders are followed once.
    A file given directly is always yielded, with its folder as root.
    """
    for path in paths:
        try:
            info = path.stat()
        except OSError as error:
            yield Problem(str(path), _reason(error, "no such file or directory"))
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path)
        else:
            yield CorpusFile(path, path.parent, path.name)


def _walk(root: Path) -> Iterator[CorpusFile | Problem]:
    """Depth-first, sorted walk of ``root`` that reports instead of raising."""
    seen = {_identity(os.stat(root))}
    stack: list[Iterator[os.DirEntry[str]]] = [iter(_entries(root, root, []))]
    problems: list[Problem] = []
    while stack:
        yield from problems
        problems.clear()
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        rel = Path(entry.path).relative_to(root).as_posix()
        try:
            info = os.stat(entry.path)
        except OSError as error:
            broken = entry.is_symlink() and isinstance(error, FileNotFoundError)
            problems.append(Problem(rel, "broken symlink" if broken else _reason(error, "vanished during the walk")))
            continue
        if stat.S_ISDIR(info.st_mode):
            if _identity(info) in seen:
                problems.append(Problem(rel, "symlink to a folder already read: not followed"))
            else:
                seen.add(_identity(info))
                stack.append(iter(_entries(Path(entry.path), root, problems)))
        elif not stat.S_ISREG(info.st_mode):
            problems.append(Problem(rel, "not a regular file"))
        elif Path(entry.name).suffix.lower() in SUPPORTED_SUFFIXES:
            yield CorpusFile(Path(entry.path), root, rel)
    yield from problems


def _entries(folder: Path, root: Path, problems: list[Problem]) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` by name; an unreadable folder is a problem and has none."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as error:
        problems.append(Problem(folder.relative_to(root).as_posix(), _reason(error, "vanished during the walk")))
        return []


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _reason(error: OSError, not_found: str) -> str:
    if isinstance(error, FileNotFoundError):
        return not_found
    return f"cannot read: {error.strerror or error}"
