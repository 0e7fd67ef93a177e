"""The changed files' articles, handed on in rounds that fit the memory budget.

Reindex walks the articles twice: the acronyms defined anywhere in the corpus
("Group for the Support of Islam and Muslims (GSIM)") are learned before any
article's actors are found. The first walk reads every changed file and learns
from it; it keeps what it read while that fits in one round, so a corpus that
fits in memory is read once. The second walk hands the articles on in rounds of
at most the budget's characters of text, reading again the files the first
walk did not keep (a file that is not what it was in the first walk, changed or
gone meanwhile, is left out and reported). Only the round in hand, the file it
comes from (a file is read whole), and what reindex keeps of each article (its
id, its story's tables) are in memory, whatever the corpus's size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import NamedTuple, Protocol

from indexer.article import Article
from indexer.ingest import CorpusFile, read_file

ARTICLE_OVERHEAD = 300  # characters an article costs beyond its title and body (its other fields, objects)


class Changed(NamedTuple):
    """A corpus file that is new or changed since the last run."""

    file: CorpusFile
    key: str  # its file key (resolved path)
    digest: str  # content hash
    size: int  # bytes


class Entry(NamedTuple):
    """An article of a round, with the file it came from."""

    key: str
    digest: str
    article: Article


def size(article: Article) -> int:
    """What an article weighs against a round's budget (characters)."""
    return len(article.title) + len(article.body) + ARTICLE_OVERHEAD


class Rounds:
    """The articles of ``changed``: :meth:`first_walk` once, then iterated in rounds.

    ``read`` reads a file for the first walk (reporting its problems);
    ``round_chars`` gives the size of the next round, asked before each (it may
    shrink as what reindex keeps for the whole run grows); ``changed_meanwhile``
    is told of a file that the second walk found changed since the first.
    """

    def __init__(
        self,
        changed: list[Changed],
        read: Callable[[Changed], list[Article]],
        round_chars: Callable[[], int],
        changed_meanwhile: Callable[[Changed], None],
    ) -> None:
        self._changed, self._read, self._round_chars = changed, read, round_chars
        self._changed_meanwhile = changed_meanwhile
        self._kept: dict[str, list[Article]] = {}
        self._seen: dict[str, tuple[int, int]] = {}  # file key -> its size and its articles' ids, hashed
        self.articles = 0  # counted by the first walk

    def first_walk(self) -> Iterator[Article]:
        """Every article, file by file; those of the first files are kept while they fit one round."""
        keeping, chars = True, 0
        budget = self._round_chars()
        for changed in self._changed:
            articles = self._read(changed)
            self.articles += len(articles)
            self._seen[changed.key] = _fingerprint(changed, articles)
            if keeping:
                chars += sum(map(size, articles))
                keeping = chars <= budget  # (the files after are read again, round by round)
                if keeping:
                    self._kept[changed.key] = articles
            yield from articles

    def __iter__(self) -> Iterator[list[Entry]]:
        """The articles in order, in rounds of at most the budget's characters (at least one article)."""
        part: list[Entry] = []
        chars, budget = 0, self._round_chars()
        for changed in self._changed:
            articles = self._kept.pop(changed.key, None)
            if articles is None:  # its problems were reported by the first walk
                articles = read_file(changed.file.path, changed.file.root).articles
                if _fingerprint(changed, articles) != self._seen[changed.key]:
                    self._changed_meanwhile(changed)
                    continue
            for article in articles:
                weight = size(article)
                if part and chars + weight > budget:
                    box, part = [part], []
                    yield box.pop()  # (this frame keeps no hold on it: the caller frees it)
                    chars, budget = 0, self._round_chars()
                part.append(Entry(changed.key, changed.digest, article))
                chars += weight
        if part:
            box = [part]
            del part
            yield box.pop()


def _fingerprint(changed: Changed, articles: list[Article]) -> tuple[int, int]:
    """What tells a file read again from the one read first: its size now, its articles' ids."""
    try:
        now = os.stat(changed.file.path).st_size
    except OSError:
        now = -1
    return now, hash(tuple(a.id for a in articles))


class Kept(Protocol):
    """What a run keeps for the whole corpus, and how many bytes it holds now."""

    @property
    def nbytes(self) -> int: ...


class Budget:
    """How much text a round may hold: what the memory budget leaves once the run's fixed
    cost and what it keeps for the whole corpus (``keeping``: objects with an ``nbytes``,
    which grow as the run goes on) are counted.

    ``FIXED`` and ``PER_CHAR`` are measured (bench/README, "Memory"): the processes'
    interpreters, libraries and caches, and what a character of a round's text costs
    across them (the articles, their analysed postings, documents and segment buffers,
    forked workers' copies)."""

    FIXED = 800 << 20  # bytes
    PER_CHAR = 2  # bytes
    SMALLEST = 2_000_000  # characters: a round of ~1,500 articles, whatever the budget

    def __init__(self, memory: int, *keeping: Kept) -> None:
        self.memory, self._keeping = memory, keeping

    def round_chars(self) -> int:
        kept = sum(k.nbytes for k in self._keeping)
        return max(self.SMALLEST, (self.memory - self.FIXED - kept) // self.PER_CHAR)
