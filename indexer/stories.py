"""Story ids: near-duplicate copies of one story (syndicated wire copy) share an id.

Each article's text is cut into overlapping 5-word shingles (of its index
terms, so case, accents and stop words do not matter), summarised as a 64-way
MinHash, and looked up in an LSH table of the corpus: a copy whose estimated
Jaccard similarity is at least ``THRESHOLD`` joins that copy's story.
Signatures are stored in the index so later incremental runs see every story.
"""

from __future__ import annotations

import datetime as dt
import zlib

import numpy as np
from datasketch import MinHash, MinHashLSH

from indexer.analysis import terms
from indexer.article import Article

NUM_PERM = 64
SHINGLE = 5
THRESHOLD = 0.7
MAX_DAYS_APART = 3
SAME_TEXT = 0.95  # copies this close are one story whatever their dates
_SCHEME = "affine32"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=_SCHEME).permutations


def _crc(data: bytes) -> int:
    return zlib.crc32(data)


def signature_of(text: str) -> MinHash:
    words = terms(text)
    n = max(1, len(words) - SHINGLE + 1)
    shingles = {" ".join(words[i : i + SHINGLE]).encode() for i in range(n)}
    m = MinHash(num_perm=NUM_PERM, permutations=_PERMUTATIONS, scheme=_SCHEME, hashfunc=_crc)
    m.update_batch(list(shingles))
    return m


def signature_bytes(article: Article) -> bytes:
    """The article's MinHash signature, as stored in the index."""
    text = article.body if len(article.body) >= 40 else f"{article.title}\n{article.body}"
    return signature_of(text).hashvalues.astype(np.uint64).tobytes()


def _from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint64).copy()
    return MinHash(
        num_perm=NUM_PERM, hashvalues=values, permutations=_PERMUTATIONS, scheme=_SCHEME, hashfunc=_crc
    )


class StoryFinder:
    """Gives each article the story of a near-identical earlier article, or its own id.

    Copies of one story are published within days of each other: near copies
    dated more than ``MAX_DAYS_APART`` apart are not one story, so a recurring
    template ("Grain ships loading at Portland") stays separate; the same text
    reprinted later still is.
    """

    def __init__(self) -> None:
        # LSH finds candidates well below THRESHOLD so that copies near it are not missed
        self._lsh = MinHashLSH(threshold=THRESHOLD - 0.2, num_perm=NUM_PERM)
        self._story: dict[str, str] = {}  # lsh key -> story id
        self._sigs: dict[str, MinHash] = {}
        self._days: dict[str, int | None] = {}

    def remember(self, story: str, signature: bytes, published: dt.date | None) -> None:
        """Add an already indexed article (its stored story, signature and date)."""
        if len(signature) == NUM_PERM * 8:
            self._add(story, _from_bytes(signature), published)

    def assign(self, article_id: str, signature: bytes, published: dt.date | None) -> str:
        """The story of the closest earlier copy, or a new story named after the article."""
        sig = _from_bytes(signature)
        day = published.toordinal() if published else None
        story = article_id
        best = THRESHOLD
        for key in self._lsh.query(sig):
            similarity = sig.jaccard(self._sigs[key])
            other = self._days[key]
            far_apart = day is not None and other is not None and abs(day - other) > MAX_DAYS_APART
            if far_apart and similarity < SAME_TEXT:
                continue
            if similarity >= best:
                story, best = self._story[key], similarity
        self._add(story, sig, published)
        return story

    def _add(self, story: str, sig: MinHash, published: dt.date | None) -> None:
        key = str(len(self._story))
        self._story[key] = story
        self._sigs[key] = sig
        self._days[key] = published.toordinal() if published else None
        self._lsh.insert(key, sig)
