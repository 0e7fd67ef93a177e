"""The .json and .jsonl readers: one article per JSON object.

Keys read: ``id``, ``title``, ``body`` (or ``text``/``content``), ``source``,
``url``, ``published`` (or ``date``/``published_at``/``publishedAt``),
``authors`` (or ``author``). Other keys are ignored. A bad object is a
:class:`Problem` (with its line in .jsonl); the others are still read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, AnyStr

from indexer.article import Article, FileRead, Problem
from indexer.ingest.decoding import (
    MAX_LINE_BYTES,
    SNIFF_CHARS,
    Unreadable,
    decode,
    is_utf16,
    read_text,
    too_large,
)
from indexer.ingest.metadata import derive_title, normalise_source, parse_date, source_from_url

BODY_KEYS = ("body", "text", "content")
DATE_KEYS = ("published", "date", "published_at", "publishedAt")
AUTHOR_KEYS = ("authors", "author")
_SKIP_CHUNK = 1024 * 1024


class BadRecord(ValueError):
    """JSON that cannot be read as an article; ``str()`` is the reason."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.line = line  # where in a .json file the JSON went wrong


def read_json(path: Path, rel: str) -> FileRead:
    """Read a .json file holding one article object or a list of them."""
    text, note = read_text(path)
    read = FileRead(notes=[note] if note else [])
    try:
        data = _parse(text)
    except BadRecord as error:
        read.problems.append(Problem(rel, str(error), error.line))
        return read
    stem = rel.rpartition(".")[0]
    if isinstance(data, dict):
        _add(read, data, stem, rel)
    elif isinstance(data, list) and data:
        for n, item in enumerate(data, 1):
            _add(read, item, f"{stem}:{n}", rel, where=f"item {n}: ")
    else:
        got = "an empty list" if data == [] else _type(data)
        read.problems.append(Problem(rel, f"expected an object or a list of objects, got {got}"))
    return read


def read_jsonl(path: Path, rel: str) -> FileRead:
    """Read a .jsonl file, one article object per line, streaming it line by line."""
    read = FileRead()
    stem = rel.rpartition(".")[0]
    seen_text = False
    for lineno, line in _text_lines(path, rel, read):
        if not line.strip():
            continue
        seen_text = True
        try:
            data = _parse(line)
        except BadRecord as error:
            read.problems.append(Problem(rel, str(error), lineno))
            continue
        _add(read, data, f"{stem}:{lineno}", rel, lineno=lineno)
    if not seen_text and not read.problems:
        raise Unreadable("no text (only whitespace)")
    return read


def _text_lines(path: Path, rel: str, read: FileRead) -> Iterator[tuple[int, str]]:
    """Numbered, decoded lines of ``path``; lines that cannot be read go to ``read.problems``."""
    with path.open("rb") as f:
        head = f.read(SNIFF_CHARS)
    if not head:
        raise Unreadable("empty file")
    utf16 = is_utf16(head)
    if b"\x00" in head and not utf16:
        raise Unreadable("binary file")
    # UTF-16 lines are limited in characters, two bytes each
    limit, scale = (MAX_LINE_BYTES // 2, 2) if utf16 else (MAX_LINE_BYTES, 1)
    opened: IO[Any] = path.open("r", encoding="utf-16", errors="replace") if utf16 else path.open("rb")
    with opened as f:
        for lineno, line in enumerate(_lines(f, limit), 1):
            if isinstance(line, int):
                read.problems.append(
                    Problem(rel, str(too_large(line * scale, MAX_LINE_BYTES, "line")), lineno)
                )
            elif isinstance(line, str):
                yield lineno, line
            else:
                try:
                    text, note = decode(line)
                except Unreadable as error:
                    read.problems.append(Problem(rel, str(error), lineno))
                    continue
                if note and note not in read.notes:
                    read.notes.append(note)
                yield lineno, text


def _lines(f: IO[AnyStr], limit: int) -> Iterator[AnyStr | int]:
    """The lines of ``f``; a line longer than ``limit`` is skipped and given as its length."""
    while line := f.readline(limit + 1):
        if len(line) <= limit or line[-1:] in ("\n", b"\n"):
            yield line
            continue
        size = len(line)
        while chunk := f.readline(_SKIP_CHUNK):
            size += len(chunk)
            if chunk[-1:] in ("\n", b"\n"):
                break
        yield size


def _parse(text: str) -> Any:
    """Parse JSON, raising :class:`BadRecord` with the reason it is invalid."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BadRecord(f"invalid JSON: {error.msg} (column {error.colno})", error.lineno) from None
    except RecursionError:
        raise BadRecord("invalid JSON: nested too deeply") from None
    except ValueError as error:  # a number of more than 4,300 digits (int_max_str_digits)
        raise BadRecord(f"invalid JSON: {str(error).split(':')[0]}") from None


def _add(
    read: FileRead, data: Any, default_id: str, rel: str, *, lineno: int | None = None, where: str = ""
) -> None:
    """Read one parsed object into ``read``: an article, a problem, or both."""
    try:
        article, date_problem = _article(data, default_id, rel, lineno)
    except BadRecord as error:
        read.problems.append(Problem(rel, f"{where}{error}", lineno))
        return
    read.articles.append(article)
    if date_problem:
        read.problems.append(Problem(rel, f"{where}{date_problem}", lineno))


def _article(data: Any, default_id: str, rel: str, lineno: int | None) -> tuple[Article, str | None]:
    """An :class:`Article` from one object, and why its date was ignored, if it was."""
    if not isinstance(data, dict):
        raise BadRecord(f"expected an object, got {_type(data)}")
    title = " ".join(_string(data, "title").split())
    body = _body(data)
    if not title and not body:
        raise BadRecord("no title and no body")
    url = _string(data, "url").strip() or None
    source = _source(data)
    if source is None and url:
        source = source_from_url(url)
    published, date_problem = _published(data)
    article = Article(
        id=_id(data) or default_id,
        title=title or derive_title(body),
        body=body,
        source=source[0] if source else None,
        source_name=source[1] if source else None,
        url=url,
        published=published,
        authors=_authors(data),
        origin=rel,
        line=lineno,
    )
    return article, date_problem


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, Any]:
    """The first of ``keys`` with a non-null value, and that value (``("", None)`` if none)."""
    for key in keys:
        if data.get(key) is not None:
            return key, data[key]
    return "", None


def _string(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"{key} must be a string, got {_type(value)}")
    return value


def _body(data: dict[str, Any]) -> str:
    key, value = _first(data, BODY_KEYS)
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "\n\n".join(part.strip() for part in value if part.strip())
    if value is not None and not isinstance(value, str):
        raise BadRecord(f"{key} must be a string or a list of strings, got {_type(value)}")
    return (value or "").strip()


def _id(data: dict[str, Any]) -> str:
    value = data.get("id")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadRecord(f"id must be a string or an integer, got {_type(value)}")
    return str(value).strip()


def _source(data: dict[str, Any]) -> tuple[str, str] | None:
    value = data.get("source")
    if isinstance(value, dict):  # {"id": "bbc-news", "name": "BBC News"}, as news APIs give it
        value = value.get("name")
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRecord(f"source must be a string, got {_type(value)}")
    return normalise_source(value)


def _published(data: dict[str, Any]) -> tuple[dt.date | None, str | None]:
    key, value = _first(data, DATE_KEYS)
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, f"date ignored: {key} must be a string, got {_type(value)}"
    published = parse_date(value)
    return published, None if published else f"date ignored: {key} {value[:40]!r} is not a valid date"


def _authors(data: dict[str, Any]) -> tuple[str, ...]:
    key, value = _first(data, AUTHOR_KEYS)
    if isinstance(value, str):
        value = value.split(";")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise BadRecord(f"{key} must be a string or a list of strings, got {_type(value)}")
    names = (" ".join(name.split()) for name in value)
    return tuple(dict.fromkeys(name for name in names if name))
