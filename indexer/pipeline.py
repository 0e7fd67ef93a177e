"""Preparing articles for the index: acronyms learned, actors found, text analysed,
story signatures.

This is the CPU-heavy part of reindex. Large batches are spread over worker
processes (one per core); small ones run in-process, where starting workers
would cost more than it saves.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, NamedTuple

from indexer.actors import ActorExtractor, AliasTable, collect_definitions, load_aliases
from indexer.analysis import terms
from indexer.article import Article
from indexer.backend.whoosh_engine import analysed_field
from indexer.stories import signature, story_terms

PARALLEL_FROM = 2000  # articles; below this, workers are not worth starting
BATCH = 250


class Prepared(NamedTuple):
    """What the index needs of an article beyond the article itself."""

    actors: tuple[str, ...]  # canonical names
    signature: bytes  # story signature
    analysed: dict[str, Any]  # text field -> its postings, in the engine's form


_table: AliasTable | None = None  # this process's alias table, and its extractor:
_extractor: ActorExtractor | None = None
_learned: dict[str, str] = {}  # the learned aliases the extractor knows


def _start(aliases_path: Path | None, parent: int | None = None) -> None:
    global _table, _extractor, _learned
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _table = load_aliases(aliases_path)
    _extractor, _learned = ActorExtractor(_table), {}


def _exit_with(parent: int) -> None:
    """A worker's watch: when the reindex that started it dies (kill -9, a crash), end too."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _learn(batch: Sequence[Article]) -> list[dict[str, str]]:
    assert _extractor is not None
    return [_extractor.learn(article.title, article.body) for article in batch]


def _prepare(batch: Sequence[Article], learned: dict[str, str]) -> list[Prepared]:
    global _extractor, _learned
    assert _table is not None and _extractor is not None
    if learned != _learned:
        _extractor, _learned = ActorExtractor(_table.with_learned(learned) if learned else _table), learned
    return [prepare(_extractor, article) for article in batch]


def prepare(extractor: ActorExtractor, article: Article) -> Prepared:
    """One article's actors, story signature and analysed title and body (one analysis
    serves the postings and the signature)."""
    title, body = terms(article.title), terms(article.body)
    return Prepared(
        tuple(a.name for a in extractor.extract(article.title, article.body)),
        signature(story_terms(article, title, body)),
        {"title": analysed_field(title), "body": analysed_field(body)},
    )


def _context() -> BaseContext:
    """Fork where it is safe (this process runs one thread): the workers then start with
    everything imported (two seconds each otherwise, NLTK pulling in SciPy); else spawn."""
    return get_context("fork" if threading.active_count() == 1 and "fork" in get_all_start_methods() else "spawn")


def _batches(articles: Sequence[Article]) -> list[Sequence[Article]]:
    return [articles[i : i + BATCH] for i in range(0, len(articles), BATCH)]


class Preparer:
    """Runs the two passes over the changed articles: in worker processes (one per
    core, started once for both passes) when there are enough of them to pay."""

    def __init__(self, aliases_path: Path | None, count: int, workers: int | None = None) -> None:
        workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        if workers >= 2 and count >= PARALLEL_FROM:
            context = _context()
            self._pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start, initargs=(aliases_path, os.getpid())
            )
            if context.get_start_method() == "fork":
                # Forked workers share the parent's memory until they write to it, and a
                # garbage collection writes to every object it visits: keep the objects
                # of this moment out of the workers' collections.
                gc.freeze()
                try:
                    self._pool.submit(int).result()  # forks the workers now
                finally:
                    gc.unfreeze()
        else:
            _start(aliases_path)

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def learn(self, articles: Sequence[Article]) -> dict[str, str]:
        """Acronym definitions found anywhere in ``articles`` (acronym -> the long name
        most articles give it)."""
        return collect_definitions(d for part in self._map(_learn, _batches(articles)) for d in part)

    def prepare(self, articles: Sequence[Article], learned: dict[str, str]) -> Iterator[Prepared]:
        """Actors, story signature and analysed text of each article, in order."""
        batches = _batches(articles)
        for part in self._map(_prepare, batches, [dict(learned)] * len(batches)):
            yield from part

    def _map(self, fn: Callable[..., list], *args: Sequence) -> Iterator[list]:
        return self._pool.map(fn, *args) if self._pool is not None else map(fn, *args)
