"""The CPU-heavy passes of reindex over the articles to add.

1. acronyms learned ("Group for the Support of Islam and Muslims (GSIM)"):
   in this process, a quick scan;
2. each article prepared: its actors found, its title and body analysed, its
   story signature made (reindex then gives each article its story, in order);
3. the documents written into segments.

Large runs do passes 2 and 3 in worker processes, one per core: in pass 3
each worker writes its share of the documents into segments of its own, which
the reindex's writer then commits with the rest. Small runs do everything in
this process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from contextlib import contextmanager
from itertools import chain
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any, NamedTuple

from indexer.actors import ActorExtractor, collect_definitions, load_aliases
from indexer.analysis import terms
from indexer.article import Article
from indexer.backend.whoosh_engine import WhooshIndex, WhooshWriter
from indexer.backend.whoosh_segments import field_postings
from indexer.fields import Document
from indexer.progress import Progress
from indexer.stories import signature, story_terms

PARALLEL_FROM = 2000  # articles; below this, workers are not worth starting
BATCH = 250  # articles in one task of the preparing pass
PROGRESS_EVERY = 0.5  # seconds between progress updates while workers write


class Prepared(NamedTuple):
    """What the index needs of an article beyond the article itself."""

    actors: tuple[str, ...]  # canonical names
    signature: bytes  # story signature
    analysed: dict[str, Any]  # text field -> its postings, in the engine's form


def prepare(extractor: ActorExtractor, article: Article) -> Prepared:
    """One article's actors, story signature and analysed title and body (one analysis
    serves the postings and the signature)."""
    title, body = terms(article.title), terms(article.body)
    return Prepared(
        tuple(a.name for a in extractor.extract(article.title, article.body)),
        signature(story_terms(article, title, body)),
        {"title": field_postings(title), "body": field_postings(body)},
    )


# --- in the worker processes ----------------------------------------------------------

_extractor: ActorExtractor | None = None
_shared: Sequence[Any] = ()  # the items of the pass, inherited by forked workers
_engine: WhooshIndex | None = None  # the index the write pass writes segments for
_written: Synchronized | None = None  # articles written so far, counted by all workers

Task = tuple[int, int] | list[Any]  # a range of the inherited items, or the items


def _start(
    shared: Sequence[Any], actors: tuple[Path | None, dict[str, str]] | None, engine: Any, written: Any, parent: int
) -> None:
    """A worker's set-up: the extractor for the preparing pass (``actors``: aliases file
    and learned acronyms), the engine and counter for the writing pass."""
    global _extractor, _shared, _engine, _written
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _extractor = _new_extractor(*actors) if actors else None
    _shared, _engine, _written = shared, engine, written


def _items(task: Task) -> Sequence[Any]:
    if isinstance(task, tuple):
        return _shared[task[0] : task[1]]
    return task


def _exit_with(parent: int) -> None:
    """A worker's watch: when the reindex that started it dies (kill -9, a crash), end too."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _prepare(task: Task) -> list[Prepared]:
    assert _extractor is not None
    return [prepare(_extractor, a) for a in _items(task)]


def _write_part(task: Task) -> list[Any]:
    """Write the task's documents into new segments; returns them, uncommitted."""
    assert _written is not None and _engine is not None
    writer = _engine.part_writer()
    try:
        for i, doc in enumerate(_items(task), 1):
            writer.add(doc)
            if i % 100 == 0:
                with _written.get_lock():
                    _written.value += 100
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
            if self._extractor is None:
                self._extractor = _new_extractor(self.aliases_path, self.learned)
            yield (prepare(self._extractor, a) for a in articles)
            return
        context = _context()
        with self._pool(context, articles, actors=(self.aliases_path, self.learned)) as pool:
            yield chain.from_iterable(pool.map(_prepare, _tasks(context, articles, BATCH)))

    def write(self, documents: Sequence[Document], engine: WhooshIndex, writer: WhooshWriter, progress: Progress) -> None:
        """Add every document to ``writer``'s commit; workers write theirs into segments of their own."""
        if not self._parallel(documents):
            for doc in documents:
                writer.add(doc)
                progress.update()
            return
        context = _context()
        written = context.Value("q", 0)
        with self._pool(context, documents, engine=engine, written=written) as pool:
            share = -(-len(documents) // self.workers)
            futures = [pool.submit(_write_part, task) for task in _tasks(context, documents, share)]
            shown = 0
            while not all(f.done() for f in futures):
                wait(futures, timeout=PROGRESS_EVERY, return_when=FIRST_EXCEPTION)
                progress.update(written.value - shown)
                shown = written.value
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
        actors: tuple[Path | None, dict[str, str]] | None = None,
        engine: WhooshIndex | None = None,
        written: Any = None,
    ) -> Iterator[ProcessPoolExecutor]:
        """Worker processes for a pass over ``shared``: forked, they inherit it (their
        tasks are ranges of it); spawned, their tasks carry their items."""
        forked = context.get_start_method() == "fork"
        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_start,
            initargs=(shared if forked else (), actors, engine, written, os.getpid()),
        )
        try:
            if forked:
                # Forked workers share the parent's memory until they write to it, and a
                # garbage collection writes to every object it visits: keep the objects of
                # this moment out of the workers' collections.
                gc.freeze()
                try:
                    pool.submit(int).result()  # forks the workers now
                finally:
                    gc.unfreeze()
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)


def _tasks(context: Any, items: Sequence[Any], size: int) -> list[Task]:
    """``items`` in tasks of ``size``: ranges for forked workers, which inherit them."""
    starts = range(0, len(items), size)
    if context.get_start_method() == "fork":
        return [(i, min(i + size, len(items))) for i in starts]
    return [list(items[i : i + size]) for i in starts]


def _context() -> Any:
    """Fork where it is safe (this process runs one thread): the workers then start with
    everything imported (two seconds each otherwise, NLTK pulling in SciPy); else spawn."""
    return get_context("fork" if threading.active_count() == 1 and "fork" in get_all_start_methods() else "spawn")
