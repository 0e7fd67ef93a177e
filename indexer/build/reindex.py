"""Build or update the index from the corpus: incremental, atomic, locked, with progress.

The walk: corpus files -> changed ones (:mod:`.changes`) read into Articles, in
rounds that fit the memory budget (:mod:`.rounds`) -> Documents (actors, story)
-> written to the engine, each new segment's table made as it is written ->
committed, with the commit's facet columns, norms and vocabulary saved beside it
(so no opening has to build them). What the index held is read from its segment
tables (:mod:`.holdings`); unchanged files are not parsed, nor hashed when their
stat is the one remembered.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from indexer import store
from indexer.actors import load_aliases
from indexer.article import Article, Problem
from indexer.build import file_stats
from indexer.build.changes import find_changes, quick_hash
from indexer.build.document import Document
from indexer.build.gc_freeze import frozen, release_free_memory
from indexer.build.holdings import Holdings
from indexer.build.id_set import IdSet
from indexer.build.pipeline import Prepared, Preparer, worth_workers
from indexer.build.progress import Progress, Silent
from indexer.build.rounds import Budget, Changed, Entry, Rounds
from indexer.build.stories import StoryFinder
from indexer.engine import Engine, EngineBusy, EngineError, EngineIndex, Segment, default_engine
from indexer.ingest import read_file
from indexer.memo import clear_caches
from indexer.search.columns_file import columns_path, saved_or_built_columns
from indexer.search.field_norms import norms_path, saved_or_built_norms
from indexer.search.segment_tables import SegmentTable, TableRows, concatenated, id_hash, save_table, saved_table
from indexer.search.vocabulary import saved_or_built_vocabulary, vocabulary_path

log = logging.getLogger("newsdex.reindex")
DEFAULT_CORPUS = "seeds"
DEFAULT_MEMORY = 1 << 30  # bytes: what all the processes of a reindex may hold at once


@dataclass
class ReindexReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0  # files that gave problems
    articles: int = 0  # articles in the index afterwards
    seconds: float = 0.0
    full: bool = False
    generation: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rate = (self.added + self.updated) / self.seconds if self.seconds else 0.0
        return (
            f"{'rebuilt' if self.full else 'updated'} {self.generation}: "
            f"{self.added} added, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged, {self.failed} failed; "
            f"{self.articles} articles in {self.seconds:.1f}s ({rate:.0f} articles/s)"
        )


def reindex(
    paths: Sequence[str | Path] = (),
    data_dir: str | Path | None = None,
    *,
    full: bool = False,
    progress: Callable[[int], Progress] | None = None,
    engine: Engine | None = None,
    memory: int = DEFAULT_MEMORY,
) -> ReindexReport:
    """Bring the index in ``data_dir`` in line with the corpus under ``paths``.

    With no paths, the corpus of the last run (or ``seeds/``) is used. ``full``
    rebuilds into a new generation and switches to it atomically. ``progress``
    makes a progress display for a number of articles. ``engine`` stores the
    index (by default Whoosh, on disk; :class:`indexer.Index` must open it with
    the same one). ``memory`` is the budget in bytes of all the run's processes:
    the corpus is read and written in rounds that fit it, so a corpus of any
    size takes about the same memory (a budget too small for the run's fixed
    costs makes rounds of a few thousand articles, and goes over it).
    """
    started = time.monotonic()
    engine = engine or default_engine()
    data = store.data_dir_from(data_dir)
    report = ReindexReport()
    with store.ReindexLock(data):
        store.prune(data)
        live = store.current_generation(data)
        meta = store.read_meta(live) if live else store.GenerationMeta()
        if live and meta.schema_version != store.SCHEMA_VERSION:
            report.notes.append(
                f"the index was built by schema v{meta.schema_version}; "
                f"rebuilding it for v{store.SCHEMA_VERSION}"
            )
            full = True
        aliases_digest = _aliases_digest(data)
        if live and not full and meta.aliases_digest != aliases_digest:
            report.notes.append(
                f"{data / store.USER_ALIASES} changed since the index was built; "
                "rebuilding it, so that every article's actors follow it"
            )
            full = True
        # Stored absolute, so that a run from another folder reads the same corpus; a root
        # that is not there (a typo, a disk not mounted) would delete all its articles.
        roots = [os.path.abspath(p) for p in [*map(str, paths)] or meta.roots or [DEFAULT_CORPUS]]
        missing = [r for r in roots if not os.path.exists(r)]
        if missing:
            raise store.StoreError(f"{missing[0]}: no such file or directory; the index was not changed")
        report.full = full or live is None
        target: Path | None = None
        try:
            if report.full:
                target = store.new_generation(data)
                index = engine.create(target)
                meta = store.GenerationMeta()
            else:
                assert live is not None
                target, index = live, engine.open(live)
                files_before, version_before = set(os.listdir(target)), index.version()
            meta.roots, meta.aliases_digest = roots, aliases_digest
            # The meta (corpus roots, learned aliases) is written just before the commit: a
            # crash between the two then leaves the next run the corpus it was asked for.
            write_meta = lambda: store.write_meta(target, meta)  # noqa: E731
            held = _update(index, [Path(r) for r in roots], data, target, meta, report, progress, write_meta, memory)
            clear_caches()  # (the run's stems and names: their memory goes to the columns' build)
            release_free_memory()
            report.articles = _save_for_search(index, target, held.tables)
            if report.full:
                store.switch_to(data, target)
        except (OSError, BrokenProcessPool, EngineError) as err:  # disk full, read-only, a worker killed, a damaged segment
            mine = not isinstance(err, EngineBusy)  # (another writer's new files are not this run's to remove)
            if mine and not report.full and target is not None and index.version() == version_before:
                _remove_new_files(target, files_before)  # the uncommitted update's, to free space
            raise _write_failed(data, err, target if report.full else None) from None
        report.generation = target.name
    report.seconds = time.monotonic() - started
    return report


def _save_for_search(index: EngineIndex, generation: Path, known: Mapping[str, SegmentTable]) -> int:
    """Build and save what a search needs of the commit just made (its facet columns,
    length norms and vocabulary), before a new generation is switched to: the first opening (a
    server's, a search's) then loads them. (``known``: the tables of the segments the
    run started with.) Returns the articles the commit holds."""
    reader = index.reader()
    try:
        # What the run made and keeps (its caches of stems and names) is left out of the
        # collections the build sets off, each of which would walk it all.
        with frozen():
            # (an update that changed nothing made no commit: its files are there)
            columns = saved_or_built_columns(reader, columns_path(generation, reader.version), known)
            if not (path := norms_path(generation, reader.version)).exists():
                saved_or_built_norms(reader, columns.live, path)
            if not (path := vocabulary_path(generation, reader.version)).exists():
                saved_or_built_vocabulary(reader, path)
        return reader.doc_count
    finally:
        reader.close()


def _write_failed(data: Path, err: OSError | BrokenProcessPool | EngineError, unfinished: Path | None) -> store.StoreError:
    """The error for a failed write; an unfinished generation is removed to free its space."""
    try:
        live = store.current_generation(data)
    except store.StoreError:
        live = None
    if unfinished is not None and (live is None or live.name != unfinished.name):
        shutil.rmtree(unfinished, ignore_errors=True)
    still = f"searches still use {live.name}" if live else "there is no index yet"
    if isinstance(err, EngineError) and not isinstance(err, EngineBusy):  # the live index is damaged
        return store.StoreError(f"cannot update the index in {data}: {err}; run 'manage.py reindex --full' to rebuild it")
    if isinstance(err, BrokenProcessPool):
        why = "a worker process ended before its work was done (killed, or out of memory)"
    elif isinstance(err, EngineBusy):
        why = str(err)
    else:
        why = (err.strerror or str(err)) + (f" ({err.filename})" if err.filename else "")
    return store.StoreError(f"cannot write the index in {data}: {why}; {still}")


def _remove_new_files(folder: Path, before: set[str]) -> None:
    """Remove what an update that was not committed left in ``folder`` (no index refers to it)."""
    for name in set(os.listdir(folder)) - before:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _update(
    index: EngineIndex,
    roots: list[Path],
    data_dir: Path,
    generation: Path,
    meta: store.GenerationMeta,
    report: ReindexReport,
    progress: Callable[[int], Progress] | None,
    before_commit: Callable[[], None],
    memory: int,
) -> Holdings:
    """Bring the index (in ``generation``) in line with the corpus under ``roots``; what
    it held before."""
    reader = index.reader()
    try:
        held = Holdings(reader)
    finally:
        reader.close()
    known = held.files
    remembered = file_stats.load(generation)
    found = find_changes(roots, known, remembered, meta.file_problems)
    changed, seen_keys, stats = found.changed, found.seen_keys, found.stats
    report.unchanged += found.unchanged
    report.failed += found.failed
    report.problems += found.problems
    gone = [k for k in known if k not in seen_keys]
    report.deleted += sum(known[k][1] for k in gone)
    meta.file_problems = {k: v for k, v in meta.file_problems.items() if k in seen_keys}
    # The workers start before the run reads any more: forked, they copy what it holds.
    with Preparer(_user_aliases(data_dir)).running(large=worth_workers(sum(c.size for c in changed))) as preparer:
        additions = _additions(held, changed, gone, meta, report, data_dir)
        try:
            budget = Budget(memory, held, *additions.kept())
            read = lambda c: _read(c, report, meta.file_problems)  # noqa: E731
            rounds = Rounds(changed, read, budget.round_chars, additions.changed_meanwhile)
            meta.learned_aliases = preparer.learn(rounds.first_walk(), meta.learned_aliases)
            deleted_files = gone + list(additions.previous)
            changes = bool(report.full or changed or gone)
            _write(index, rounds, preparer, additions, deleted_files, progress, before_commit, changes)
        finally:
            additions.stories.close()
    for key in additions.left_out:  # (what the index holds of them is not what they hold now)
        stats.pop(key, None)
    if stats != remembered:  # (after the commit: see file_stats)
        file_stats.save(generation, stats)
    return held


def _write(
    index: EngineIndex,
    rounds: Rounds,
    preparer: Preparer,
    additions: _Additions,
    deleted_files: list[str],
    progress: Callable[[int], Progress] | None,
    before_commit: Callable[[], None],
    changes: bool,
) -> None:
    """Delete the documents of ``deleted_files``, add the articles of ``rounds`` as they
    are prepared, and commit (unless nothing ``changes``). Each segment written of the
    documents added gets its table from their fields, as it is written (so that no
    reader reads a rebuild's columns back)."""
    bar = progress(rounds.articles) if progress else Silent()
    rows = TableRows()  # of the documents added since the last segment written

    def written(segment: Segment) -> None:
        save_table(segment, rows.take(segment.size).table())

    def merged(segment: Segment, parts: list[Segment]) -> None:
        tables = [saved_table(part) for part in parts]
        if all(t is not None for t in tables):  # (else read out of its columns when first needed)
            save_table(segment, concatenated([t for t in tables if t is not None]))

    writer = index.writer(on_segment=written, on_merged=merged)
    try:
        for key in deleted_files:
            writer.delete_by_key("file_key", key)
        for part in rounds:
            with preparer.prepare([entry.article for entry in part]) as prepared:
                for entry, ready in zip(part, prepared):
                    doc = additions.document(entry, ready)
                    if doc is not None:  # (None: a duplicate, skipped)
                        fields = doc.fields()
                        rows.add(fields)  # (first: the segment it fills may be written as it is added)
                        writer.add(fields, doc.analysed)
                    bar.update()
            del part  # (Rounds keeps no hold on it: freed before the next round is read)
            release_free_memory()
        preparer.stop()
        additions.count()
        before_commit()
        if changes:
            writer.commit()
        else:  # nothing changed: no new commit, so searches keep their snapshot and its columns
            writer.cancel()
    except BaseException:
        writer.cancel()
        raise
    finally:
        bar.close()


def _additions(
    held: Holdings,
    changed: list[Changed],
    gone: list[str],
    meta: store.GenerationMeta,
    report: ReindexReport,
    scratch: Path,
) -> _Additions:
    """What the articles to add are checked against: the ids the index keeps (of the files
    neither changed nor ``gone``), the ids the changed files had, the stories of the
    articles it holds (``scratch``: the folder of the story finder's scratch file)."""
    changed_keys = {c.key for c in changed}
    kept = held.ids_except(changed_keys | set(gone))
    previous = held.ids_of(changed_keys)
    stories = held.story_finder(scratch) if changed else StoryFinder()
    return _Additions(kept, stories, changed, previous, meta, report)


class _Additions:
    """The walk over the articles read, in order: each becomes a document with its story,
    unless its id is taken (by an unchanged file, or earlier in this run), which is a
    problem of its file."""

    def __init__(
        self,
        kept: IdSet,
        stories: StoryFinder,
        changed: list[Changed],
        previous: dict[str, frozenset[int]],
        meta: store.GenerationMeta,
        report: ReindexReport,
    ) -> None:
        self.taken = kept
        self.stories, self.meta, self.report = stories, meta, report
        self.previous = previous  # the id hashes a changed file had in the index
        self.ids: dict[str, set[int]] = {key: set() for key in previous}  # the id hashes added from each of those
        self.added: dict[str, int] = {c.key: 0 for c in changed if c.key not in previous}  # and from new files
        self._rel = {c.key: c.file.rel for c in changed}
        self.left_out: set[str] = set()  # files found changed when read again

    def document(self, entry: Entry, ready: Prepared) -> Document | None:
        """The document of the next article, or None for a duplicate id."""
        key, article = entry.key, entry.article
        if article.id in self.taken:
            duplicate = Problem(self._rel[key], f"duplicate article id '{article.id}': skipped", article.line)
            self.report.problems.append(duplicate)
            self.meta.file_problems.setdefault(key, []).append(_as_row(duplicate))
            return None
        self.taken.add(article.id)
        if key in self.ids:
            self.ids[key].add(id_hash(article.id))
        else:
            self.added[key] += 1
        story = self.stories.assign(article.id, ready.signature, article.published)
        return Document(article, ready.actors, story, key, entry.digest, ready.signature, ready.analysed)

    def changed_meanwhile(self, changed: Changed) -> None:
        """A file found changed (or gone) when read again in a later round: left out, a problem."""
        self.left_out.add(changed.key)
        problem = Problem(changed.file.rel, "changed while it was being indexed: left out; run reindex again")
        self.report.problems.append(problem)
        self.report.failed += 1
        self.meta.file_problems[changed.key] = [_as_row(problem)]

    def kept(self) -> tuple[IdSet, StoryFinder]:
        """What it keeps for the whole run (its memory grows with the corpus)."""
        return self.taken, self.stories

    def count(self) -> None:
        """Count what was added, updated and deleted, file by file."""
        r = self.report
        r.added += sum(self.added.values())
        for key, new_ids in self.ids.items():
            previous = self.previous[key]
            r.updated += len(new_ids & previous)
            r.added += len(new_ids - previous)
            r.deleted += len(previous - new_ids)


def _read(c: Changed, report: ReindexReport, file_problems: dict[str, list[list]]) -> list[Article]:
    f = c.file
    result = read_file(f.path, f.root)
    for note in result.notes:
        log.info("%s: %s", f.rel, note)
    report.notes.extend(f"{f.rel}: {n}" for n in result.notes)
    file_problems.pop(c.key, None)
    if result.problems:
        report.failed += 1
        report.problems.extend(result.problems)
        file_problems[c.key] = [_as_row(p) for p in result.problems]
    return result.articles


def _as_row(problem: Problem) -> list:
    return [problem.path, problem.reason, problem.line]


def _aliases_digest(data_dir: Path) -> str:
    """The hash of the data dir's aliases file ("" without one), once it is known to load."""
    path = _user_aliases(data_dir)
    if path is None:
        return ""
    try:
        load_aliases(path)
    except ValueError as err:  # (it names the file and what is wrong)
        raise store.StoreError(f"{err}; mend or remove it: the index was not changed") from None
    return quick_hash(path, None, None)[0]


def _user_aliases(data_dir: Path) -> Path | None:
    path = data_dir / store.USER_ALIASES
    return path if path.exists() else None
