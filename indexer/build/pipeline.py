"""The CPU-heavy passes of reindex over the articles to add.

1. acronyms learned ("Group for the Support of Islam and Muslims (GSIM)"):
   in this process, a quick scan;
2. each article prepared: its actors found, its title and body analysed, its
   story signature made (reindex then gives each article its story, in order);
3. the documents written into segments.

Large runs do passes 2 and 3 with worker processes. Pass 2 is split by stage,
not by article: the workers find the actors while this process analyses the
text, each going on with the other's stage from the far end when it runs
ahead (:class:`_Stages`); so each stage's caches (stems, verdicts on names)
are made once, in the process that keeps using them, not once per worker.
In pass 3 this process and the workers, one per core in all, each write a
share of the documents into segments of their own, which the reindex's
writer commits together.
Small runs do everything in this process, where starting workers would cost
more than it saves.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any, NamedTuple

from indexer.actors import ActorExtractor, collect_definitions, load_aliases
from indexer.analysis import terms
from indexer.article import Article
from indexer.build.document import Document
from indexer.build.gc_freeze import frozen
from indexer.build.progress import Progress
from indexer.build.stories import signature, story_terms
from indexer.engine.base import EngineIndex, EngineWriter
from indexer.engine.postings import FieldPostings, field_postings
from indexer.engine.schema import TEXT_FIELDS
from indexer.processes import end_with_parent

PARALLEL_FROM = 2000  # articles; below this, workers are not worth starting
BATCH = 250  # articles in one task of the preparing pass
PROGRESS_EVERY = 0.5  # seconds between progress updates while workers write
PROGRESS_DOCS = 100  # documents written between updates of the written count


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
_shared: Sequence[Any] = ()  # the items of the pass, inherited by forked workers
_engine: EngineIndex | None = None  # the index the write pass writes segments for
_written: Synchronized | None = None  # articles written so far, counted by all workers

Task = tuple[int, int] | list[Any]  # a range of the inherited items, or the items


def _start(
    shared: Sequence[Any], actors: tuple[Path | None, dict[str, str]] | None, engine: Any, written: Any, parent: int
) -> None:
    """A worker's set-up: the extractor for the preparing pass (``actors``: aliases file
    and learned acronyms), the engine and counter for the writing pass."""
    global _extractor, _shared, _engine, _written
    end_with_parent(parent)
    _extractor = _new_extractor(*actors) if actors else None
    _shared, _engine, _written = shared, engine, written


def _items(task: Task, shared: Sequence[Any] | None = None) -> Sequence[Any]:
    """The items of ``task``: its range of ``shared`` (by default, what the worker inherited)."""
    if isinstance(task, tuple):
        return (_shared if shared is None else shared)[task[0] : task[1]]
    return task


def _find_actors(task: Task) -> list[tuple[str, ...]]:
    assert _extractor is not None
    return _actors_of(_extractor, _items(task))


def _analyse(task: Task) -> list[tuple[bytes, dict[str, Any]]]:
    return _analysed(_items(task))


def _actors_of(extractor: ActorExtractor, articles: Sequence[Article]) -> list[tuple[str, ...]]:
    return [actor_names(extractor, a) for a in articles]


def _analysed(articles: Sequence[Article]) -> list[tuple[bytes, dict[str, Any]]]:
    return [analyse(a) for a in articles]


def _write_part(task: Task) -> list[Any]:
    """Write the task's documents into new segments; returns them, uncommitted."""
    assert _written is not None and _engine is not None
    writer = _engine.part_writer()
    try:
        for i, doc in enumerate(_items(task), 1):
            writer.add(doc.fields(), doc.analysed)
            if i % PROGRESS_DOCS == 0:
                with _written.get_lock():
                    _written.value += PROGRESS_DOCS
        return writer.finish()
    except BaseException:
        writer.cancel()
        raise


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
        self._rounds = 0  # parallel preparing passes so far

    def learn(self, articles: Sequence[Article], known: dict[str, str]) -> dict[str, str]:
        """``known`` acronym definitions with those found anywhere in ``articles`` (the
        long name most articles give an acronym); the passes use them all."""
        learner = ActorExtractor(load_aliases(self.aliases_path))
        self.learned = known | collect_definitions(learner.learn(a.title, a.body) for a in articles)
        self._extractor = None
        return self.learned

    @contextmanager
    def prepare(self, articles: Sequence[Article]) -> Iterator[Iterator[Prepared]]:
        """Each article prepared, in order, as they are ready (the workers of a parallel
        pass stop when the block ends)."""
        if not self._parallel(articles):
            extractor = self._own_extractor()
            yield (prepare(extractor, a) for a in articles)
            return
        if self._rounds:
            _release_free_memory()  # the last round's documents and segment buffers
        self._rounds += 1
        context = _context()
        with self._pool(context, articles, self.workers - 1, actors=(self.aliases_path, self.learned)) as pool:
            # This process's share of the pass makes long-lived objects (the documents of
            # the round) while the articles stay: frozen after each task, they are spared
            # the collections that would go over them again and again.
            with frozen():
                yield iter(_Stages(pool, articles, _tasks(context, articles, BATCH), self._own_extractor))

    def _own_extractor(self) -> ActorExtractor:
        """The extractor of this process (made once a round of learning: it keeps its caches)."""
        if self._extractor is None:
            self._extractor = _new_extractor(self.aliases_path, self.learned)
        return self._extractor

    def write(self, documents: Sequence[Document], engine: EngineIndex, writer: EngineWriter, progress: Progress) -> None:
        """Add every document to ``writer``'s commit: this process writes the first share
        itself, workers the others into segments of their own."""
        if not self._parallel(documents):
            for doc in documents:
                writer.add(doc.fields(), doc.analysed)
                progress.update()
            return
        context = _context()
        written = context.Value("q", 0)  # by the workers
        share = -(-len(documents) // self.workers)
        with self._pool(context, documents, self.workers - 1, engine=engine, written=written) as pool:
            futures = [pool.submit(_write_part, task) for task in _tasks(context, documents, share)[1:]]
            shown = own = 0
            for own, doc in enumerate(documents[:share], 1):
                writer.add(doc.fields(), doc.analysed)
                if own % PROGRESS_DOCS == 0:
                    progress.update(own + written.value - shown)
                    shown = own + written.value
            writer.close_segment()  # while the workers write theirs, not after
            while not all(f.done() for f in futures):
                wait(futures, timeout=PROGRESS_EVERY, return_when=FIRST_EXCEPTION)
                progress.update(own + written.value - shown)
                shown = own + written.value
            for f in futures:
                writer.adopt(f.result())
        progress.update(len(documents) - shown)

    def _parallel(self, items: Sequence[Any]) -> bool:
        return self.workers > 1 and len(items) >= PARALLEL_FROM

    @contextmanager
    def _pool(
        self,
        context: Any,
        shared: Sequence[Any],
        workers: int,
        actors: tuple[Path | None, dict[str, str]] | None = None,
        engine: EngineIndex | None = None,
        written: Any = None,
    ) -> Iterator[ProcessPoolExecutor]:
        """Worker processes for a pass over ``shared``: forked, they inherit it (their
        tasks are ranges of it); spawned, their tasks carry their items."""
        forked = context.get_start_method() == "fork"
        pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_start,
            initargs=(shared if forked else (), actors, engine, written, os.getpid()),
        )
        try:
            if forked:
                # Forked workers share the parent's memory until they write to it, and a
                # garbage collection writes to every object it visits: keep the objects of
                # this moment out of the workers' collections.
                with frozen():
                    pool.submit(int).result()  # forks the workers now
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)


class _Stages:
    """The preparing pass over ``articles`` in ``tasks``, split by stage between the
    workers and this process, as :class:`Prepared` in order when iterated.

    The workers find the actors, task by task from the first; they then analyse
    text from the last task back. This process analyses text from the first task
    on, taking each task the workers have not started; while the actors it needs
    next are not found, it analyses further ahead, or finds the actors of the
    last tasks the workers have not started. Both sides meet where their speeds
    balance, and most of each stage is done by one process with warm caches.
    """

    def __init__(
        self,
        pool: ProcessPoolExecutor,
        articles: Sequence[Article],
        tasks: list[Task],
        extractor: Callable[[], ActorExtractor],
    ) -> None:
        self._articles, self._tasks, self._extractor = articles, tasks, extractor
        # by task, until its results are handed on
        self._actors = {i: pool.submit(_find_actors, t) for i, t in enumerate(tasks)}
        self._texts = {i: pool.submit(_analyse, tasks[i]) for i in reversed(range(len(tasks)))}
        self._ahead = 0  # the next task whose text this process may take
        self._behind = len(tasks) - 1  # the last task whose actors it may take

    def __iter__(self) -> Iterator[Prepared]:
        for i in range(len(self._tasks)):
            self._take(self._texts, i, _analysed)
            self._ahead = max(self._ahead, i + 1)
            while not self._actors[i].done() and self._work_ahead(i):
                pass
            for names, (sig, analysed) in zip(self._actors.pop(i).result(), self._texts.pop(i).result()):
                yield Prepared(names, sig, analysed)
            gc.freeze()  # see Preparer.prepare

    def _work_ahead(self, i: int) -> bool:
        """Do a task's work that the workers have not started, from task ``i`` on (the
        text of the next one, else the actors of the last one); False when none is left."""
        while self._ahead < len(self._tasks):
            self._ahead += 1
            if self._take(self._texts, self._ahead - 1, _analysed):
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
        done.set_result(work(_items(self._tasks[i], self._articles)))
        futures[i] = done
        return True

    def _find_actors(self, articles: Sequence[Article]) -> list[tuple[str, ...]]:
        return _actors_of(self._extractor(), articles)


_malloc_trim: Callable[[int], int] | None
try:
    _malloc_trim = ctypes.CDLL(None).malloc_trim
except (OSError, AttributeError):
    _malloc_trim = None


def _release_free_memory() -> None:
    """Give the memory this process has freed back to the system before it forks workers
    again: glibc keeps the free pages of its heap otherwise (hundreds of MB over a large
    run's rounds), and the workers would map them too. Whoosh's segment writers are held
    in reference cycles (through exceptions it catches), so a collection comes first."""
    gc.collect()
    if _malloc_trim is not None:  # glibc's; elsewhere, nothing more to do
        _malloc_trim(0)


def _tasks(context: Any, items: Sequence[Any], size: int) -> list[Task]:
    """``items`` in tasks of ``size``: ranges for forked workers, which inherit them."""
    starts = range(0, len(items), size)
    if context.get_start_method() == "fork":
        return [(i, min(i + size, len(items))) for i in starts]
    return [list(items[i : i + size]) for i in starts]


def _context() -> Any:
    """Fork where it is safe (this process runs one thread): the workers then start with
    everything imported (a spawned one imports it all again); else spawn."""
    return get_context("fork" if threading.active_count() == 1 and "fork" in get_all_start_methods() else "spawn")
