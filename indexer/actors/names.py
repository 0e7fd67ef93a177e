"""Name normalisation and the token-level rules: keys, cleaning, acronyms, roles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from indexer.memo import Memo

_ACCENTS = re.compile(r"[\u0300-\u036f]+")
# Apostrophes and full stops vanish ("Jama'at" -> "jamaat", "U.S." -> "us"); every
# other punctuation mark, hyphens included, becomes a space.
_KEY_TABLE = str.maketrans(
    {
        **{c: " " for c in '-‐‑‒–—_/\\,;:!?()[]{}<>"“”«»&+*#@|~^='},
        "'": "",
        "’": "",
        "‘": "",
        "`": "",
        ".": "",
    }
)
_QUOTES = "\"'“”‘’«»"
_POSSESSIVE = re.compile(r"['’][sS]?$")


def _actor_key(name: str) -> str:
    """The index key of a name: accents folded, case folded, punctuation to spaces."""
    if not name.isascii():
        name = _ACCENTS.sub("", unicodedata.normalize("NFKD", name))
    return " ".join(name.casefold().translate(_KEY_TABLE).split())


def _clean_name(name: str) -> str:
    """A name as shown: outer quotes, a leading "the" and a possessive dropped, spaces single."""
    name = " ".join(name.split()).strip(_QUOTES + " ,;:")
    if name[:4].lower() == "the ":
        name = name[4:]
    if _POSSESSIVE.search(name) and len(name) > 2:
        name = _POSSESSIVE.sub("", name)
    return name.replace("’", "'")


# The rules ask for keys some 70 times an article: memos, looked up from C.
actor_key: Callable[[str], str] = Memo(_actor_key, 200_000).__getitem__
clean_name: Callable[[str], str] = Memo(_clean_name, 200_000).__getitem__


_ACRONYM = re.compile(r"[A-Z](?:[A-Z&.]*[A-Z]\.?|\.(?:[A-Z]\.)+|-?[0-9]{1,2})")


def is_acronym(token: str) -> bool:
    """True for "ECOWAS", "U.N.", "AT&T", "G7", "M23"; false for "MAY7" or "Mali"."""
    return _ACRONYM.fullmatch(token) is not None


def split_compound(token: str, suffixes: frozenset[str]) -> tuple[str, str]:
    """Split an adjectival compound: "al-Qaeda-linked" -> ("al-Qaeda", "linked")."""
    head, sep, tail = token.rpartition("-")
    if sep and head and tail.lower() in suffixes:
        return head, tail.lower()
    return token, ""


def find_role(
    lowered: Sequence[str], roles: frozenset[tuple[str, ...]], longest: int
) -> tuple[int, int] | None:
    """The last role in a run of lower-cased tokens as (start, end), longest match first."""
    found = None
    i = 0
    while i < len(lowered):
        for size in range(min(longest, len(lowered) - i), 0, -1):
            if tuple(lowered[i : i + size]) in roles:
                found = (i, i + size)
                i += size - 1
                break
        i += 1
    return found


def looks_like_title_case(words: Sequence[str]) -> bool:
    """True for headlines where most longer words are capitalised (or all are upper case)."""
    long_words = [w for w in words if len(w) >= 4 and w[0].isalpha()]
    if len(long_words) < 2:
        return False
    capitalised = sum(1 for w in long_words if w[0].isupper())
    return capitalised >= 0.75 * len(long_words)
