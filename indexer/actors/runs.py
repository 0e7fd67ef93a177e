"""Capitalised runs: the candidate names in a text and the context the rules need.

One regex pass finds every run of capitalised words joined by name connectors
("Bank of Japan", "Jama'at Nusrat al-Islam wal Muslimin", "George W. Bush").
It is the pattern one would give NLTK's ``RegexpTokenizer``, run with the
standard ``re`` engine: NLTK 3.10 wraps tokenizer patterns in a ReDoS time-out
guard on the ``regex`` engine that makes this scan 3.5 times slower, and the scan
runs on every article at reindex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .gazetteer import Gazetteer
from .names import looks_like_title_case

_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"  # capitals (Latin Extended-A is taken whole, small letters too)
_LINE_BREAK = re.compile(r"[ \t]*\n")
_NEXT = re.compile(
    r"[ \t\n]+([a-z][a-z'’-]*)(?:[ \t\n]+([a-z][a-z'’-]*))?(?:[ \t\n]+([a-z][a-z'’-]*))?"
)
_COMMA_NAME = re.compile(r",[ \t\n]+([A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*)?)")
# The word before a run, read backwards (a match, not a search for an end): "<word> of"
# or "<word>", reversed.
_PREVIOUS_REVERSED = re.compile(r"[ \t\n]+(?:fo[ \t\n]+([A-Za-z]+)|([A-Za-z]+))")
_OPENERS = " \t\"“‘'(«[*•-"
_CLOSERS = '.!?;:,"”’)'


@dataclass(slots=True)
class Run:
    """One capitalised run: its offsets, words, and whether it opens a sentence.

    ``heading`` is "" in running text, "title" in a title-cased line and "caps" in
    a line of capitals (a wire headline or a table), where capitals prove nothing.
    """

    start: int
    end: int
    words: list[str]
    initial: bool
    heading: str


class Scanner:
    """Finds runs in a text and reads the words around them."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        prefixes = "|".join(re.escape(p) for p in gazetteer.name_prefixes)
        connectors = "|".join(
            re.escape(c).replace(r"\ ", "[ \t]+") for c in gazetteer.connectors
        )
        token = (
            rf"[{_UP}](?<![\w'’].)"  # a capital that starts a word (or follows a hyphen)
            rf"(?:\.(?:[{_UP}]\.)+"  # U.S.
            rf"|\.(?=[ \t]+[{_UP}])"  # the W. of George W. Bush
            rf"|[\w&]*(?:[-'’](?![sS]\b)\w+)*)"  # Qaeda, Jama'at, Jean-Hervé, AT&T
        )
        self._pattern = re.compile(
            rf"{token}(?:[ \t]+(?:(?:{connectors})[ \t]+|(?:{prefixes})-)?{token})*"
        )
        self._prefix = re.compile(rf"(?<![\w-])(?:{prefixes})-$", re.IGNORECASE)
        self._function_words = gazetteer.function_words
        heads = "|".join(sorted(gazetteer.place_heads, key=len, reverse=True))
        self._place_follows = re.compile(
            rf"[ \t\n]+(?:[a-z][a-z'’-]*[ \t\n]+)?(?:{heads})\b"
        )

    def runs(self, text: str, heading: str = "") -> list[Run]:
        """The runs of ``text`` (all in a ``heading`` if given).

        Hard-wrapped text (wire copy: lines shorter than 100 characters on average)
        has names and sentences that go on across line breaks; elsewhere a line
        break ends a paragraph, and a short title-cased line is a heading.
        """
        runs: list[Run] = []
        breaks = text.count("\n")
        wrapped = breaks >= 2 and len(text) < 100 * (breaks + 1)
        line_end = -1  # end of the line whose heading verdict is ``line_heading``
        line_heading = heading
        for match in self._pattern.finditer(text):
            start, end = match.span()
            if start and text[start - 1] == "-":
                prefix = self._prefix.search(text, max(0, start - 5), start)
                if prefix:
                    start = prefix.start()
            if (
                wrapped
                and runs
                and start - runs[-1].end <= 3
                and self._continues(text, runs[-1], start)
            ):
                last = runs[-1]
                last.end = end
                last.words.extend(text[start:end].split())
                continue
            found = text[start:end]
            if found.lower() in self._function_words:  # (all single words, as the run must be)
                continue  # "The", "It", "However": never a name, whatever the context
            words = found.split()
            before = text[start - 2 : start] if start > 1 else "\n\n"
            if not heading and start > line_end:
                line_heading = ""
                at_line_start = not wrapped and (
                    before[-1] == "\n"
                    or (before[0] in " \t\n" and self._line_start(text, start))
                )
                if at_line_start or (
                    words[0].isupper()
                    and text[end : end + 24].upper() == text[end : end + 24]
                ):
                    line_end = text.find("\n", start) % (len(text) + 1)
                    line_start = text.rfind("\n", 0, start) + 1
                    line_heading = self._heading_line(
                        text, line_start, line_end, at_line_start
                    )
            if line_heading:
                initial = True
            elif before[-1] == " " and (before[0].isalnum() or before[0] == ","):
                initial = False  # the common case: inside a sentence
            elif before[-1] == " " and before[0] in ".!?:;":
                initial = True  # the next common one: after a full stop
            else:
                initial = self._opens_sentence(text, start, wrapped)
            runs.append(Run(start, end, words, initial, line_heading))
        return runs

    @staticmethod
    def _heading_line(text: str, start: int, end: int, whole: bool) -> str:
        """ "caps" for a line of capitals; "title" for a short title-cased line that follows
        the end of a paragraph (if ``whole``, the run opens the line); else ""."""
        line = text[start:end].rstrip()
        if line.isupper():
            return "caps" if " " in line.strip() else ""
        if not whole or len(line) > 90 or not line or line[-1] in _CLOSERS:
            return ""
        i = start - 2
        while i >= 0 and text[i] in " \t":
            i -= 1
        if i >= 0 and text[i] not in _CLOSERS + "\n":
            return ""  # the line continues wrapped prose
        after = text[end : end + 8].lstrip()
        if after and not after[0].isupper():
            return ""  # the next line goes on with the sentence
        words = line.split()
        return "title" if len(words) >= 2 and looks_like_title_case(words) else ""

    @staticmethod
    def _line_start(text: str, start: int) -> bool:
        """True when only spaces stand between ``start`` and the start of its line."""
        return text[text.rfind("\n", 0, start) + 1 : start].isspace()

    @staticmethod
    def _continues(text: str, last: Run, start: int) -> bool:
        """True when only the line break of wrapped text lies between ``last`` and ``start``."""
        return (
            not last.heading
            and _LINE_BREAK.fullmatch(text, last.end, start) is not None
        )

    @staticmethod
    def _opens_sentence(text: str, start: int, wrapped: bool) -> bool:
        i = start - 1
        while i >= 0 and text[i] in _OPENERS:
            i -= 1
        if i < 0 or text[i] in ".!?:;":
            return True
        if text[i] != "\n":
            return False
        if not wrapped or text[i + 1 : i + 3] in ("  ", "\t"):
            return True  # a new paragraph (wrapped text indents them)
        line_end = i
        while i >= 0 and text[i] in " \t\n":
            i -= 1
        return i < 0 or text[i] in '.!?:;"”’)' or "\n" in text[i + 1 : line_end]

    def place_follows(self, text: str, end: int) -> bool:
        """True when a place noun follows ``end`` within two words ("Faladié gendarmerie school")."""
        return self._place_follows.match(text, end) is not None

    @staticmethod
    def comma_name(text: str, end: int) -> str:
        """The capitalised word or two after a comma at ``end`` ("Secaucus, N.J.")."""
        m = _COMMA_NAME.match(text, end)
        return m.group(1) if m else ""

    @staticmethod
    def next_words(text: str, end: int) -> tuple[str, ...]:
        """Up to three lower-case words right after ``end``."""
        m = _NEXT.match(text, end)
        return tuple(w for w in m.groups() if w) if m else ()

    @staticmethod
    def previous_word(text: str, start: int) -> str:
        """The word right before ``start``, or "<word> of" before an "of" (empty at the start)."""
        m = _PREVIOUS_REVERSED.match(text[max(0, start - 24) : start][::-1])
        if not m:
            return ""
        before_of, word = m.groups()
        return f"{before_of[::-1].lower()} of" if before_of else word[::-1].lower()
