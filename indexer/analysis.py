"""Text analysis shared by indexing, querying and highlighting.

One chain, used identically at index and query time::

    words (NLTK regexp_span_tokenize, with character spans)
      | fold (case + accents + apostrophes: Goïta -> goita, Jama’at -> jamaat, Mali's -> mali)
      | split hyphenated words into parts (al-Qaeda -> al, qaeda)
      | drop stop words (shipped list)
      | stem (NLTK Snowball English, cached)

It needs no downloaded NLTK data. The build layer analyses title and body with
it before they reach the engine; queries and snippets use the same chain (snippets
through :func:`analyse`, to find the original words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from itertools import chain
from typing import NamedTuple

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize.util import regexp_span_tokenize

from indexer.memo import Memo, also_clear

# Words are what lies between runs of characters that are not letters, digits,
# hyphens or apostrophes. (A compiled ``re`` pattern: NLTK's RegexpTokenizer
# wraps every match in a time-out guard that costs 5x on this hot path.)
_SEPARATORS = re.compile(r"[^\w'’ʼ`´‐‑-]+")
# The same split for ASCII text, four times faster: every byte that is not a word
# character becomes a space (``\w`` on ASCII is letters, digits and "_").
_ASCII_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_'`-")
_ASCII_SEPARATORS = bytes(c if c in _ASCII_WORD else 32 for c in range(256))
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'", "‐": "-", "‑": "-"})
_POSSESSIVE = re.compile(r"'s$")
_stemmer = SnowballStemmer("english")


def _load_stopwords() -> frozenset[str]:
    text = resources.files("indexer").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


STOPWORDS: frozenset[str] = _load_stopwords()


class Token(NamedTuple):
    term: str  # the indexed form (folded, stemmed)
    position: int  # ordinal of the term in the field
    start: int  # character span of the original word in the text
    end: int


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case-fold and strip accents: ``Faladié`` -> ``faladie``."""
    folded = word.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball English stem of an already folded word."""
    return _stemmer.stem(word)


def word_terms(word: str) -> tuple[str, ...]:
    """The index terms of one tokenizer word (empty when it is only stop words)."""
    return _word_terms[word]


def _terms_of_word(word: str) -> tuple[str, ...]:
    word = fold(word.translate(_APOSTROPHES))
    word = _POSSESSIVE.sub("", word).replace("'", "")
    parts = word.split("-") if "-" in word else (word,)
    return tuple(stem(p) for p in parts if p and p not in STOPWORDS)


_word_terms = Memo(_terms_of_word, 200_000)
also_clear(fold.cache_clear)
also_clear(stem.cache_clear)


def analyse(text: str) -> Iterator[Token]:
    """Index terms of ``text`` with positions and the spans of the original words."""
    position = 0
    for start, end in _spans(text):
        for term in _word_terms[text[start:end]]:
            yield Token(term, position, start, end)
            position += 1


def terms(text: str) -> list[str]:
    """Just the index terms of ``text``, in order."""
    return list(chain.from_iterable(map(_word_terms.__getitem__, words(text))))  # (a comprehension: 12% slower)


def words(text: str) -> list[str]:
    """The words of ``text`` as written: what :func:`analyse` tokenises, without the spans
    (a split on the same separators, which indexing and querying need at full speed)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii").split()
    return [w for w in _SEPARATORS.split(text) if w]


def _spans(text: str) -> Iterator[tuple[int, int]]:
    return ((s, e) for s, e in regexp_span_tokenize(text, _SEPARATORS) if s != e)
