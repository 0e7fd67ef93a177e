"""The CPU-heavy passes of reindex over the articles to add.

1. acronyms learned ("Group for the Support of Islam and Muslims (GSIM)"):
   in this process, a quick scan;
2. each article prepared: its actors found, its title and body analysed, its
   story signature made (reindex then gives each article its story, in order,
   and writes its document).

Large runs prepare with worker processes, started once for the run, at its
start: forked then, they copy only what this process held before it read
anything (a worker forked later would hold, and count, a copy of the round in
hand). Articles go to them by value, a task at a time. The pass is split by
stage, not by article: the workers find the actors while this process analyses
the text and writes the documents, each going on with the other's stage from
the far end when it runs ahead (:class:`_Stages`); so each stage's caches
(stems, verdicts on names) are made once, in the process that keeps using
them, not once per worker.
Small runs do everything in this process, where starting workers would cost
more than it saves.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any, NamedTuple

from indexer.actors import ActorExtractor, collect_definitions, load_aliases
from indexer.analysis import terms
from indexer.article import Article
from indexer.build.gc_freeze import frozen
from indexer.build.stories import signature, story_terms
from indexer.engine.postings import FieldPostings, field_postings
from indexer.engine.schema import TEXT_FIELDS
from indexer.processes import end_with_parent

PARALLEL_FROM = 2000  # articles; below this, workers are not worth starting
FILE_BYTES_PER_ARTICLE = 1000  # about (in JSON, text, HTML): workers are started before articles are counted
BATCH = 250  # articles in one task of the preparing pass


def worth_workers(corpus_bytes: int) -> bool:
    """Whether a run over files of ``corpus_bytes`` may have enough articles for workers."""
    return corpus_bytes >= PARALLEL_FROM * FILE_BYTES_PER_ARTICLE


class Prepared(NamedTuple):
    """What the index needs of an article beyond the article itself."""

    actors: tuple[str, ...]  # canonical names
    signature: bytes  # story signature
    analysed: dict[str, FieldPostings]  # text field -> its postings


def prepare(extractor: ActorExtractor, article: Article) -> Prepared:
    """One article's actors, story signature and analysed title and body."""
    return Prepared(actor_names(extractor, article), *analyse(article))


def actor_names(extractor: ActorExtractor, article: Article) -> tuple[str, ...]:
    return tuple(a.name for a in extractor.extract(article.title, article.body))


def analyse(article: Article) -> tuple[bytes, dict[str, FieldPostings]]:
    """The story signature and the analysed title and body (one analysis serves both)."""
    title, body = terms(article.title), terms(article.body)
    return signature(story_terms(article, title, body)), dict(zip(TEXT_FIELDS, map(field_postings, (title, body))))


# --- in the worker processes ----------------------------------------------------------

_extractor: ActorExtractor | None = None
_extractor_for: tuple[Path | None, dict[str, str]] | None = None  # the aliases file and acronyms it knows


def _start(parent: int) -> None:
    end_with_parent(parent)


def _find_actors(articles: Sequence[Article], aliases: Path | None, learned: dict[str, str]) -> list[tuple[str, ...]]:
    """The actors of a task's articles, by an extractor kept for the run (and its caches)."""
    global _extractor, _extractor_for
    if _extractor is None or _extractor_for != (aliases, learned):
        _extractor, _extractor_for = _new_extractor(aliases, learned), (aliases, learned)
    return _actors_of(_extractor, articles)


def _actors_of(extractor: ActorExtractor, articles: Sequence[Article]) -> list[tuple[str, ...]]:
    return [actor_names(extractor, a) for a in articles]


def _analysed(articles: Sequence[Article]) -> list[tuple[bytes, dict[str, Any]]]:
    return [analyse(a) for a in articles]


def _new_extractor(aliases: Path | None, learned: dict[str, str]) -> ActorExtractor:
    table = load_aliases(aliases)
    return ActorExtractor(table.with_learned(learned) if learned else table)


# --- in the reindex process -----------------------------------------------------------


class Preparer:
    """Runs the passes, in worker processes when there are enough articles to pay for them."""

    def __init__(self, aliases_path: Path | None, workers: int | None = None) -> None:
        self.aliases_path = aliases_path
        self.workers = workers or os.cpu_count() or 1
        self.learned: dict[str, str] = {}  # acronym -> long name, for the passes
        self._extractor: ActorExtractor | None = None  # for passes in this process (keeps its caches)
        self._pool: ProcessPoolExecutor | None = None

    @contextmanager
    def running(self, large: bool) -> Iterator[Preparer]:
        """The preparer of a run; a ``large`` one's workers are started now, before the
        run reads anything, and stopped when the block ends."""
        if not large or self.workers < 2:
            yield self
            return
        context = _context()
        self._pool = ProcessPoolExecutor(self.workers - 1, mp_context=context, initializer=_start, initargs=(os.getpid(),))
        try:
            if context.get_start_method() == "fork":
                # Forked workers share this process's memory until they write to it, and a
                # garbage collection writes to every object it visits: keep the objects of
                # this moment out of the workers' collections.
                with frozen():
                    self._pool.submit(int).result()  # forks the workers now
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop the workers, if any (the passes are done: their memory is given back before
        the commit's merge and columns take theirs)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def learn(self, articles: Iterable[Article], known: dict[str, str]) -> dict[str, str]:
        """``known`` acronym definitions with those found anywhere in ``articles`` (the
        long name most articles give an acronym); the passes use them all."""
        learner = ActorExtractor(load_aliases(self.aliases_path))
        self.learned = known | collect_definitions(learner.learn(a.title, a.body) for a in articles)
        self._extractor = None
        return self.learned

    @contextmanager
    def prepare(self, articles: Sequence[Article]) -> Iterator[Iterator[Prepared]]:
        """Each article prepared, in order, as they are ready (the workers' tasks left are
        cancelled when the block ends)."""
        if self._pool is None or len(articles) < PARALLEL_FROM:
            extractor = self._own_extractor()
            yield (prepare(extractor, a) for a in articles)
            return
        tasks = [articles[i : i + BATCH] for i in range(0, len(articles), BATCH)]
        stages = _Stages(self._pool, tasks, self._own_extractor, (self.aliases_path, self.learned))
        try:
            # This process's share of the pass makes long-lived objects (the round's
            # results) while the articles stay: frozen after each task, they are spared
            # the collections that would go over them again and again.
            with frozen():
                yield iter(stages)
        finally:
            stages.cancel()

    def _own_extractor(self) -> ActorExtractor:
        """The extractor of this process (made once a round of learning: it keeps its caches)."""
        if self._extractor is None:
            self._extractor = _new_extractor(self.aliases_path, self.learned)
        return self._extractor


class _Stages:
    """The preparing pass over ``tasks`` (lists of articles), shared between the workers
    and this process, as :class:`Prepared` in order when iterated.

    The workers take the tasks in order, each task's actors then its text. This
    process, which also writes every document (a thing only it can do), analyses
    a task's text itself when it reaches a task the workers have not started;
    while it waits for a task's results, it analyses the text of the last tasks
    they have not reached, else finds their actors. Both sides meet where their
    speeds balance: this process never waits idle while there is work, the
    workers do not wait on it, and by the time they are done it has only the
    last task to write. The actors, whose caches are the costliest to fill, are
    mostly found in the workers.
    """

    def __init__(
        self,
        pool: ProcessPoolExecutor,
        tasks: list[Sequence[Article]],
        extractor: Callable[[], ActorExtractor],
        actors: tuple[Path | None, dict[str, str]],
    ) -> None:
        self._tasks, self._extractor = tasks, extractor
        # by task, until its results are handed on
        self._actors: dict[int, Future] = {}
        self._texts: dict[int, Future] = {}
        for i, task in enumerate(tasks):
            self._actors[i] = pool.submit(_find_actors, task, *actors)
            self._texts[i] = pool.submit(_analysed, task)
        self._last_text = self._behind = len(tasks) - 1  # the last task whose text, or actors, it may take

    def __iter__(self) -> Iterator[Prepared]:
        for i in range(len(self._tasks)):
            self._take(self._texts, i, _analysed)
            while not (self._actors[i].done() and self._texts[i].done()) and self._work_ahead(i):
                pass
            for names, (sig, analysed) in zip(self._actors.pop(i).result(), self._texts.pop(i).result()):
                yield Prepared(names, sig, analysed)
            self._tasks[i] = ()  # (its articles are the caller's now)
            gc.freeze()  # see Preparer.prepare

    def cancel(self) -> None:
        """Cancel the tasks the workers have not started (a pass ended early)."""
        for future in [*self._actors.values(), *self._texts.values()]:
            future.cancel()

    def _work_ahead(self, i: int) -> bool:
        """Do work the workers have not started, from the last task back to task ``i``:
        a task's text, else its actors; False when none is left."""
        while self._last_text > i:
            self._last_text -= 1
            if self._take(self._texts, self._last_text + 1, _analysed):
                return True
        while self._behind >= i:
            self._behind -= 1
            if self._take(self._actors, self._behind + 1, self._find_actors):
                return True
        return False

    def _take(self, futures: dict[int, Future], i: int, work: Callable[[Sequence[Article]], list[Any]]) -> bool:
        """Do task ``i``'s work here if the workers have not started it."""
        if not futures[i].cancel():
            return False
        done: Future = Future()
        done.set_result(work(self._tasks[i]))
        futures[i] = done
        return True

    def _find_actors(self, articles: Sequence[Article]) -> list[tuple[str, ...]]:
        return _actors_of(self._extractor(), articles)


def _context() -> Any:
    """Fork where it is safe (this process runs one thread): the workers then start with
    everything imported (a spawned one imports it all again); else spawn."""
    return get_context("fork" if threading.active_count() == 1 and "fork" in get_all_start_methods() else "spawn")
