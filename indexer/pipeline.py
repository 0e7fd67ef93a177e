"""Preparing articles for the index: acronyms learned, actors found, text analysed,
story signatures.

This is the CPU-heavy part of reindex. Large runs are spread over worker
processes (one per core); small ones run in-process, where starting workers
would cost more than it saves.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, NamedTuple

from indexer.actors import ActorExtractor, collect_definitions, load_aliases
from indexer.analysis import terms
from indexer.article import Article
from indexer.backend.whoosh_segments import field_postings
from indexer.stories import signature, story_terms

PARALLEL_FROM = 2000  # articles; below this, workers are not worth starting
BATCH = 250


class Prepared(NamedTuple):
    """What the index needs of an article beyond the article itself."""

    actors: tuple[str, ...]  # canonical names
    signature: bytes  # story signature
    analysed: dict[str, Any]  # text field -> its postings, in the engine's form


_extractor: ActorExtractor | None = None  # this process's


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


def _prepare(batch: Sequence[Article]) -> list[Prepared]:
    assert _extractor is not None
    return [prepare(_extractor, article) for article in batch]


def prepare(extractor: ActorExtractor, article: Article) -> Prepared:
    """One article's actors, story signature and analysed title and body (one analysis
    serves the postings and the signature)."""
    title, body = terms(article.title), terms(article.body)
    return Prepared(
        tuple(a.name for a in extractor.extract(article.title, article.body)),
        signature(story_terms(article, title, body)),
        {"title": field_postings(title), "body": field_postings(body)},
    )


def _context() -> BaseContext:
    """Fork where it is safe (this process runs one thread): the workers then start with
    everything imported (two seconds each otherwise, NLTK pulling in SciPy); else spawn."""
    return get_context("fork" if threading.active_count() == 1 and "fork" in get_all_start_methods() else "spawn")


def _batches(articles: Sequence[Article]) -> list[Sequence[Article]]:
    return [articles[i : i + BATCH] for i in range(0, len(articles), BATCH)]


class Preparer:
    """Runs the two passes over the changed articles: acronyms are learned in this
    process (a quick scan, cheaper than sending every article to a worker for it),
    then the rest in worker processes, one per core, when there are enough articles
    to pay for them."""

    def __init__(self, aliases_path: Path | None, workers: int | None = None) -> None:
        self.aliases_path = aliases_path
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def learn(self, articles: Sequence[Article]) -> dict[str, str]:
        """Acronym definitions found anywhere in ``articles`` (acronym -> the long name
        most articles give it)."""
        learner = ActorExtractor(load_aliases(self.aliases_path))
        return collect_definitions(learner.learn(a.title, a.body) for a in articles)

    def prepare(self, articles: Sequence[Article], learned: dict[str, str]) -> Iterator[Prepared]:
        """Actors, story signature and analysed text of each article, in order (the work
        is handed to the workers at once; results come as they are ready)."""
        if self.workers < 2 or len(articles) < PARALLEL_FROM:
            _start(self.aliases_path, learned)
            return chain.from_iterable(map(_prepare, _batches(articles)))
        context = _context()
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_start, initargs=(self.aliases_path, learned, os.getpid())
        )
        if context.get_start_method() == "fork":
            # Forked workers share the parent's memory until they write to it, and a
            # garbage collection writes to every object it visits: keep the objects of
            # this moment out of the workers' collections.
            gc.freeze()
            try:
                self._pool.submit(int).result()  # forks the workers now
            finally:
                gc.unfreeze()
        return chain.from_iterable(self._pool.map(_prepare, _batches(articles)))
