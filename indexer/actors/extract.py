"""ActorExtractor: the people, organisations, states and armed groups an article names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .acronyms import Definition, DefinitionFinder
from .aliases import AliasTable, load_aliases
from .gazetteer import load_gazetteer
from .names import actor_key, clean_name, is_acronym, looks_like_title_case, split_compound
from .joins import RunJoiner
from .mentions import Actor, Mention, resolve, short_forms
from .rules import NameRules, Plan, guess_kind
from .runs import Run, Scanner

_PARTY = re.compile(r"[DRI]-[A-Z][a-z]+")  # "D-Conn": a US legislator's party and state


@dataclass
class _Article:
    """What the rules learn while reading one article."""

    text: str
    known: dict[str, tuple[str, str]]  # key -> (canonical, kind): the extractor's known names
    local: dict[str, tuple[str, str]]  # the same, from the article's acronym definitions
    seen: set[str] = field(default_factory=set)  # words seen capitalised inside sentences
    mentions: list[Mention] = field(default_factory=list)
    place_end: int = -1  # end of the last run found to be a place
    surfaces: dict[str, tuple[str, str]] = field(default_factory=dict)  # names the body used, by key
    firsts: set[str] = field(default_factory=set)  # first words of those keys
    named: set[str] = field(default_factory=set)  # keys of the actors the body names
    base: int = 0  # added to offsets: the title sorts before the body

    def lookup(self, key: str) -> tuple[str, str] | None:
        """The (canonical, kind) a name key stands for in this article, if known."""
        return self.local.get(key) or self.known.get(key)


class ActorExtractor:
    """Rule-based actor extraction (see the package docstring for the rules)."""

    def __init__(self, aliases: AliasTable | None = None) -> None:
        self._aliases = aliases if aliases is not None else load_aliases()
        g = self._gaz = load_gazetteer()
        self._scanner = Scanner(g)
        self._connector_words = frozenset(w for c in g.connectors for w in c.split())
        joining = self._connector_words | g.definition_words
        self._finder = DefinitionFinder(frozenset(joining), g.name_prefixes)
        self._known: dict[str, tuple[str, str]] = {}
        for key, (name, kind) in g.known.items():
            self._known[key] = (self._aliases.canonical(name), self._aliases.kind(name) or kind)
        for key, canonical in self._aliases.keys():
            kind = self._aliases.kind(canonical) or guess_kind(canonical.split(), g, self._connector_words)
            self._known[key] = (canonical, kind)
        self._rules = NameRules(g, self._known, self._connector_words)
        self._joiner = RunJoiner(g)
        self._skip = g.function_words | self._connector_words

    # -- public API --------------------------------------------------------------

    def learn(self, title: str, body: str) -> dict[str, str]:
        """Acronym definitions in one article: acronym -> long form."""
        return {d.acronym: d.long for d in self._definitions(title) + self._definitions(body)}

    def extract(self, title: str, body: str) -> list[Actor]:
        """The article's actors, one per canonical name, in order of first mention."""
        definitions = self._definitions(body)
        art = _Article(body, self._known, self._local(self._definitions(title) + definitions))
        runs = self._joiner.join(body, self._scanner.runs(body), art.lookup)
        for run in runs:
            if not run.initial:
                art.seen.update(run.words)
        done: set[int] = set()
        headings = []
        for run in runs:
            d = next((d for d in definitions if run.start < d.end and d.start < run.end), None) if definitions else None
            if d is not None:
                if d.start not in done:
                    done.add(d.start)
                    canonical, kind = art.local[actor_key(d.long)]
                    self._emit(art, d.start, canonical, kind, known=True)
            elif run.heading:
                headings.append(run)
            else:
                self._run(art, run)
        short = short_forms(art.mentions, self._gaz)
        art.surfaces = {actor_key(m.name): (m.name, m.kind) for m in art.mentions if not m.weak}
        art.surfaces.update({k: v for k, v in short.items() if v})
        art.firsts = {k.partition(" ")[0] for k in art.surfaces}
        art.named = {actor_key(name) for name, _ in art.surfaces.values()}
        for run in headings:
            self._title_run(art, run)
        heading = "caps" if title.isupper() else "title" if looks_like_title_case(title.split()) else ""
        if title.strip():
            title_art = _Article(title, self._known, art.local, art.seen, art.mentions, base=-len(title) - 1)
            title_art.surfaces, title_art.firsts, title_art.named = art.surfaces, art.firsts, art.named
            for run in self._joiner.join(title, self._scanner.runs(title, heading), art.lookup):
                if run.heading:
                    self._title_run(title_art, run)
                else:
                    self._run(title_art, run)
        if not heading:  # a sentence-case title may name people in full
            short = short_forms(art.mentions, self._gaz)
        return resolve(art.mentions, short, art.lookup, self._aliases)

    # -- definitions ----------------------------------------------------------------

    def _definitions(self, text: str) -> list[Definition]:
        place_heads = self._gaz.place_heads
        return [d for d in self._finder.find(text) if d.long.split()[-1].lower() not in place_heads]

    def _local(self, definitions: list[Definition]) -> dict[str, tuple[str, str]]:
        local: dict[str, tuple[str, str]] = {}
        for d in definitions:
            canonical = self._aliases.definition_canonical(d.acronym, d.long) or clean_name(d.long)
            hit = self._known.get(actor_key(canonical))
            kind = hit[1] if hit else self._rules.guess_kind(d.long.split())
            local[actor_key(d.acronym)] = local[actor_key(d.long)] = (canonical, kind)
        return local

    # -- one run -------------------------------------------------------------------

    def _run(self, art: _Article, run: Run) -> None:
        words = run.words
        if len(words) == 1:
            if "-" in words[0] and _PARTY.fullmatch(words[0]):
                return
            if words[0].isupper() and art.text[run.start - 1 : run.start] == "<" == art.text[run.end : run.end + 1]:
                return  # a stock ticker: <GM>
        if "-" not in art.text[run.start : run.end]:
            self._segment(art, run, words, "", run.initial, run.end)
            return
        segment: list[str] = []
        first = True
        for i, word in enumerate(words):
            head, suffix = split_compound(word, self._gaz.compound_suffixes) if "-" in word else (word, "")
            if suffix or i == len(words) - 1:
                segment.append(head)
                end = run.end if i == len(words) - 1 and not suffix else -1
                self._segment(art, run, segment, suffix, run.initial and first, end)
                segment, first = [], False
            else:
                segment.append(word)

    def _segment(self, art: _Article, run: Run, words: list[str], suffix: str, initial: bool, end: int) -> None:
        """Classify one stretch of capitalised words; ``end`` is its end in the text (or -1)."""
        skip = self._skip
        while words and words[0].lower() in skip:
            words, initial = words[1:], False
        while words and words[-1].lower() in skip:
            words = words[:-1]
        if not words or (len(words) == 1 and len(words[0].rstrip(".")) == 1):
            return
        if art.local:
            hit = art.local.get(actor_key(" ".join(words)))
            if hit:
                self._emit(art, run.start, hit[0], hit[1], known=True)
                return
        self._apply(art, run, self._rules.plan(tuple(words)), words, suffix, initial, end)

    def _apply(self, art: _Article, run: Run, plan: Plan, words: list[str], suffix: str, initial: bool, end: int) -> None:
        """Apply a plan, with the checks that need the article around the run."""
        g = self._gaz
        action = plan.action
        if action == "known":
            name, kind, _ = plan.names[0]
            if not (kind == "state" and art.place_end >= 0 and art.text[art.place_end : run.start] == ", "):
                self._emit(art, run.start, name, kind, known=True)
        elif action in ("parts", "role"):
            for i, (name, kind, known) in enumerate(plan.names):
                self._emit(art, run.start + i / 100, name, kind, known=known)
        elif action == "weak":
            self._emit(art, run.start, plan.names[0][0], "unknown", weak=True)
        elif action == "place":
            art.place_end = run.end
        elif action == "demonym":
            if plan.rest is not None:
                self._apply(art, run, plan.rest, words[plan.skip :], suffix, False, end)
            elif suffix in g.actor_suffixes or any(w in g.state_nouns for w in self._next(art, end)[:2]):
                self._emit(art, run.start, plan.state, "state", known=True)
        elif action == "name":
            self._new_name(art, run, plan, words, suffix, initial, end)

    def _new_name(self, art: _Article, run: Run, plan: Plan, words: list[str], suffix: str, initial: bool, end: int) -> None:
        """A name no list knows: keep it unless its context says otherwise."""
        g = self._gaz
        name, kind, _ = plan.names[0]
        single = len(words) == 1
        if initial:
            if single and not plan.acronym and words[0] not in art.seen:
                self._emit(art, run.start, name, kind, weak=True)
                return
            if not single and self._common_opener(art, words):
                self._segment(art, run, words[1:], suffix, False, end)
                return
        nxt = self._next(art, end)
        if nxt:
            hit = art.lookup(f"{actor_key(name)} {nxt[0]}")
            if hit:
                self._emit(art, run.start, hit[0], hit[1], known=True)
                return
            if nxt[0] in g.place_heads or (len(nxt) > 1 and nxt[1] in g.place_heads):
                return
        if plan.acronym:
            self._emit(art, run.start, name, kind)
            return
        if not plan.org_head:
            before = self._scanner.previous_word(art.text, run.start)
            if before in g.locatives or before.removesuffix(" of") in g.place_heads:
                return  # "in Moura", "the town of Kelemba"
        common = single and f" {words[0].lower()} " in art.text  # "Trade" beside "trade"
        self._emit(art, run.start, name, kind, weak=common)

    def _title_run(self, art: _Article, run: Run) -> None:
        """Headlines and headings: keep only names known from lists or the article's body."""
        all_caps = run.heading == "caps"
        surfaces = art.surfaces
        words = [split_compound(w, self._gaz.compound_suffixes)[0] for w in run.words]
        keys = [actor_key(w) for w in words]
        i = 0
        while i < len(words):
            hit, size = None, 1
            if keys[i] in self._rules.first_words or keys[i] in art.firsts or keys[i] in art.local:
                for size in range(min(6, len(words) - i), 0, -1):
                    key = " ".join(keys[i : i + size])
                    hit = art.lookup(key) or surfaces.get(key)
                    if hit:
                        break
            if not hit and not all_caps and is_acronym(words[i]):
                if keys[i] not in self._gaz.non_names and keys[i] not in self._gaz.places:
                    hit = (words[i], "organisation")
            if hit and all_caps and size == 1 and actor_key(hit[0]) not in art.named and self._aliases.learned(words[i]):
                hit = None  # "OIL" (learned from "Oil India Ltd (OIL)") in a wire headline is oil
            if hit:
                self._emit(art, run.start + i / 100, hit[0], hit[1], known=True)
            i += size if hit else 1

    # -- helpers ---------------------------------------------------------------------

    def _emit(
        self, art: _Article, pos: float, name: str, kind: str = "unknown", known: bool = False, weak: bool = False
    ) -> None:
        art.mentions.append(Mention(art.base + pos, name if known else clean_name(name), kind, known, weak))

    def _next(self, art: _Article, end: int) -> tuple[str, ...]:
        return self._scanner.next_words(art.text, end) if end >= 0 else ()

    def _common_opener(self, art: _Article, words: list[str]) -> bool:
        """True when the first word of a sentence-opening run is an ordinary word: it is
        used in lower case, ends in -ly, or comes before "of" ("Officials of the Bank of
        Japan") or before a known name without being a name elsewhere."""
        first, low = words[0], words[0].lower()
        if f" {low} " in art.text or low.endswith("ly"):
            return True
        if first in art.seen or low in self._gaz.org_heads:
            return False
        return words[1].lower() in ("of", "for") or art.lookup(actor_key(" ".join(words[1:]))) is not None
