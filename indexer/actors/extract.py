"""ActorExtractor: the people, organisations, states and armed groups an article names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .acronyms import Definition, DefinitionFinder
from .aliases import AliasTable, load_aliases
from .gazetteer import load_gazetteer
from .names import actor_key, clean_name, is_acronym, looks_like_title_case, split_compound
from .rules import NameRules, Plan
from .runs import Run, Scanner

_PARTY = re.compile(r"[DRI]-[A-Z][a-z]+")  # "D-Conn": a US legislator's party and state


@dataclass(frozen=True)
class Actor:
    """One actor of an article."""

    name: str  # canonical display name
    kind: str  # "person" | "organisation" | "state" | "group" | "unknown"


@dataclass
class _Mention:
    pos: float
    name: str
    kind: str
    known: bool = False  # named by a list, an alias or a definition
    weak: bool = False  # kept only when it resolves to a fuller name of the article


@dataclass
class _Article:
    """What the rules learn while reading one article."""

    text: str
    local: dict[str, tuple[str, str]]  # key -> (canonical, kind), from the article's definitions
    seen: set[str] = field(default_factory=set)  # words seen capitalised inside sentences
    mentions: list[_Mention] = field(default_factory=list)
    place_end: int = -1  # end of the last run found to be a place
    base: int = 0  # added to offsets: the title sorts before the body


class ActorExtractor:
    """Rule-based actor extraction (see the package docstring for the rules)."""

    def __init__(self, aliases: AliasTable | None = None) -> None:
        self._aliases = aliases if aliases is not None else load_aliases()
        g = self._gaz = load_gazetteer()
        self._scanner = Scanner(g)
        self._connector_words = frozenset(w for c in g.connectors for w in c.split())
        joining = self._connector_words | {w for j in g.joiners for w in j.split()}
        self._finder = DefinitionFinder(frozenset(joining), g.name_prefixes)
        self._known: dict[str, tuple[str, str]] = {}
        for key, (name, kind) in g.known.items():
            self._known[key] = (self._aliases.canonical(name), self._aliases.kind(name) or kind)
        self._rules = NameRules(g, self._known, self._connector_words)
        for key, canonical in self._aliases.keys():
            self._known[key] = (canonical, self._aliases.kind(canonical) or self._rules.guess_kind(canonical.split()))
        self._rules = NameRules(g, self._known, self._connector_words)
        self._skip = g.function_words | self._connector_words

    # -- public API --------------------------------------------------------------

    def learn(self, title: str, body: str) -> dict[str, str]:
        """Acronym definitions in one article: acronym -> long form."""
        return {d.acronym: d.long for d in self._definitions(title) + self._definitions(body)}

    def extract(self, title: str, body: str) -> list[Actor]:
        """The article's actors, one per canonical name, in order of first mention."""
        definitions = self._definitions(body)
        art = _Article(body, self._local(self._definitions(title) + definitions))
        runs = self._join(art, self._scanner.runs(body))
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
        short = self._short_forms(art.mentions)
        surfaces = {actor_key(m.name): (m.name, m.kind) for m in art.mentions if not m.weak}
        surfaces.update({k: v for k, v in short.items() if v})
        firsts = {k.partition(" ")[0] for k in surfaces}
        for run in headings:
            self._title_run(art, run, surfaces, firsts)
        heading = "caps" if title.isupper() else "title" if looks_like_title_case(title.split()) else ""
        if title.strip():
            title_art = _Article(title, art.local, art.seen, art.mentions, base=-len(title) - 1)
            for run in self._join(title_art, self._scanner.runs(title, heading)):
                if run.heading:
                    self._title_run(title_art, run, surfaces, firsts)
                else:
                    self._run(title_art, run)
        return self._resolve(art, short if heading else self._short_forms(art.mentions))

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

    def _join(self, art: _Article, runs: list[Run]) -> list[Run]:
        """Join runs that make one name across "and", "in" or a possessive."""
        joined: list[Run] = []
        for run in runs:
            joined.append(run)
            while len(joined) > 1:
                words = self._joined_words(art, joined[-2], joined[-1])
                if not words:
                    break
                last = joined.pop()
                joined[-1].words, joined[-1].end = words, last.end
        return joined

    def _joined_words(self, art: _Article, a: Run, b: Run) -> list[str] | None:
        """The words of ``a`` and ``b`` as one name, if they make one."""
        gap = art.text[a.end : b.start]
        if len(gap) > 9 or a.heading or b.heading:
            return None
        corporate = b.words[-1].lower() in self._gaz.corporate_suffixes
        if gap in ("'s ", "’s "):
            if corporate and not self._lookup(art, actor_key(" ".join(a.words))):
                return [*a.words[:-1], a.words[-1] + gap.strip(), *b.words]
            return None
        joiner = " ".join(gap.split()).lower()
        if joiner not in self._gaz.joiners or gap[0] not in " \t\n" or gap[-1] not in " \t\n":
            return None
        words = [*a.words, *gap.split(), *b.words]
        if self._lookup(art, actor_key(" ".join(words))):
            return words
        if joiner in ("and", "&") and corporate and a.words[-1].lower() not in self._gaz.org_heads:
            return words
        return None

    def _run(self, art: _Article, run: Run) -> None:
        words = run.words
        if len(words) == 1:
            if words[0].lower() in self._gaz.function_words or _PARTY.fullmatch(words[0]):
                return
            if art.text[run.start - 1 : run.start] == "<" and art.text[run.end : run.end + 1] == ">":
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
            hit = self._lookup(art, f"{actor_key(name)} {nxt[0]}")
            if hit:
                self._emit(art, run.start, hit[0], hit[1], known=True)
                return
            if nxt[0] in g.place_heads or (len(nxt) > 1 and nxt[1] in g.place_heads):
                return
        if plan.acronym:
            self._emit(art, run.start, name, kind)
            return
        if not plan.org_head and self._scanner.previous_word(art.text, run.start) in g.locatives:
            return
        common = single and f" {words[0].lower()} " in art.text  # "Trade" beside "trade"
        self._emit(art, run.start, name, kind, weak=common)

    def _title_run(self, art: _Article, run: Run, surfaces: dict[str, tuple[str, str]], firsts: set[str]) -> None:
        """Headlines and headings: keep only names known from lists or the article's body."""
        all_caps = run.heading == "caps"
        words = [split_compound(w, self._gaz.compound_suffixes)[0] for w in run.words]
        keys = [actor_key(w) for w in words]
        i = 0
        while i < len(words):
            hit, size = None, 1
            if keys[i] in self._rules.first_words or keys[i] in firsts or keys[i] in art.local:
                for size in range(min(6, len(words) - i), 0, -1):
                    key = " ".join(keys[i : i + size])
                    hit = self._lookup(art, key) or surfaces.get(key)
                    if hit:
                        break
            if not hit and not all_caps and is_acronym(words[i]):
                if keys[i] not in self._gaz.non_names and keys[i] not in self._gaz.places:
                    hit = (words[i], "organisation")
            if hit:
                self._emit(art, run.start + i / 100, hit[0], hit[1], known=True)
            i += size if hit else 1

    # -- helpers ---------------------------------------------------------------------

    def _lookup(self, art: _Article, key: str) -> tuple[str, str] | None:
        return art.local.get(key) or self._known.get(key)

    def _emit(
        self, art: _Article, pos: float, name: str, kind: str = "unknown", known: bool = False, weak: bool = False
    ) -> None:
        art.mentions.append(_Mention(art.base + pos, name if known else clean_name(name), kind, known, weak))

    def _next(self, art: _Article, end: int) -> tuple[str, ...]:
        return self._scanner.next_words(art.text, end) if end >= 0 else ()

    def _common_opener(self, art: _Article, words: list[str]) -> bool:
        """True when the first word of a sentence-opening run is an ordinary word."""
        first = words[0]
        return (
            f" {first.lower()} " in art.text
            or first.lower().endswith("ly")
            or (self._lookup(art, actor_key(" ".join(words[1:]))) is not None and actor_key(first) not in art.seen)
        )

    def _short_forms(self, mentions: list[_Mention]) -> dict[str, tuple[str, str] | None]:
        """Short form -> full name: surnames of people; first word or name less "Corp" of
        organisations. None where two names share a short form."""
        short: dict[str, tuple[str, str] | None] = {}
        for m in mentions:
            words = m.name.split()
            if m.weak or len(words) < 2:
                continue
            if m.kind == "person":
                forms = [words[-1]]
            elif m.kind in ("organisation", "group"):
                forms = [words[0]] if words[1].lower() in ("of", "for") else []
                if words[-1].lower() in self._gaz.org_heads:
                    forms.append(words[-1])
                if words[-1].lower() in self._gaz.corporate_suffixes:
                    forms.append(" ".join(words[:-1]))
            else:
                continue
            full = actor_key(m.name)
            for form in forms:
                key = actor_key(form)
                if key == full:
                    continue
                if key in short and (short[key] is None or actor_key(short[key][0]) != full):
                    short[key] = None
                else:
                    short[key] = (m.name, m.kind)
        return short

    def _resolve(self, art: _Article, short: dict[str, tuple[str, str] | None]) -> list[Actor]:
        actors: dict[str, Actor] = {}
        for m in sorted(art.mentions, key=lambda m: m.pos):
            name, kind = m.name, m.kind
            if not m.known:
                full = short.get(actor_key(name))
                if full:
                    name, kind = full
                elif m.weak:
                    continue
            elif m.weak:
                continue
            hit = self._lookup(art, actor_key(name))
            canonical, kind = hit if hit else (self._aliases.canonical(name), kind)
            actors.setdefault(actor_key(canonical), Actor(canonical, kind))
        return list(actors.values())
