"""The tables a :class:`~indexer.build.stories.StoryFinder` keeps of every article it
knows, sized for millions of articles.

A reindex keeps one finder for the whole corpus, so what it holds per article
bounds the run's memory: a dict entry per band of each article (as LSH
libraries keep them) costs over a kilobyte an article. Here an article costs
about 120 bytes in memory: its band keys in sorted numpy runs (4 bytes and its
number, a band), its day, its story's number and, for a new story, the name;
its signature goes to a scratch file, read back (a row at a time) only when the
article is a candidate.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from indexer.arrays import sorted_unique

NO_DAY = np.iinfo(np.int32).min  # an undated article's day


class Growable:
    """A numpy array appended to, as a list is (its capacity doubles)."""

    def __init__(self, dtype: type, width: int = 0) -> None:
        self._shape = (width,) if width else ()
        self._data = np.empty((1024, *self._shape), dtype)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def values(self) -> np.ndarray:
        return self._data[: self._n]

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def extend(self, values: np.ndarray) -> None:
        end = self._n + len(values)
        if end > len(self._data):
            bigger = np.empty((max(end, 2 * len(self._data)), *self._shape), self._data.dtype)
            bigger[: self._n] = self.values
            self._data = bigger
        self._data[self._n : end] = values
        self._n = end

    def append(self, value: object) -> None:
        self.extend(np.asarray([value], self._data.dtype))


class Names:
    """Strings by number, in one UTF-8 buffer (a str object costs 50 bytes more)."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._ends = Growable(np.int64)

    def add(self, name: str) -> int:
        """Keep ``name``; its number."""
        self._text += name.encode("utf-8")
        self._ends.append(len(self._text))
        return len(self._ends) - 1

    def __getitem__(self, number: int) -> str:
        ends = self._ends.values
        start = int(ends[number - 1]) if number else 0
        return self._text[start : int(ends[number])].decode("utf-8")

    @property
    def nbytes(self) -> int:
        return len(self._text) + self._ends.nbytes


class BandIndex:
    """Band key -> the articles that have it, for every band at once (each band's keys
    are salted apart and cut to 32 bits: a rare false candidate costs one comparison).

    The newest articles' keys are in a dict; every ``TAIL`` articles they become a
    sorted run, and runs of like size are merged (as a log-structured merge tree
    does), so a lookup searches a few runs and adding stays linear.
    """

    TAIL = 8192  # articles in the dict before it becomes a run
    MERGE = 4  # a run is merged into the one before it once it is at least 1/MERGE its size

    def __init__(self, bands: int) -> None:
        self._salt = np.random.RandomState(7).randint(0, 1 << 63, bands, dtype=np.int64).astype(np.uint64)
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted keys, their articles), oldest first
        self._tail: dict[int, int | list[int]] = {}
        self._tail_articles: list[int] = []
        self._tail_keys: list[np.ndarray] = []

    def keys(self, band_keys: np.ndarray) -> np.ndarray:
        """The index's keys for rows of 64-bit band keys."""
        return ((band_keys + self._salt) >> np.uint64(32)).astype(np.uint32)

    def add_sorted(self, keys: np.ndarray, articles: np.ndarray) -> None:
        """Add a run already sorted by key (as :meth:`sorted_run` gives it): articles indexed
        earlier, whose runs were saved."""
        self._runs.append((keys, articles))

    @staticmethod
    def sorted_run(keys: np.ndarray, first: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Rows of ``keys`` of articles ``first, first + 1, ...`` as one run, sorted by key."""
        articles = np.repeat(np.arange(first, first + len(keys), dtype=np.int32), keys.shape[1])
        flat = keys.ravel()
        order = np.argsort(flat, kind="stable")  # (stable: a key's articles stay in order)
        return flat[order], articles[order]

    def add_many(self, keys: np.ndarray, first: int) -> None:
        """Add articles ``first, first + 1, ...`` with rows of ``keys`` (from :meth:`keys`)."""
        self._runs.append(self.sorted_run(keys, first))
        self._merge_runs()

    def add(self, keys: np.ndarray, article: int) -> None:
        for key in keys.tolist():
            hit = self._tail.get(key)  # one article (most keys), or a list of them
            if hit is None:
                self._tail[key] = article
            elif isinstance(hit, int):
                self._tail[key] = [hit, article]
            else:
                hit.append(article)
        self._tail_articles.append(article)
        self._tail_keys.append(keys)
        if len(self._tail_articles) >= self.TAIL:
            self.add_many(np.stack(self._tail_keys), self._tail_articles[0])
            self._tail, self._tail_articles, self._tail_keys = {}, [], []

    def candidates(self, keys: np.ndarray) -> np.ndarray:
        """The articles sharing any of ``keys``, sorted."""
        found: list[np.ndarray] = []
        for run_keys, run_articles in self._runs:
            lo, hi = np.searchsorted(run_keys, keys, "left"), np.searchsorted(run_keys, keys, "right")
            found += [run_articles[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        for key in keys.tolist():
            hit = self._tail.get(key)
            if hit is not None:
                found.append(np.asarray([hit] if isinstance(hit, int) else hit, np.int32))
        return sorted_unique(np.concatenate(found)) if found else np.empty(0, np.int32)

    def _merge_runs(self) -> None:
        while len(self._runs) > 1 and len(self._runs[-1][0]) * self.MERGE >= len(self._runs[-2][0]):
            self._runs[-1] = _merged(self._runs[-2], self._runs.pop())

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + a.nbytes for k, a in self._runs) + 100 * len(self._tail)


def _merged(older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs as one, the older's articles first among equal keys: each of the
    newer's keys goes where bisection puts it (an argsort of both would take eight bytes
    an entry more, at the run's largest merge: 250 MB at a million articles)."""
    (k1, a1), (k2, a2) = older, newer
    at = np.searchsorted(k1, k2, "right") + np.arange(len(k2))
    from_older = np.ones(len(k1) + len(k2), bool)
    from_older[at] = False
    keys, articles = np.empty(len(from_older), k1.dtype), np.empty(len(from_older), a1.dtype)
    keys[at], articles[at] = k2, a2
    keys[from_older], articles[from_older] = k1, a1
    return keys, articles


class Signatures:
    """Every article's signature, in a scratch file deleted on close: read back a row at a
    time, only for candidates (so a million of them cost no memory). Not through a memory
    map: the rows a run reads back are spread over the file, and at a million articles
    the pages a map had touched counted 280 MB in the run's RSS by its end."""

    RECENT = 8192  # rows kept in memory before they are written out

    def __init__(self, width: int, scratch: Path | None = None) -> None:
        self._width, self._scratch = width, scratch
        self._file: BinaryIO | None = None  # made when the first rows are written out
        self._recent = Growable(np.uint32, width)
        self._written = 0  # rows in the file
        self._mapped: list[np.ndarray] = []  # rows given whole, before any other (memory-mapped files)
        self._mapped_starts = np.zeros(1, np.int64)  # each one's first row, and one past the last

    def __len__(self) -> int:
        return int(self._mapped_starts[-1]) + self._written + len(self._recent)

    def add_mapped(self, rows: np.ndarray) -> None:
        """Rows kept where they are (a memory-mapped file), before any :meth:`extend`."""
        assert self._written == len(self._recent) == 0, "mapped rows come first"
        self._mapped.append(rows)
        self._mapped_starts = np.append(self._mapped_starts, self._mapped_starts[-1] + len(rows))

    def extend(self, rows: np.ndarray) -> None:
        self._recent.extend(rows)
        if len(self._recent) >= self.RECENT:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="signatures-", dir=self._scratch)
            self._file.write(self._recent.values.tobytes())
            self._file.flush()
            self._written += len(self._recent)
            self._recent = Growable(np.uint32, self._width)

    def rows(self, numbers: np.ndarray) -> np.ndarray:
        """The signatures of articles ``numbers`` (sorted)."""
        mapped = int(self._mapped_starts[-1])
        cut = int(np.searchsorted(numbers, mapped))
        if cut:
            part = np.searchsorted(self._mapped_starts, numbers[:cut], "right") - 1
            old = np.stack([self._mapped[p][n - self._mapped_starts[p]] for p, n in zip(part.tolist(), numbers[:cut].tolist())])
            return np.concatenate((old, self._rows(numbers[cut:] - mapped))) if cut < len(numbers) else old
        return self._rows(numbers - mapped)

    def _rows(self, numbers: np.ndarray) -> np.ndarray:
        cut = int(np.searchsorted(numbers, self._written))
        old, new = numbers[:cut], numbers[cut:] - self._written
        if not len(old):
            return self._recent.values[new]
        assert self._file is not None
        size, fd = self._width * 4, self._file.fileno()
        read = b"".join(os.pread(fd, size, row * size) for row in old.tolist())
        return np.concatenate((np.frombuffer(read, np.uint32).reshape(-1, self._width), self._recent.values[new]))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
