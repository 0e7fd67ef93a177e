"""Story ids: near-duplicate copies of one story (syndicated wire copy) share an id.

Each article's text is cut into overlapping 5-word shingles (of its index
terms, so case, accents and stop words do not matter), summarised as a 64-way
MinHash, and looked up in an LSH table of the corpus: a copy whose estimated
Jaccard similarity is at least ``THRESHOLD`` joins that copy's story.
Signatures are stored in the index so later incremental runs see every story.
"""

from __future__ import annotations

import zlib

import numpy as np
from datasketch import MinHash, MinHashLSH

from indexer.analysis import terms
from indexer.article import Article

NUM_PERM = 64
SHINGLE = 5
THRESHOLD = 0.7
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
    return MinHash(num_perm=NUM_PERM, hashvalues=values, scheme=_SCHEME, hashfunc=_crc)


class StoryFinder:
    """Gives each article the story of a near-identical earlier article, or its own id."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._story: dict[str, str] = {}  # lsh key -> story id
        self._sigs: dict[str, MinHash] = {}

    def remember(self, story: str, signature: bytes) -> None:
        """Add an already indexed article (its stored story and signature)."""
        if len(signature) == NUM_PERM * 8:
            self._add(story, _from_bytes(signature))

    def assign(self, article_id: str, signature: bytes) -> str:
        """The story of the closest earlier copy, or a new story named after the article."""
        sig = _from_bytes(signature)
        story = article_id
        best = THRESHOLD
        for key in self._lsh.query(sig):
            similarity = sig.jaccard(self._sigs[key])
            if similarity >= best:
                story, best = self._story[key], similarity
        self._add(story, sig)
        return story

    def _add(self, story: str, sig: MinHash) -> None:
        key = str(len(self._story))
        self._story[key] = story
        self._sigs[key] = sig
        self._lsh.insert(key, sig)
