"""The ingest layer: corpus paths → files → :class:`~indexer.article.Article`.

:func:`iter_corpus` finds the files, :func:`read_file` reads one of them with
the reader for its suffix. Neither raises for bad input: what goes wrong
comes back as a :class:`~indexer.article.Problem`.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.article import Article, FileRead, Problem
from indexer.ingest.decoding import Unreadable
from indexer.ingest.html_page import read_html_page
from indexer.ingest.json_articles import read_json, read_jsonl
from indexer.ingest.scraped_text import read_scraped_text

_READERS: dict[str, Callable[[Path, str], FileRead]] = {
    ".txt": read_scraped_text,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".html": read_html_page,
    ".htm": read_html_page,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_READERS)
# Lone surrogates: from "\\ud800" escapes in JSON, or file names that are not UTF-8
# (decoded with surrogateescape). No UTF-8 writer (the index, a web page) can encode them.
_SURROGATES = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS = ("id", "title", "body", "source", "source_name", "url", "origin")
# One article's limits. A file may hold 20 MB, but no news article is that long, and
# analysing one huge text takes memory and time out of all proportion (a 19 MB body
# took 2 GB and made the tokenizer give up); longer text is cut, with a problem reported.
MAX_BODY_CHARS = 500_000
MAX_TITLE_CHARS = 1_000
MAX_ID_CHARS = 256
MAX_URL_CHARS = 2_048


@dataclass(frozen=True)
class CorpusFile:
    """A file to read: ``rel`` is its POSIX path relative to ``root``."""

    path: Path
    root: Path
    rel: str


def read_file(path: Path, root: Path) -> FileRead:
    """Read the articles in one file; never raises for bad or vanished input."""
    rel = unsurrogate(_relative(path, root))
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        return FileRead(problems=[Problem(rel, f"unsupported file type ({path.suffix or 'no suffix'})")])
    try:
        read = reader(path, rel)
    except Unreadable as error:
        return FileRead(problems=[Problem(rel, str(error))])
    except OSError as error:
        return FileRead(problems=[Problem(rel, f"cannot read: {error.strerror or error}")])
    articles, read.articles = read.articles, []
    for article in articles:
        bounded = _bounded(_clean(article), rel, read.problems)
        if bounded is not None:
            read.articles.append(bounded)
    return read


def unsurrogate(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so that it can be written as UTF-8."""
    return _SURROGATES.sub("\ufffd", text) if not text.isascii() else text


def _clean(article: Article) -> Article:
    changes: dict[str, object] = {
        name: unsurrogate(value)
        for name in _TEXT_FIELDS
        if (value := getattr(article, name)) and not value.isascii() and _SURROGATES.search(value)
    }
    if any(_SURROGATES.search(name) for name in article.authors):
        changes["authors"] = tuple(unsurrogate(name) for name in article.authors)
    return replace(article, **changes) if changes else article  # type: ignore[arg-type]


def _bounded(article: Article, rel: str, problems: list[Problem]) -> Article | None:
    """``article`` within the limits above (its text cut, if need be), or None if its id is too long."""
    where = "" if article.line else f"article '{article.id[:60]}': "
    if len(article.id) > MAX_ID_CHARS:
        problems.append(Problem(rel, f"id longer than {MAX_ID_CHARS} characters: skipped", article.line))
        return None
    changes: dict[str, object] = {}
    for name, limit in (("title", MAX_TITLE_CHARS), ("body", MAX_BODY_CHARS)):
        text = getattr(article, name)
        if len(text) > limit:
            changes[name] = _cut(text, limit)
            problems.append(
                Problem(rel, f"{where}{name} cut to {limit:,} characters (it had {len(text):,})", article.line)
            )
    if article.url and len(article.url) > MAX_URL_CHARS:
        changes["url"] = None
        problems.append(Problem(rel, f"{where}url ignored: longer than {MAX_URL_CHARS} characters", article.line))
    return replace(article, **changes) if changes else article  # type: ignore[arg-type]


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a space if there is one near the end."""
    limit -= 1  # room for the "…"
    space = max(text.rfind(" ", limit - 200, limit), text.rfind("\n", limit - 200, limit))
    return text[: space if space > 0 else limit].rstrip() + "…"


def _relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (a fast path for what the walk gives)."""
    text, prefix = str(path), os.path.join(str(root), "")
    rel = text[len(prefix) :] if text.startswith(prefix) else str(path.relative_to(root))
    return rel.replace(os.sep, "/")


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
            yield from _walk(path, info)
        else:
            yield CorpusFile(path, path.parent, path.name)


def _walk(root: Path, info: os.stat_result) -> Iterator[CorpusFile | Problem]:
    """Depth-first, name-sorted walk of ``root`` that reports instead of raising."""
    seen = {_identity(info)}
    entries, error = _entries(root)
    if error:
        yield Problem(str(root), error)
    # one frame per open folder: (its identity, its rel prefix, its remaining entries)
    stack = [(_identity(info), "", iter(entries))]
    while stack:
        _, prefix, remaining = stack[-1]
        entry = next(remaining, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        rel = prefix + entry.name
        try:
            info = os.stat(entry.path)
        except OSError as error:
            broken = entry.is_symlink() and isinstance(error, FileNotFoundError)
            yield Problem(rel, "broken symlink" if broken else _reason(error, "vanished during the walk"))
            continue
        if stat.S_ISDIR(info.st_mode):
            identity = _identity(info)
            if identity in seen:
                loop = any(frame[0] == identity for frame in stack)
                yield Problem(
                    rel, "symlink loop: not followed" if loop else "folder already read by another path"
                )
                continue
            seen.add(identity)
            entries, why = _entries(Path(entry.path))
            if why:
                yield Problem(rel, why)
            stack.append((identity, rel + "/", iter(entries)))
        elif not stat.S_ISREG(info.st_mode):
            yield Problem(rel, "not a regular file")
        elif Path(entry.name).suffix.lower() in SUPPORTED_SUFFIXES:
            yield CorpusFile(Path(entry.path), root, rel)


def _entries(folder: Path) -> tuple[list[os.DirEntry[str]], str | None]:
    """The entries of ``folder`` sorted by name, or none and why."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name), None
    except OSError as error:
        return [], _reason(error, "vanished during the walk")


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _reason(error: OSError, not_found: str) -> str:
    if isinstance(error, FileNotFoundError):
        return not_found
    return f"cannot read: {error.strerror or error}"
