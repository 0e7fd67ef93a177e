"""The .txt reader: article text scraped from a web page, furniture and all.

The first line is the headline if it reads like one; otherwise the title is
derived from the first sentence. Furniture (see :mod:`.furniture`) is dropped,
lines broken mid-sentence are re-joined, and paragraphs are separated by a
blank line in the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from indexer.article import Article, FileRead, Problem
from indexer.ingest import furniture
from indexer.ingest.decoding import read_text
from indexer.ingest.metadata import derive_title, first_date_in_text, normalise_source

MAX_HEADLINE_CHARS = 150
DATE_WINDOW_CHARS = 1000  # the publication date is looked for in the opening only

_ENDS_SENTENCE_RE = re.compile(r"[.!?:;][\"'”’)\]]*$")
# A line ending like this broke off mid-sentence (lowercase only: "Plan A" is a heading).
_ENDS_CONTINUATION_RE = re.compile(
    r"(?:[,(–—-]|\b(?:the|a|an|of|to|and|or|but|in|on|at|by|for|with|from|that|as"
    r"|had|has|have|was|were|is|are|be|been))$"
)
_LIST_ITEM_RE = re.compile(r"[-–•*]\s|\d{1,2}[.)]\s")
_OPENING_QUOTES = "\"'“‘«"
_TAIL_CHARS = 16  # the end-of-line regexes look at this much of a line, not all of it


@dataclass(frozen=True)
class ScrapedText:
    """A scraped page's text, cleaned: ``source`` is the outlet as written, if named."""

    title: str
    body: str
    source: str | None


def read_scraped_text(path: Path, rel: str) -> FileRead:
    """Read one scraped ``.txt`` article."""
    text, note = read_text(path)
    page = parse_scraped_text(text)
    read = FileRead(notes=[note] if note else [])
    if not page.body:
        read.problems.append(Problem(rel, "no text (only page furniture)"))
        return read
    source = normalise_source(page.source) if page.source else None
    read.articles.append(
        Article(
            id=rel.rpartition(".")[0],
            title=page.title,
            body=page.body,
            source=source[0] if source else None,
            source_name=source[1] if source else None,
            published=first_date_in_text(page.body[:DATE_WINDOW_CHARS]),
            origin=rel,
        )
    )
    return read


def parse_scraped_text(text: str) -> ScrapedText:
    """Split scraped text into title, body and named source, dropping furniture."""
    source: str | None = None
    lines: list[str] = []  # "" marks a blank line
    for raw in text.splitlines():
        line = raw.strip()
        if line and furniture.furniture_rule(line):
            continue
        named = furniture.source_line(line) if line else None
        if named:
            source = source or named
            continue
        lines.append(line)
    _drop_tail_furniture(lines)
    title = _drop_lead(lines)
    paragraphs = _paragraphs(lines)
    if paragraphs:
        dateline = furniture.split_dateline(paragraphs[0])
        if dateline:
            source = source or dateline[0]
            paragraphs[0] = dateline[1]
    body = "\n\n".join(p for p in paragraphs if p)
    return ScrapedText(title or derive_title(body), body, source)


def _drop_tail_furniture(lines: list[str]) -> None:
    while lines and (not lines[-1] or furniture.is_tail_furniture(lines[-1])):
        lines.pop()


def _drop_lead(lines: list[str]) -> str:
    """Blank out section labels and the headline in ``lines``; return the headline or ""."""
    lead = [i for i, line in enumerate(lines) if line][: furniture.LEAD_LINES]
    dropped = {
        i
        for k, i in enumerate(lead)
        if any(
            _reads_like_headline(lines[j])
            and furniture.is_section_label(lines[i], lines[j], above=k == 0 and j > i)
            for j in lead[max(k - 1, 0) : k + 2]
            if j != i
        )
    }
    first = next((i for i in lead if i not in dropped), None)
    title = ""
    if first is not None and _reads_like_headline(lines[first]):
        title = lines[first]
        dropped.add(first)
    for i in dropped:
        lines[i] = ""
    return title


def _reads_like_headline(line: str) -> bool:
    """Short, starting like a title (not lowercase, not a list item), not ending like a sentence."""
    return (
        len(line) <= MAX_HEADLINE_CHARS
        and not line[0].islower()
        and (line[0].isalnum() or line[0] in _OPENING_QUOTES)
        and not _ENDS_SENTENCE_RE.search(line, max(len(line) - _TAIL_CHARS, 0))
        and not line.endswith(",")
    )


def _paragraphs(lines: list[str]) -> list[str]:
    """Group lines into paragraphs: blank lines separate, broken sentences re-join."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and line and _continues(current[-1], line):
            current.append(line)
            continue
        if current:
            paragraphs.append(" ".join(current))
        current = [line] if line else []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` carries on the sentence ``previous`` broke off."""
    end = max(len(previous) - _TAIL_CHARS, 0)
    if _ENDS_SENTENCE_RE.search(previous, end) or _LIST_ITEM_RE.match(line):
        return False
    return line[0].islower() or line[0].isdigit() or _ENDS_CONTINUATION_RE.search(previous, end) is not None
