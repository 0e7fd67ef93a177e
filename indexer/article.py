"""The records that flow through newsdex: what a reader makes of a file.

file --(ingest)--> Article --(build)--> Document --(engine)--> index
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article as read from the corpus, before analysis.

    ``source`` is the normalised outlet key (``ghanaweb.com``) and
    ``source_name`` how it is shown (``www.ghanaweb.com`` or ``BBC News``).
    ``published`` is ``None`` when no date is known: newsdex never invents one.
    """

    id: str
    title: str
    body: str
    source: str | None = None
    source_name: str | None = None
    url: str | None = None
    published: dt.date | None = None
    authors: tuple[str, ...] = ()
    origin: str = ""  # path of the file relative to its corpus root, shown to users
    line: int | None = None  # line number inside a JSONL file


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input file (or one line of it), reported not raised."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class FileRead:
    """What reading one file gave: its articles and what went wrong in it.

    ``notes`` are informational decisions worth logging (an encoding fallback).
    """

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
