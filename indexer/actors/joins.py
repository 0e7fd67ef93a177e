"""Runs that make one name together: "General Agreement on Tariffs and Trade",
"Procter and Gamble Co", "Moody's Investors Service Inc"."""

from __future__ import annotations

from collections.abc import Callable

from .gazetteer import Gazetteer
from .names import actor_key
from .runs import Run

Lookup = Callable[[str], "tuple[str, str] | None"]


class RunJoiner:
    """Joins neighbouring runs across joiner words when the whole is a known or company name."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._g = gazetteer

    def join(self, text: str, runs: list[Run], lookup: Lookup) -> list[Run]:
        """Join runs that make one name across "and", "in" or a possessive."""
        joined: list[Run] = []
        i = 0
        while i < len(runs):
            if i + 1 < len(runs) and runs[i + 1].start - runs[i].end <= 9:
                run, i = self._longest_join(text, runs, i, lookup)
            else:
                run, i = runs[i], i + 1
            while joined and run.start - joined[-1].end <= 9:
                words = self._joined_words(text, joined[-1], run, lookup)
                if not words:
                    break
                joined[-1].words, joined[-1].end = words, run.end
                run = joined.pop()
            joined.append(run)
        return joined

    def _longest_join(
        self, text: str, runs: list[Run], i: int, lookup: Lookup
    ) -> tuple[Run, int]:
        """Runs ``i``.. joined into the longest known name ("General Agreement on Tariffs and
        Trade"), with the index after them; run ``i`` alone if none."""
        first = runs[i]
        last = i
        while (
            last + 1 < len(runs)
            and last - i < 3
            and self._joiner(text[runs[last].end : runs[last + 1].start])
        ):
            last += 1
        for j in range(last, i, -1):
            words = [*first.words]
            for k in range(i + 1, j + 1):
                words += [
                    *text[runs[k - 1].end : runs[k].start].split(),
                    *runs[k].words,
                ]
            if lookup(actor_key(" ".join(words))):
                return Run(
                    first.start, runs[j].end, words, first.initial, first.heading
                ), j + 1
        return first, i + 1

    def _joiner(self, gap: str) -> bool:
        return (
            len(gap) <= 9
            and gap[:1] in " \t\n"
            and " ".join(gap.split()).lower() in self._g.joiners
        )

    def _joined_words(
        self, text: str, a: Run, b: Run, lookup: Lookup
    ) -> list[str] | None:
        """The words of ``a`` and ``b`` as one company name, if they make one
        ("Procter and Gamble Co", "Moody's Investors Service Inc")."""
        gap = text[a.end : b.start]
        if (
            a.heading
            or b.heading
            or b.words[-1].lower() not in self._g.corporate_suffixes
        ):
            return None
        if gap in ("'s ", "’s "):
            if len(a.words) == 1 and not lookup(actor_key(a.words[0])):  # not "Robert Maxwell's"
                return [*a.words[:-1], a.words[-1] + gap.strip(), *b.words]
            return None
        if (
            " ".join(gap.split()).lower() in ("and", "&")
            and a.words[-1].lower() not in self._g.org_heads
        ):
            return [*a.words, *gap.split(), *b.words]
        return None
