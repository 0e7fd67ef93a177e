"""Headlines and headings, where capitals prove nothing: only known names count.

A title-cased headline ("ECOWAS Condemns Bamako Terror Attacks") or a wire
headline in capitals keeps the names that a list, an alias, a definition or the
article's own body gives, and (outside capitals) its acronyms.
"""

from __future__ import annotations

import re

from .aliases import AliasTable
from .gazetteer import Gazetteer
from .mentions import Reading, ShortForms, short_forms
from .names import actor_key, is_acronym, split_compound
from .runs import Run

# A word of a headline in capitals, less a possessive "'S".
_CAPS_WORD = re.compile(r"[A-Z0-9][A-Z0-9&.-]*(?:['’](?!S\b)[A-Z]+)*")


class HeadlineReader:
    """Finds known names in title-cased or capital headlines and headings."""

    def __init__(self, g: Gazetteer, first_words: frozenset[str], aliases: AliasTable) -> None:
        self._g = g
        self._first_words = first_words
        self._aliases = aliases

    @staticmethod
    def caps_run(title: str) -> Run:
        """A headline in capitals as one run of words."""
        return Run(0, len(title), _CAPS_WORD.findall(title), True, "caps")

    def prepare(self, reading: Reading) -> ShortForms:
        """Note the names the body used, with the short forms of its people and bodies
        (returned too)."""
        names = dict.fromkeys((m.name, m.kind) for m in reading.mentions if not m.weak)
        short = short_forms(reading.mentions, self._g)
        reading.surfaces = {actor_key(n): (n, k) for n, k in names}
        reading.surfaces.update({k: v for k, v in short.items() if v})
        reading.firsts = {k.partition(" ")[0] for k in reading.surfaces}
        reading.named = {actor_key(name) for name, _ in reading.surfaces.values()}
        return short

    def read(self, reading: Reading, run: Run) -> None:
        """Record the known names of a headline run, longest first."""
        g, surfaces, caps = self._g, reading.surfaces, run.heading == "caps"
        words = [
            split_compound(w, g.compound_suffixes)[0] if "-" in w else w
            for w in run.words
        ]
        keys = [actor_key(w) for w in words]
        i = 0
        while i < len(words):
            hit, size, key = None, 1, keys[i]
            if key in self._first_words or key in reading.firsts or key in reading.local:
                for size in range(min(6, len(words) - i), 0, -1):
                    joined = " ".join(keys[i : i + size])
                    hit = reading.lookup(joined) or surfaces.get(joined)
                    if hit:
                        break
            if not (hit or caps) and is_acronym(words[i]) and self._new_acronym(key):
                hit = (words[i], "organisation")
            if hit and caps and size == 1 and self._learned_only(reading, hit, words[i]):
                hit = None  # "OIL" (from "Oil India Ltd (OIL)") in capitals is oil
            if hit:
                reading.emit(run.start + i / 100, hit[0], hit[1], known=True)
            i += size if hit else 1

    def _learned_only(self, reading: Reading, hit: tuple[str, str], word: str) -> bool:
        """True when only a corpus definition makes ``word`` a name, and the body does not use it."""
        return actor_key(hit[0]) not in reading.named and self._aliases.learned(word)

    def _new_acronym(self, key: str) -> bool:
        return key not in self._g.non_names and key not in self._g.places
