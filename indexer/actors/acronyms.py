"""Acronym definitions in running text: "Long Name (ACR)" and "ACR (Long Name)".

The matching is Schwartz and Hearst's (2003) algorithm: walk the acronym's letters
from the end, finding each in the candidate long form, the first one at a word
start. Translated acronyms whose letters follow another word order ("Coordination
of Azawad Movements (CMA)") are accepted when the initials are the same letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .names import is_acronym

_PAREN = re.compile(r"\(\s*([^()\n]{2,120}?)\s*\)")
_WINDOW_STOP = re.compile(
    r"[.!?](?=\s)|\n(?=\s)|[(),;:–—]"
)  # a lone line break is wrapping
_WORD = re.compile(r"\S+")
_QUOTES = re.compile(r"(?<!\w)['‘’\"“”«»]|['‘’\"“”«»](?!\w)")  # quotes, not apostrophes
_ACRONYM_BEFORE = re.compile(r"([A-Z][A-Za-z0-9.&-]{1,11})[\s\"“”‘’]*$")


@dataclass(frozen=True)
class Definition:
    """An acronym and its long form, with the long form's offsets in the text."""

    acronym: str
    long: str
    start: int
    end: int


def _schwartz_hearst(short: str, long: str) -> int | None:
    """Where the long form for ``short`` starts in ``long``, or None."""
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (
            long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())
        ):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    return long.rfind(" ", 0, i + 1) + 1


def _blank_quotes(text: str) -> str:
    """Quotation marks to spaces (offsets kept); apostrophes inside words stay."""
    return _QUOTES.sub(" ", text)


def _initials(words: list[str]) -> str:
    return "".join(sorted(w[0].lower() for w in words if w[0].isupper()))


class DefinitionFinder:
    """Finds acronym definitions; ``joining`` are the lower-case words a long form may contain."""

    def __init__(self, joining: frozenset[str], prefixes: tuple[str, ...]) -> None:
        self._joining = joining
        self._prefixes = tuple(p + "-" for p in prefixes)

    def find(self, text: str) -> list[Definition]:
        """All definitions in ``text``, in order."""
        found: list[Definition] = []
        if "(" not in text:
            return found
        for match in _PAREN.finditer(text):
            inner = match.group(1).strip('"“”‘’ ')
            if is_acronym(inner) and " " not in inner and len(inner) <= 12:
                definition = self._long_before(text, match.start(), inner)
            else:
                definition = self._long_inside(text, match, inner)
            if definition:
                found.append(definition)
        return found

    def _long_before(self, text: str, paren: int, acronym: str) -> Definition | None:
        lo = max(0, paren - 250)
        segment = text[lo:paren]
        stops = [m.end() for m in _WINDOW_STOP.finditer(segment)]
        cut = stops[-1] if stops else 0
        letters = sum(1 for c in acronym if c.isalnum())
        segment = _blank_quotes(segment)
        words = list(_WORD.finditer(segment, cut))
        words = words[-min(letters + 5, 2 * letters) :]
        if len(words) < 2:
            return None
        first = words[0].start()
        window = segment[first : words[-1].end()]
        start = self._long_start(acronym, window)
        if start is None:
            return None
        long = " ".join(window[start:].split())
        return Definition(acronym, long, lo + first + start, lo + words[-1].end())

    def _long_inside(
        self, text: str, match: re.Match[str], inner: str
    ) -> Definition | None:
        before = _ACRONYM_BEFORE.search(text, max(0, match.start() - 20), match.start())
        if not before or not is_acronym(before.group(1)) or " " not in inner:
            return None
        window = _blank_quotes(inner)
        if self._long_start(before.group(1), window) != 0:
            return None
        start = match.start(1) + (
            len(match.group(1)) - len(match.group(1).lstrip('"“”‘’ '))
        )
        return Definition(
            before.group(1), " ".join(window.split()), start, start + len(inner)
        )

    def _long_start(self, acronym: str, window: str) -> int | None:
        """Start of the long form in ``window`` (whose end it must reach), or None."""
        start = _schwartz_hearst(acronym, window)
        if start is None:
            # A translated acronym: the same initials in another order.
            target = "".join(sorted(c.lower() for c in acronym if c.isalpha()))
            words = list(_WORD.finditer(window))
            for i, found in enumerate(words[:-1]):
                text = found.group()
                if (
                    text[0].lower() == acronym[0].lower()
                    and _initials([w.group() for w in words[i:]]) == target
                ):
                    start = found.start()
                    break
            if start is None:
                return None
        long_words = window[start:].split()
        if len(long_words) < 2 or not long_words[0][0].isupper():
            return None
        for word in long_words:
            if not (
                word[0].isupper()
                or word.lower() in self._joining
                or word.lower().startswith(self._prefixes)
            ):
                return None
        return start
