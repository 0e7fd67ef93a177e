"""What the index holds, as an update needs it: each file's hash and articles, the ids
it keeps, the stories it knows. Gathered from the segments' tables
(:mod:`indexer.search.segment_tables`) in array operations, so an update to an index
of a million articles reads only its new segments' columns."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

import numpy as np

from indexer.arrays import sorted_unique
from indexer.build.id_set import IdSet
from indexer.build.stories import BANDS, NUM_PERM, Indexed, StoryFinder, band_run
from indexer.engine.base import EngineReader, Segment
from indexer.search.saved_arrays import loaded_or_made, remove_others, write_whole
from indexer.search.segment_tables import SegmentTable, rules_digest, segment_tables

# a segment's band keys, sorted (beside it, removed with it), named by the rules that make them
BANDS_SUFFIX = f".bands1_{rules_digest(band_run(np.arange(2 * NUM_PERM, dtype=np.uint32).reshape(2, NUM_PERM)))}.npy"


class Holdings:
    """The live documents of one commit, by file."""

    def __init__(self, reader: EngineReader) -> None:
        live = reader.live_docnums()
        self._tables: list[tuple[SegmentTable, Segment, np.ndarray]] = []  # each with its live documents' numbers in it
        numbers: dict[str, int] = {}  # file key -> its number here
        hashes: list[str] = []
        files, ids = [], []
        for segment, table in segment_tables(reader):
            local = _within(live, segment)
            self._tables.append((table, segment, local))
            number = np.fromiter((numbers.setdefault(k, len(numbers)) for k in table.files), np.int64, len(table.files))
            hashes += [""] * (len(numbers) - len(hashes))
            in_file = table.in_file[local]
            for f in sorted_unique(in_file).tolist():  # (a file's documents deleted meanwhile had an older hash)
                hashes[number[f]] = table.file_hashes[f]
            files.append(number[in_file])
            ids.append(table.id_hash[local])
        self.tables = {segment.key: table for table, segment, _ in self._tables}  # by segment key
        self._file = np.concatenate(files) if files else np.empty(0, np.int64)  # by live document
        self._id_hash = np.concatenate(ids) if ids else np.empty(0, np.int64)
        counts = np.bincount(self._file, minlength=len(numbers)).tolist()
        self._numbers = {k: n for k, n in numbers.items() if counts[n]}
        self.files = {k: (hashes[n], counts[n]) for k, n in self._numbers.items()}  # key -> (content hash, articles)

    @property
    def nbytes(self) -> int:
        """What it holds in memory (the signatures aside: memory-mapped), about."""
        tables = self.tables.values()
        arrays = sum(a.nbytes for t in tables for a in (t.id_hash, t.in_file, t.source, t.day, t.story, t.name_ptr, t.names))
        strings = sum(len(t.files) + len(t.stories) + 2 * len(t.actor_names) for t in tables)
        return arrays + self._file.nbytes + self._id_hash.nbytes + 80 * strings  # (a short str costs about 80 bytes)

    def ids_of(self, keys: Collection[str]) -> dict[str, frozenset[int]]:
        """The id hashes of each file's articles."""
        wanted = np.array([self._numbers[k] for k in keys if k in self._numbers], np.int64)
        rows = np.flatnonzero(np.isin(self._file, wanted))
        rows = rows[np.argsort(self._file[rows], kind="stable")]
        by_file = {k: frozenset[int]() for k in keys if k in self._numbers}
        key_of = {n: k for k, n in self._numbers.items() if k in by_file}
        bounds = np.flatnonzero(np.diff(self._file[rows])) + 1
        for part in np.split(rows, bounds) if len(rows) else []:
            by_file[key_of[int(self._file[part[0]])]] = frozenset(self._id_hash[part].tolist())
        return by_file

    def ids_except(self, keys: Collection[str]) -> IdSet:
        """The ids of the articles of every file but ``keys``."""
        left_out = np.array([self._numbers[k] for k in keys if k in self._numbers], np.int64)
        return IdSet(self._id_hash[~np.isin(self._file, left_out)])

    def story_finder(self, scratch: Path) -> StoryFinder:
        """A finder that knows the stories of every live article with a signature
        (``scratch``: the folder of its scratch file)."""
        signed = [(t, local[t.signed[local]]) for t, _, local in self._tables]
        local_story = np.concatenate([t.story[rows] for t, rows in signed] or [np.empty(0, np.int32)])
        table_of = np.repeat(np.arange(len(signed)), [len(rows) for _, rows in signed])
        hashes = np.concatenate([t.story_hashes[t.story[rows]] for t, rows in signed] or [np.empty(0, np.int64)])
        unique, first = np.unique(hashes, return_index=True)
        names = _StoryNames([t for t, _ in signed], table_of[first], local_story[first])
        return StoryFinder.indexed(names, self._indexed(unique), scratch)

    def _indexed(self, story_hashes: np.ndarray) -> Iterator[Indexed]:
        """Each segment's articles as a story finder takes them in (stories numbered by
        their place in ``story_hashes``)."""
        for table, segment, local in self._tables:
            usable = np.zeros(table.size, bool)
            usable[local] = True
            usable &= table.signed
            story = np.searchsorted(story_hashes, table.story_hashes[table.story])
            story[~usable] = 0  # (another segment's story, or none: never read)
            yield Indexed(table.signatures, _band_run(table, segment), usable, story, table.day)


class _StoryNames:
    """Story names by number, read from the tables when asked for (a finder asks for a few:
    the stories its new articles join)."""

    def __init__(self, tables: list[SegmentTable], table: np.ndarray, story: np.ndarray) -> None:
        self._tables, self._table, self._story = tables, table, story

    def __len__(self) -> int:
        return len(self._story)

    def __getitem__(self, number: int) -> str:
        return self._tables[int(self._table[number])].stories[int(self._story[number])]


def _band_run(table: SegmentTable, segment: Segment) -> tuple[np.ndarray, np.ndarray]:
    """The segment's band keys as a finder's sorted run, memory-mapped: saved beside it when
    first worked out (keys and rows as the two rows of one array)."""
    if segment.files is None:
        return band_run(table.signatures)
    path, others = Path(segment.files + BANDS_SUFFIX), f"{Path(segment.files).name}.bands*.npy"

    def load(path: Path) -> tuple[np.ndarray, np.ndarray]:
        saved = np.load(path, mmap_mode="r", allow_pickle=False)
        if saved.shape != (2, table.size * BANDS) or saved.dtype != np.uint32:
            raise ValueError("it does not fit its segment")
        return saved[0], saved[1].view(np.int32)

    def save(run: tuple[np.ndarray, np.ndarray], path: Path) -> tuple[np.ndarray, np.ndarray]:
        keys, rows = run
        write_whole(path, lambda f: np.save(f, np.stack((keys, rows.view(np.uint32))), allow_pickle=False))
        remove_others(path, others)
        return load(path)  # (mapped: an update holds no segment's run in memory)

    return loaded_or_made(path, load, lambda: band_run(table.signatures), save)


def _within(live: np.ndarray, segment: Segment) -> np.ndarray:
    """The live document numbers of ``segment``, counted from its start."""
    lo, hi = np.searchsorted(live, [segment.start, segment.start + segment.size])
    return live[lo:hi] - segment.start
