"""Highlighted snippets: the best passages of a text, query words in ``<mark>``.

Matching is by index term (so ``hideouts`` marks "hideouts" for the query
``hideout``) but what is shown is always the original text, escaped, then
passed through nh3 allowing only ``<mark>``.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import nh3

from indexer import analysis
from indexer.search import query

SNIPPET_CHARS = 240
MAX_PASSAGES = 3
SCAN_CHARS = 60_000  # long bodies: passages are looked for in their first part
_ELLIPSIS = " … "


@dataclass(frozen=True)
class Marker:
    """What to mark: index terms, and folded prefixes from ``word*`` queries."""

    terms: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes)

    def matches(self, word: str) -> bool:
        if not self.terms.isdisjoint(analysis.word_terms(word)):
            return True
        return bool(self.prefixes) and analysis.fold(word).startswith(self.prefixes)

    @cached_property
    def starts(self) -> tuple[str, ...]:
        """How the words that may match begin, in folded text.

        A stem is almost always a prefix of its words once its last letter is
        dropped (attack -> attacked, happi -> happy); each candidate is then
        checked with :meth:`matches`, so this only has to over-find.
        """
        return tuple(sorted({t[:-1] if len(t) > 3 else t for t in self.terms} | set(self.prefixes)))


def marker_for(node: query.Node, expansions: Iterable[str] = ()) -> Marker:
    """The words a query looks for (outside NOT), plus engine expansions (fuzzy)."""
    terms: set[str] = set(expansions)
    prefixes: list[str] = []

    def walk(n: query.Node) -> None:
        if isinstance(n, (query.And, query.Or)):
            for item in n.items:
                walk(item)
        elif isinstance(n, (query.Word, query.Phrase)) and n.field in (None, "title", "body"):
            terms.update(analysis.terms(n.text))
        elif isinstance(n, query.Prefix) and n.field in (None, "title", "body"):
            prefixes.append(analysis.fold(n.text))
        elif isinstance(n, query.Fuzzy) and n.field in (None, "title", "body"):
            terms.update(analysis.terms(n.text))

    walk(node)
    return Marker(frozenset(terms), tuple(prefixes))


def _spans(text: str, marker: Marker) -> list[tuple[int, int]]:
    if not marker:
        return []
    scanned = text[:SCAN_CHARS]
    folded = scanned.translate(_FOLD)  # same length as ``scanned``: offsets carry over
    found = {span for start in marker.starts for span in _words_starting(folded, start)}
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda span: (span[0], -span[1])):  # leftmost, longest
        if (not spans or start >= spans[-1][1]) and marker.matches(scanned[start:end]):
            spans.append((start, end))  # (two starts can find overlapping words: o'ne* and neil)
    return spans


_WORD_REST = re.compile(r"\w*")


def _words_starting(text: str, start: str) -> Iterator[tuple[int, int]]:
    """The spans of the words of ``text`` that begin with ``start``.

    ``str.find`` from one occurrence to the next: no pattern to compile per query,
    and 2-4x faster than one alternation over all the starts. A start of one or
    two letters occurs inside most words: one regex pass goes over those.
    """
    if len(start) < 3:
        yield from (m.span() for m in re.finditer(rf"\b{re.escape(start)}\w*", text))
        return
    at = text.find(start)
    while at != -1:
        if at and _is_word_char(text[at - 1]):
            at = text.find(start, at + 1)
            continue
        rest = _WORD_REST.match(text, at + len(start))
        end = rest.end() if rest else at + len(start)
        yield at, end
        at = text.find(start, end)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # (what ``\w`` matches)


class _FoldTable(dict):
    """str.translate table: each character to one lower-case, accent-free character."""

    def __missing__(self, code: int) -> int:
        folded = analysis.fold(chr(code))
        self[code] = ord(folded) if len(folded) == 1 else code
        return self[code]


_FOLD = _FoldTable()


def highlight(text: str, marker: Marker) -> str:
    """All of ``text``, escaped, with matching words marked."""
    return _clean(_render(text, 0, len(text), _spans(text, marker)))


def snippet(text: str, marker: Marker, size: int = SNIPPET_CHARS) -> str:
    """Up to three best passages around the matches; the lead when nothing matches."""
    spans = _spans(text, marker)
    if not spans:
        start, end = 0, _cut_end(text, min(len(text), size))
        lead = _render(text, start, end, []) + ("…" if end < len(text) else "")
        return _clean(" ".join(lead.split()))
    windows = _best_windows(text, spans, size)
    starts = [s for s, _ in spans]
    parts = []
    for start, end in windows:
        lo, hi = _inside(spans, starts, start, end)
        inside = spans[lo:hi]
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
        parts.append(prefix + _render(text, start, end, inside) + suffix)
    return _clean(" ".join(" ".join(parts).split()))


def _best_windows(text: str, spans: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """Greedy: the window with most distinct matched words, then the next disjoint one.

    Linear in the matches: windows start at least ``size // 8`` characters apart
    and each counts only the matches inside it (found by bisection), so an
    article repeating a word ten thousand times costs milliseconds.
    """
    starts = [s for s, _ in spans]
    words = [analysis.fold(text[s:e]) for s, e in spans]
    candidates = []
    previous = -size
    for first in starts:
        start = _cut_start(text, max(0, min(first - size // 4, len(text) - size)))
        if start < previous + size // 8:
            continue
        previous = start
        end = _cut_end(text, min(len(text), start + size))
        lo, hi = _inside(spans, starts, start, end)
        candidates.append((len(set(words[lo:hi])), -start, start, end))
    candidates.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    budget = size * MAX_PASSAGES // 2 if len(spans) > 1 else size
    for _, _, start, end in candidates:
        if len(chosen) >= MAX_PASSAGES or sum(e - s for s, e in chosen) + (end - start) > budget + size:
            break
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return sorted(chosen)


def _inside(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> tuple[int, int]:
    """The slice of ``spans`` (sorted, disjoint) that lies within ``start..end``."""
    lo = bisect.bisect_left(starts, start)
    hi = bisect.bisect_left(starts, end)
    while hi > lo and spans[hi - 1][1] > end:
        hi -= 1
    return lo, hi


def _cut_start(text: str, pos: int) -> int:
    """Move ``pos`` forward to the start of a word (or a sentence start close before it)."""
    if pos == 0:
        return 0
    sentence = max(text.rfind(". ", max(0, pos - 40), pos), text.rfind("\n", max(0, pos - 40), pos))
    if sentence != -1:
        return sentence + 1 + (text[sentence + 1 : sentence + 2].isspace())
    space = text.find(" ", pos)
    return pos if space == -1 else space + 1


def _cut_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.rfind(" ", 0, pos)
    return pos if space <= 0 else space


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    out, at = [], start
    for s, e in spans:
        out.append(html.escape(text[at:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        at = e
    out.append(html.escape(text[at:end]))
    return "".join(out)


_SANITISER = nh3.Cleaner(tags={"mark"}, attributes={}, strip_comments=True)  # built once: half the cost a call


def _clean(fragment: str) -> str:
    return _SANITISER.clean(fragment)
