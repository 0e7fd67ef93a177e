"""Capitalised runs: the candidate names in a text and the context the rules need.

The scan is NLTK's ``RegexpTokenizer`` with one pattern for a run of capitalised
words joined by name connectors, so the work per article is one regex pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nltk.tokenize import RegexpTokenizer

from .gazetteer import Gazetteer
from .names import looks_like_title_case

_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LINE_BREAK = re.compile(r"[ \t]*\n")
_NEXT = re.compile(r"[ \t\n]+([a-z][a-z'’-]*)(?:[ \t\n]+([a-z][a-z'’-]*))?(?:[ \t\n]+([a-z][a-z'’-]*))?")
_PREV = re.compile(r"([A-Za-z]+)[ \t\n]+$")
# Lines that may be headings: short, no closing punctuation, at most one long lower-case word.
_HEADING = re.compile(r"^(?![^\n]*\b[a-z]{4,}\b[^\n]*\b[a-z]{4,}\b)[^\n]{3,90}(?<![.!?;:,\"”’)\s])$", re.M)
_OPENERS = " \t\"“‘'(«[*•-"


@dataclass
class Run:
    """One capitalised run: its offsets, words, and whether it opens a sentence."""

    start: int
    end: int
    words: list[str]
    initial: bool
    heading: bool


class Scanner:
    """Finds runs in a text and reads the words around them."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        prefixes = "|".join(re.escape(p) for p in gazetteer.name_prefixes)
        connectors = "|".join(re.escape(c).replace(r"\ ", "[ \t]+") for c in gazetteer.connectors)
        token = (
            rf"(?:(?:[{_UP}]\.){{2,}}"  # U.S.
            rf"|[{_UP}]\.(?=[ \t]+[{_UP}])"  # the W. of George W. Bush
            rf"|(?:(?:{prefixes})-)?[{_UP}][\w&]*(?:[-'’](?![sS]\b)\w+)*)"  # al-Qaeda, Jama'at, AT&T
        )
        pattern = rf"{token}(?:[ \t]+(?:(?:{connectors})[ \t]+)?{token})*"
        self._tokenizer = RegexpTokenizer(pattern)
        self._gaz = gazetteer

    def runs(self, text: str, heading: bool = False) -> list[Run]:
        """The runs of ``text``; runs split only by a wrapped line break are joined."""
        headings = [] if heading else [m.span() for m in _HEADING.finditer(text) if self._is_heading(m.group())]
        runs: list[Run] = []
        for start, end in self._tokenizer.span_tokenize(text):
            if runs and self._wrapped(text, runs[-1], start):
                last = runs[-1]
                last.end = end
                last.words.extend(text[start:end].split())
                continue
            in_heading = heading or any(a <= start < b for a, b in headings)
            initial = in_heading or self._opens_sentence(text, start)
            runs.append(Run(start, end, text[start:end].split(), initial, in_heading))
        return runs

    def _is_heading(self, line: str) -> bool:
        words = line.split()
        return len(words) >= 2 and looks_like_title_case(words)

    @staticmethod
    def _wrapped(text: str, last: Run, start: int) -> bool:
        """True when only a line break of wrapped prose lies between ``last`` and ``start``."""
        if last.heading or not _LINE_BREAK.fullmatch(text, last.end, start):
            return False
        line_start = text.rfind("\n", 0, last.start) + 1
        return last.end - line_start >= 50

    @staticmethod
    def _opens_sentence(text: str, start: int) -> bool:
        i = start - 1
        while i >= 0 and text[i] in _OPENERS:
            i -= 1
        if i < 0 or text[i] in ".!?:;":
            return True
        if text[i] != "\n":
            return False
        line_end = i
        while i >= 0 and text[i] in " \t\n":
            i -= 1
        if i < 0 or text[i] in ".!?:;\"”’)" or "\n" in text[i + 1 : line_end]:
            return True
        return line_end - (text.rfind("\n", 0, i) + 1) < 50

    @staticmethod
    def next_words(text: str, end: int) -> tuple[str, ...]:
        """Up to three lower-case words right after ``end``."""
        m = _NEXT.match(text, end)
        return tuple(w for w in m.groups() if w) if m else ()

    @staticmethod
    def previous_word(text: str, start: int) -> str:
        """The word right before ``start`` (empty at the start of the text)."""
        m = _PREV.search(text, max(0, start - 20), start)
        return m.group(1).lower() if m else ""
