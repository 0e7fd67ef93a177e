"""Story ids: near-duplicate copies of one story (syndicated wire copy) share an id.

Each article's text is cut into overlapping 5-word shingles (of its index
terms, so case, accents and stop words do not matter; hashed with numpy from
the words' hashes), summarised as a 64-way MinHash (datasketch's values), and looked up
by LSH banding among the corpus's earlier articles: a copy whose estimated
Jaccard similarity is at least ``THRESHOLD`` joins that copy's story.
Signatures (64 values of 32 bits) are stored in the index so later incremental
runs see every story.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence

import numpy as np

from indexer.analysis import terms
from indexer.article import Article
from indexer.memo import Memo

NUM_PERM = 64
SHINGLE = 5
THRESHOLD = 0.7
MAX_DAYS_APART = 3
SAME_TEXT = 0.95  # copies this close are one story whatever their dates
BANDS, BAND_ROWS = 14, 4  # LSH banding (what datasketch's MinHashLSH picks for a 0.5 threshold)


def _affine32_permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``MinHash(num_perm, seed, scheme="affine32").permutations``: odd
    multipliers and offsets from NumPy's legacy seeded generator, whose stream NumPy keeps
    fixed. (Made here: importing datasketch imports SciPy, which every start would then pay for.)"""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_SHINGLE_MIX = 0x9E3779B1  # odd 32-bit multiplier that chains word hashes into a shingle hash
_LOW32 = np.uint64(0xFFFFFFFF)
# A shingle's hash is h[0]*MIX**4 + h[1]*MIX**3 + ... + h[4], mod 2**32: a convolution of the
# words' hashes with the multiplier's powers, lowest first
_MIX_POWERS = np.array([pow(_SHINGLE_MIX, j, 1 << 32) for j in range(SHINGLE)], np.uint64)
_A, _B = (p[None, :] for p in _affine32_permutations(NUM_PERM))  # x -> a*x + b mod 2**32


_word_hashes = Memo(lambda term: zlib.crc32(term.encode("utf-8")), 200_000)  # each term's CRC-32


def signature(words: Sequence[str]) -> bytes:
    """The MinHash signature (as stored in the index) of text whose index terms are ``words``:
    each run of ``SHINGLE`` words is hashed by chaining the words' CRC-32s.

    The values are datasketch's (``MinHash(scheme="affine32")`` updated with the shingle
    hashes), computed here in a few array operations: datasketch's own update costs twice
    as much on a news article, and reindex makes one for every article."""
    h = np.fromiter(map(_word_hashes.__getitem__, words), np.uint64, len(words))
    if len(h) >= SHINGLE:
        shingles = np.convolve(h, _MIX_POWERS, "valid") & _LOW32  # (uint64 wraps: mod 2**64, then 2**32)
    else:  # one shingle of the few words there are (none for no words)
        shingles = h[:1].copy()
        for k in range(1, len(h)):
            shingles = (shingles * np.uint64(_SHINGLE_MIX) + h[k : k + 1]) & _LOW32
    mixed = _fmix32(shingles.astype(np.uint32))[:, None]
    return (mixed * _A + _B).min(axis=0, initial=0xFFFFFFFF).tobytes()  # no words: datasketch's empty


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies to its input."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def story_terms(article: Article, title_terms: list[str], body_terms: list[str]) -> list[str]:
    """The words a story signature is made of: the body, with the title when the body is short."""
    return body_terms if len(article.body) >= 40 else title_terms + body_terms


def signature_bytes(article: Article) -> bytes:
    """The article's MinHash signature, as stored in the index."""
    return signature(story_terms(article, terms(article.title), terms(article.body)))


class StoryFinder:
    """Gives each article the story of a near-identical earlier article, or its own id.

    Candidates come from LSH banding: signatures that agree on all ``BAND_ROWS``
    values of any of ``BANDS`` bands (14 x 4 finds pairs down to a similarity of
    about 0.5, well below ``THRESHOLD``, so copies near it are not missed); their
    similarity is the share of equal MinHash values.

    Copies of one story are published within days of each other: near copies
    dated more than ``MAX_DAYS_APART`` apart are not one story, so a recurring
    template ("Grain ships loading at Portland") stays separate; the same text
    reprinted later still is.
    """

    def __init__(self) -> None:
        self._buckets: list[dict[int, int | list[int]]] = [{} for _ in range(BANDS)]
        self._sigs = np.empty((1024, NUM_PERM), np.uint32)
        self._story: list[str] = []
        self._days: list[int | None] = []

    @classmethod
    def indexed(
        cls, stories: Sequence[str], signatures: Sequence[bytes], published: Sequence[dt.date | None]
    ) -> StoryFinder:
        """A finder that knows the articles already indexed: their stories, signatures and
        dates (those without a signature cannot be matched, and are left out)."""
        finder = cls()
        whole = [i for i, s in enumerate(signatures) if len(s) == NUM_PERM * 4]
        sigs = np.frombuffer(b"".join(signatures[i] for i in whole), np.uint32).reshape(-1, NUM_PERM)
        finder._sigs = np.concatenate((sigs, finder._sigs))
        finder._story = [stories[i] for i in whole]
        finder._days = [d.toordinal() if (d := published[i]) else None for i in whole]
        for buckets, keys in zip(finder._buckets, _band_keys(sigs).T):
            buckets.update(_buckets_of(keys))
        return finder

    def assign(self, article_id: str, signature: bytes, published: dt.date | None) -> str:
        """The story of the closest earlier copy, or a new story named after the article."""
        sig = np.frombuffer(signature, np.uint32)
        keys = _band_keys(sig[None, :])[0].tolist()
        day = published.toordinal() if published else None
        story = article_id
        candidates = sorted(self._candidates(keys))
        if candidates:
            similarity = np.count_nonzero(self._sigs[candidates] == sig, axis=1) / NUM_PERM
            best = THRESHOLD
            for j, sim in zip(candidates, similarity.tolist()):
                other = self._days[j]
                far_apart = day is not None and other is not None and abs(day - other) > MAX_DAYS_APART
                if far_apart and sim < SAME_TEXT:
                    continue
                if sim >= best:
                    story, best = self._story[j], sim
        self._add(story, sig, keys, published)
        return story

    def _candidates(self, keys: list[int]) -> set[int]:
        found: set[int] = set()
        for buckets, key in zip(self._buckets, keys):
            hit = buckets.get(key)
            if hit is not None:
                if isinstance(hit, int):
                    found.add(hit)
                else:
                    found.update(hit)
        return found

    def _add(self, story: str, sig: np.ndarray, keys: list[int], published: dt.date | None) -> None:
        i = len(self._story)
        if i == len(self._sigs):
            self._sigs = np.concatenate((self._sigs, np.empty_like(self._sigs)))
        self._sigs[i] = sig
        self._story.append(story)
        self._days.append(published.toordinal() if published else None)
        for buckets, key in zip(self._buckets, keys):
            hit = buckets.get(key)  # one article (most buckets), or a list of them
            if hit is None:
                buckets[key] = i
            elif isinstance(hit, int):
                buckets[key] = [hit, i]
            else:
                hit.append(i)


_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], np.uint64)


def _band_keys(sigs: np.ndarray) -> np.ndarray:
    """One hash per LSH band of each signature (a row of ``sigs``): ``len(sigs)`` x ``BANDS``."""
    bands = sigs[:, : BANDS * BAND_ROWS].reshape(len(sigs), BANDS, BAND_ROWS)
    return (bands.astype(np.uint64) * _BAND_MIX).sum(axis=2, dtype=np.uint64)


def _buckets_of(keys: np.ndarray) -> dict[int, int | list[int]]:
    """One band's buckets for articles ``0..len(keys)``, as :meth:`StoryFinder._add` fills
    them one article at a time: key -> the article, or the list of them in order."""
    if not len(keys):
        return {}
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.append(starts[1:], len(keys))
    single = ends - starts == 1
    buckets: dict[int, int | list[int]] = dict(zip(ordered[starts[single]].tolist(), order[starts[single]].tolist()))
    members = order.tolist()
    shared = starts[~single]
    for key, a, b in zip(ordered[shared].tolist(), shared.tolist(), ends[~single].tolist()):
        buckets[key] = members[a:b]
    return buckets
