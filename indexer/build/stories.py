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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np

from indexer.analysis import terms
from indexer.article import Article
from indexer.build.story_tables import NO_DAY, BandIndex, Growable, Names, Signatures
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


class StoryNames(Protocol):
    """Story names by number (a list, or a view of the index's tables)."""

    def __len__(self) -> int: ...
    def __getitem__(self, number: int, /) -> str: ...


class Indexed(NamedTuple):
    """Articles already indexed (a segment's), as a :class:`StoryFinder` takes them in."""

    signatures: np.ndarray  # uint32 rows of NUM_PERM values (memory-mapped: kept where they are)
    bands: tuple[np.ndarray, np.ndarray]  # their band keys as one sorted run (band_run)
    usable: np.ndarray  # bool: the rows that may be matched (live, with a signature)
    story: np.ndarray  # each row's story, a position in the names given with the parts
    days: np.ndarray  # each row's day, a proleptic ordinal (0: undated)


def band_run(signatures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The band keys of rows of signatures as one sorted run (keys, rows), as a finder's
    band index keeps them: worked out once for a segment's articles, and saved."""
    keys = BandIndex(BANDS).keys(_band_keys(np.asarray(signatures, np.uint32)))
    return BandIndex.sorted_run(keys)


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

    What it keeps of each article is compact (:mod:`.story_tables`): a reindex keeps
    one finder for the whole corpus. ``scratch`` is the folder of its scratch file.
    """

    def __init__(self, scratch: Path | None = None) -> None:
        self._bands = BandIndex(BANDS)
        self._sigs = Signatures(NUM_PERM, scratch)
        self._days = Growable(np.int32)
        self._story = Growable(np.int32)  # each article's story, a number in _names
        self._usable = Growable(np.bool_)  # False: an indexed article since deleted, or without a signature
        self._indexed_names: StoryNames = ()  # the indexed articles' stories: numbers 0 .. len-1
        self._names = Names()  # the stories this run begins, numbered after those

    @classmethod
    def indexed(cls, names: StoryNames, parts: Iterable[Indexed], scratch: Path | None = None) -> StoryFinder:
        """A finder that knows the articles already indexed, given a part (a segment) at a
        time, whose stories are ``names``."""
        finder = cls(scratch)
        finder._indexed_names = names
        for part in parts:
            first = len(finder._story)
            finder._bands.add_sorted(part.bands[0], part.bands[1] + np.int32(first))
            finder._sigs.add_mapped(part.signatures)
            finder._story.extend(part.story.astype(np.int32))
            finder._days.extend(np.where(part.days == 0, NO_DAY, part.days).astype(np.int32))
            finder._usable.extend(part.usable)
        return finder

    def assign(self, article_id: str, signature: bytes, published: dt.date | None) -> str:
        """The story of the closest earlier copy, or a new story named after the article."""
        sig = np.frombuffer(signature, np.uint32)
        keys = self._bands.keys(_band_keys(sig[None, :])[0])
        day = _day(published)
        candidates = self._bands.candidates(keys)
        candidates = candidates[self._usable.values[candidates]]
        story, name = -1, article_id
        if len(candidates):
            similarity = np.count_nonzero(self._sigs.rows(candidates) == sig, axis=1) / NUM_PERM
            other = self._days.values[candidates]
            far_apart = (day != NO_DAY) & (other != NO_DAY) & (np.abs(other.astype(np.int64) - day) > MAX_DAYS_APART)
            similarity[(similarity < THRESHOLD) | (far_apart & (similarity < SAME_TEXT))] = -1
            best = len(similarity) - 1 - int(np.argmax(similarity[::-1]))  # (of the most similar, the latest)
            if similarity[best] >= 0:
                story = int(self._story.values[candidates[best]])
                known = len(self._indexed_names)
                name = self._indexed_names[story] if story < known else self._names[story - known]
        if story < 0:
            story = len(self._indexed_names) + self._names.add(article_id)
        self._bands.add(keys, len(self._story))
        self._sigs.extend(sig[None, :])
        self._days.append(day)
        self._story.append(story)
        self._usable.append(True)
        return name

    @property
    def nbytes(self) -> int:
        """What it holds in memory (its scratch file aside)."""
        return self._bands.nbytes + self._days.nbytes + self._story.nbytes + self._usable.nbytes + self._names.nbytes

    def close(self) -> None:
        """Delete its scratch file."""
        self._sigs.close()

    def __enter__(self) -> StoryFinder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _day(published: dt.date | None) -> int:
    return published.toordinal() if published else NO_DAY


_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], np.uint64)


def _band_keys(sigs: np.ndarray) -> np.ndarray:
    """One hash per LSH band of each signature (a row of ``sigs``): ``len(sigs)`` x ``BANDS``."""
    bands = sigs[:, : BANDS * BAND_ROWS].reshape(len(sigs), BANDS, BAND_ROWS)
    return (bands.astype(np.uint64) * _BAND_MIX).sum(axis=2, dtype=np.uint64)
