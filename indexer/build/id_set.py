"""The article ids a reindex has seen, in 8 bytes each.

A reindex refuses a second article with an id it already holds, so it keeps
every id of the run: as a set of strings that is about 100 bytes an article
(100 MB at a million). Here each id is its 64-bit hash (the one the index's
segment tables keep, :func:`~indexer.search.segment_tables.id_hash`), in a sorted
numpy array with the newest in a small set: two ids of a million-article corpus
share a hash once in about 40 million such corpora.
"""

from __future__ import annotations

import numpy as np

from indexer.arrays import sorted_unique
from indexer.search.segment_tables import id_hash


class IdSet:
    RECENT = 65_536  # hashes kept in a set before they join the sorted array

    def __init__(self, hashes: np.ndarray | None = None) -> None:
        """The ids whose hashes are ``hashes`` (int64)."""
        self._sorted = sorted_unique(hashes) if hashes is not None else np.empty(0, np.int64)
        self._recent: set[int] = set()

    def __contains__(self, article_id: str) -> bool:
        h = id_hash(article_id)
        if h in self._recent:
            return True
        i = int(np.searchsorted(self._sorted, h))
        return i < len(self._sorted) and int(self._sorted[i]) == h

    def add(self, article_id: str) -> None:
        self._recent.add(id_hash(article_id))
        if len(self._recent) >= self.RECENT:
            self._sorted = sorted_unique(np.concatenate((self._sorted, np.fromiter(self._recent, np.int64, len(self._recent)))))
            self._recent = set()

    @property
    def nbytes(self) -> int:
        return self._sorted.nbytes + 60 * len(self._recent)
