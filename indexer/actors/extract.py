"""ActorExtractor: the people, organisations, states and armed groups an article names."""

from __future__ import annotations

import re

from .acronyms import Definition, DefinitionFinder
from .aliases import AliasTable, load_aliases
from .gazetteer import load_gazetteer
from .headlines import HeadlineReader
from .joins import RunJoiner
from .mentions import Actor, Hit, Reading, resolve, short_forms
from .names import actor_key, clean_name, looks_like_title_case, split_compound
from .rules import NameRules, Plan, guess_kind
from .runs import Run, Scanner

_PARTY = re.compile(r"[DRI]-[A-Z][a-z]+")  # "D-Conn": a US legislator's party and state


class ActorExtractor:
    """Rule-based actor extraction (see the package docstring for the rules)."""

    def __init__(self, aliases: AliasTable | None = None) -> None:
        self._aliases = aliases if aliases is not None else load_aliases()
        g = self._g = load_gazetteer()
        connectors = frozenset(w for c in g.connectors for w in c.split())
        self._known: dict[str, Hit] = {}
        for key, (name, kind) in g.known.items():
            self._known[key] = (self._aliases.canonical(name), self._aliases.kind(name) or kind)
        for key, canonical in self._aliases.entries():
            self._known[key] = (canonical, self._aliases.kind(canonical) or guess_kind(canonical.split(), g, connectors))
        self._rules = NameRules(g, self._known, connectors)
        self._scanner = Scanner(g)
        self._joiner = RunJoiner(g)
        self._headlines = HeadlineReader(g, self._rules.first_words, self._aliases)
        self._finder = DefinitionFinder(connectors | g.definition_words, g.name_prefixes)
        self._skip = g.function_words | connectors

    def learn(self, title: str, body: str) -> dict[str, str]:
        """Acronym definitions in one article: acronym -> long form."""
        return {d.acronym: d.long for d in self._definitions(title) + self._definitions(body)}

    def extract(self, title: str, body: str) -> list[Actor]:
        """The article's actors, one per canonical name, in order of first mention."""
        definitions = self._definitions(body)
        reading = Reading(body, self._known, self._local(self._definitions(title) + definitions))
        headings = self._read_body(reading, definitions)
        short = self._headlines.prepare(reading)
        body_mentions = len(reading.mentions)
        for run in headings:
            self._headlines.read(reading, run)
        if len(reading.mentions) > body_mentions:  # the headings named more
            short = short_forms(reading.mentions, self._g)
        if title.strip() and self._read_title(reading, title):
            short = short_forms(reading.mentions, self._g)  # the title named someone new
        return resolve(reading.mentions, short, reading.lookup, self._aliases)

    def _read_body(self, reading: Reading, definitions: list[Definition]) -> list[Run]:
        """Read the body's runs; return its headings, which are read once it is known."""
        runs = self._joiner.join(reading.text, self._scanner.runs(reading.text), reading.lookup)
        for run in runs:
            if not run.initial:
                reading.seen.update(run.words)
        headings, defined = [], set()
        for run in runs:
            d = next((d for d in definitions if run.start < d.end and d.start < run.end), None) if definitions else None
            if d is not None:
                if d.start not in defined:  # "Economic Community of West African States (ECOWAS)"
                    defined.add(d.start)
                    reading.emit(d.start, *reading.local[actor_key(d.long)], known=True)
            elif run.heading:
                headings.append(run)
            else:
                self._run(reading, run)
        return headings

    def _read_title(self, reading: Reading, title: str) -> bool:
        """Read the title before the body; True if it added a name no list knows."""
        reading.text, reading.base, reading.place_end = title, -len(title) - 1, -1
        before = len(reading.mentions)
        if title.isupper():
            runs = [self._headlines.caps_run(title)]
        else:
            heading = "title" if looks_like_title_case(title.split()) else ""
            runs = self._joiner.join(title, self._scanner.runs(title, heading), reading.lookup)
        for run in runs:
            if run.heading:
                self._headlines.read(reading, run)
            else:
                self._run(reading, run)
        return any(not m.known for m in reading.mentions[before:])

    def _definitions(self, text: str) -> list[Definition]:
        heads = self._g.place_heads
        return [d for d in self._finder.find(text) if d.long.split()[-1].lower() not in heads]

    def _local(self, definitions: list[Definition]) -> dict[str, Hit]:
        """What the article's acronym definitions name, by key of either form."""
        local: dict[str, Hit] = {}
        for d in definitions:
            canonical = self._aliases.definition_canonical(d.acronym, d.long) or clean_name(d.long)
            hit = self._known.get(actor_key(canonical))
            kind = hit[1] if hit else self._rules.guess_kind(d.long.split())
            local[actor_key(d.acronym)] = local[actor_key(d.long)] = (canonical, kind)
        return local

    # -- one run -------------------------------------------------------------------

    def _run(self, reading: Reading, run: Run) -> None:
        """Classify a run, cut where an adjectival compound ends a name ("al-Qaeda-linked")."""
        words, text = run.words, reading.text
        if tuple(words) in reading.done:
            return
        if len(words) == 1:
            if "-" in words[0] and _PARTY.fullmatch(words[0]):
                return
            if words[0].isupper() and text[run.start - 1 : run.start] == "<" == text[run.end : run.end + 1]:
                return  # a stock ticker: <GM>
        if "-" not in text[run.start : run.end]:
            self._segment(reading, run, words, "", run.initial, run.end)
            return
        segment: list[str] = []
        first = True
        for i, word in enumerate(words):
            head, suffix = split_compound(word, self._g.compound_suffixes) if "-" in word else (word, "")
            if suffix or i == len(words) - 1:
                end = run.end if i == len(words) - 1 and not suffix else -1
                self._segment(reading, run, [*segment, head], suffix, run.initial and first, end)
                segment, first = [], False
            else:
                segment.append(word)

    def _segment(
        self, reading: Reading, run: Run, words: list[str], suffix: str, initial: bool, end: int
    ) -> None:
        """Classify capitalised words of ``run``; ``end`` is where they end in the text (or -1)."""
        while words and words[0].lower() in self._skip:
            words, initial = words[1:], False
        while words and words[-1].lower() in self._skip:
            words = words[:-1]
        if not words or (len(words) == 1 and len(words[0].rstrip(".")) == 1):
            return
        if reading.local:
            hit = reading.local.get(actor_key(" ".join(words)))
            if hit:
                reading.emit(run.start, *hit, known=True)
                return
        plan = self._rules.plan(tuple(words))
        emitted = len(reading.mentions)
        self._apply(reading, run, plan, words, suffix, initial, end)
        if words is run.words and (
            plan.action == "drop"
            or (plan.action in ("known", "parts") and len(reading.mentions) > emitted)
        ):
            reading.done.add(tuple(words))  # its first mention already counts

    def _apply(
        self, reading: Reading, run: Run, plan: Plan, words: list[str], suffix: str, initial: bool, end: int
    ) -> None:
        """Apply a plan, with the checks that need the text around the run."""
        g, action = self._g, plan.action
        if action == "name":
            self._new_name(reading, run, plan, words, suffix, initial, end)
        elif action == "known":
            name, kind, _ = plan.names[0]
            dateline = reading.place_end >= 0 and reading.text[reading.place_end : run.start] == ", "
            if kind != "state" or not dateline:
                reading.emit(run.start, name, kind, known=True)  # not "(ABUJA, Nigeria)"
        elif action in ("parts", "role"):
            for i, (name, kind, known) in enumerate(plan.names):
                reading.emit(run.start + i / 100, name, kind, known=known)
        elif action == "weak":
            reading.emit(run.start, plan.names[0][0], "unknown", weak=True)
        elif action == "place":
            reading.place_end = run.end
        elif action == "demonym":
            if plan.rest is not None:
                self._apply(reading, run, plan.rest, words[plan.skip :], suffix, False, end)
            elif suffix in g.actor_suffixes or any(w in g.state_nouns for w in self._next(reading, end)[:2]):
                reading.emit(run.start, plan.state, "state", known=True)

    def _new_name(
        self, reading: Reading, run: Run, plan: Plan, words: list[str], suffix: str, initial: bool, end: int
    ) -> None:
        """A name no list knows: keep it unless its context says otherwise."""
        g, text = self._g, reading.text
        name, kind, _ = plan.names[0]
        single = len(words) == 1
        if initial:
            if single and not plan.acronym and words[0] not in reading.seen:
                reading.emit(run.start, name, kind, weak=True)  # "Eyewitnesses said"
                return
            if not single and self._common_opener(reading, words):
                self._segment(reading, run, words[1:], suffix, False, end)
                return
        if end >= 0:
            key = actor_key(name)
            if key in self._rules.extendable:
                nxt = self._scanner.next_words(text, end)
                hit = reading.lookup(f"{key} {nxt[0]}") if nxt else None
                if hit:
                    reading.emit(run.start, *hit, known=True)  # "the Wagner group"
                    return
            if self._scanner.place_follows(text, end):
                return  # "the Faladié district", "Bamako-Sénou airport"
        if plan.acronym:
            reading.emit(run.start, name, kind)
            return
        if not plan.org_head:
            before = self._scanner.previous_word(text, run.start)
            if before in g.locatives or before.removesuffix(" of") in g.place_heads:
                return  # "in Moura", "the town of Kelemba"
            if end >= 0 and actor_key(self._scanner.comma_name(text, end)) in g.places:
                return  # "Secaucus, N.J."
        common = single and f" {words[0].lower()} " in text  # "Trade" beside "trade"
        reading.emit(run.start, name, kind, weak=common)

    def _next(self, reading: Reading, end: int) -> tuple[str, ...]:
        return self._scanner.next_words(reading.text, end) if end >= 0 else ()

    def _common_opener(self, reading: Reading, words: list[str]) -> bool:
        """True when the first word of a sentence-opening run is an ordinary word: it is
        used in lower case, ends in -ly, or comes before "of" ("Officials of the Bank of
        Japan") or before a known name without being a name elsewhere."""
        first, low = words[0], words[0].lower()
        if f" {low} " in reading.text or low.endswith("ly"):
            return True
        if first in reading.seen or low in self._g.org_heads:
            return False
        return words[1].lower() in ("of", "for") or reading.lookup(actor_key(" ".join(words[1:]))) is not None
