"""Preparing articles for the index: acronyms learned, actors found, story signatures.

This is the CPU-heavy part of reindex. Large batches are spread over worker
processes (one per core); small ones run in-process, where starting workers
would cost more than it saves.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from indexer.actors import ActorExtractor, collect_definitions, load_aliases
from indexer.article import Article
from indexer.stories import signature_bytes

PARALLEL_FROM = 2000  # articles; below this, workers are not worth starting
BATCH = 250

Prepared = tuple[tuple[str, ...], bytes]  # actor names, story signature

_extractor: ActorExtractor | None = None


def _start(aliases_path: Path | None, learned: dict[str, str], parent: int | None = None) -> None:
    global _extractor
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    table = load_aliases(aliases_path)
    _extractor = ActorExtractor(table.with_learned(learned) if learned else table)


def _exit_with(parent: int) -> None:
    """A worker's watch: when the reindex that started it dies (kill -9, a crash), end too."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _learn(batch: Sequence[Article]) -> list[dict[str, str]]:
    assert _extractor is not None
    return [_extractor.learn(article.title, article.body) for article in batch]


def _prepare(batch: Sequence[Article]) -> list[Prepared]:
    assert _extractor is not None
    return [
        (
            tuple(a.name for a in _extractor.extract(article.title, article.body)),
            signature_bytes(article),
        )
        for article in batch
    ]


def _batches(articles: Sequence[Article]) -> list[Sequence[Article]]:
    return [articles[i : i + BATCH] for i in range(0, len(articles), BATCH)]


class Preparer:
    """Runs the two passes over every changed article, in parallel when it pays."""

    def __init__(self, aliases_path: Path | None, workers: int | None = None) -> None:
        self.aliases_path = aliases_path
        self.workers = workers or os.cpu_count() or 1

    def learn(self, articles: Sequence[Article]) -> dict[str, str]:
        """Acronym definitions found anywhere in ``articles`` (acronym -> the long name
        most articles give it)."""
        return collect_definitions(d for part in self._map(_learn, articles, {}) for d in part)

    def prepare(self, articles: Sequence[Article], learned: dict[str, str]) -> Iterator[Prepared]:
        """Actors and story signature of each article, in order."""
        for part in self._map(_prepare, articles, learned):
            yield from part

    def _map(self, fn, articles: Sequence[Article], learned: dict[str, str]) -> Iterator:
        if self.workers < 2 or len(articles) < PARALLEL_FROM:
            _start(self.aliases_path, learned)
            yield from map(fn, _batches(articles))
            return
        with ProcessPoolExecutor(
            self.workers,
            mp_context=get_context("spawn"),
            initializer=_start,
            initargs=(self.aliases_path, learned, os.getpid()),
        ) as pool:
            yield from pool.map(fn, _batches(articles))
