"""ActorExtractor: the people, organisations, states and armed groups an article names."""

from __future__ import annotations

from dataclasses import dataclass, field

from .acronyms import Definition, DefinitionFinder
from .aliases import AliasTable, load_aliases
from .gazetteer import load_gazetteer
from .names import actor_key, clean_name, find_role, is_acronym, looks_like_title_case, split_compound
from .runs import Run, Scanner


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
    seen: set[str] = field(default_factory=set)  # word keys seen capitalised inside sentences
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
        for key, canonical in self._aliases.keys():
            self._known[key] = (canonical, self._aliases.kind(canonical) or self._guess_kind(canonical.split()))
        self._first_words = frozenset(k.partition(" ")[0] for k in self._known)

    # -- public API --------------------------------------------------------------

    def learn(self, title: str, body: str) -> dict[str, str]:
        """Acronym definitions in one article: acronym -> long form."""
        return {d.acronym: d.long for d in self._definitions(title) + self._definitions(body)}

    def extract(self, title: str, body: str) -> list[Actor]:
        """The article's actors, one per canonical name, in order of first mention."""
        definitions = self._definitions(body)
        art = _Article(body, self._local(self._definitions(title) + definitions))
        runs = self._scanner.runs(body)
        for run in runs:
            if not run.initial:
                art.seen.update(actor_key(w) for w in run.words)
        done: set[int] = set()
        headings = []
        for run in runs:
            d = next((d for d in definitions if run.start < d.end and d.start < run.end), None)
            if d is not None:
                if d.start not in done:
                    done.add(d.start)
                    self._emit(art, d.start, d.long)
            elif run.heading:
                headings.append(run)
            else:
                self._run(art, run)
        surfaces = self._surfaces(art.mentions)
        for run in headings:
            self._title_run(art, run, surfaces, all_caps=False)
        if title.strip():
            all_caps = title.isupper()
            heading = all_caps or looks_like_title_case(title.split())
            title_art = _Article(title, art.local, art.seen, art.mentions, base=-len(title) - 1)
            for run in self._scanner.runs(title, heading=heading):
                if heading:
                    self._title_run(title_art, run, surfaces, all_caps)
                else:
                    self._run(title_art, run)
        return self._resolve(art)

    # -- definitions ----------------------------------------------------------------

    def _definitions(self, text: str) -> list[Definition]:
        place_heads = self._gaz.place_heads
        return [d for d in self._finder.find(text) if d.long.split()[-1].lower() not in place_heads]

    def _local(self, definitions: list[Definition]) -> dict[str, tuple[str, str]]:
        local: dict[str, tuple[str, str]] = {}
        for d in definitions:
            canonical = self._aliases.definition_canonical(d.acronym, d.long) or clean_name(d.long)
            hit = self._known.get(actor_key(canonical))
            kind = hit[1] if hit else self._guess_kind(d.long.split())
            local[actor_key(d.acronym)] = local[actor_key(d.long)] = (canonical, kind)
        return local

    # -- one run -------------------------------------------------------------------

    def _run(self, art: _Article, run: Run) -> None:
        words = run.words
        if len(words) == 1 and words[0].lower() in self._gaz.function_words:
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
        g = self._gaz
        skip = g.function_words | self._connector_words
        while words and words[0].lower() in skip:
            words, initial = words[1:], False
        while words and words[-1].lower() in skip:
            words = words[:-1]
        if not words:
            return
        name = " ".join(words)
        key = actor_key(name)
        hit = self._lookup(art, key)
        if hit:
            if not (hit[1] == "state" and art.place_end >= 0 and art.text[art.place_end : run.start] == ", "):
                self._emit(art, run.start, hit[0], hit[1], known=True)
            return
        parts = self._known_parts(art, words)
        if parts:
            for i, (canonical, kind) in enumerate(parts):
                self._emit(art, run.start + i / 100, canonical, kind, known=True)
            return
        lowered = [w.lower() for w in words]
        role = find_role(lowered, g.roles, g.role_longest)
        if role and self._split_role(art, run, words, role):
            return
        state, size = self._demonym(words)
        if state:
            rest = words[size:]
            if not rest:
                nxt = self._scanner.next_words(art.text, end) if end >= 0 else ()
                if suffix in g.actor_suffixes or any(w in g.state_nouns for w in nxt[:2]):
                    self._emit(art, run.start, state, "state", known=True)
            elif all(w in g.state_nouns or actor_key(w) in g.non_names for w in lowered[size:]):
                self._emit(art, run.start, state, "state", known=True)
            else:
                self._segment(art, run, rest, suffix, False, end)
            return
        if key in g.non_names or all(actor_key(w) in g.non_names for w in words):
            if len(words) == 1:
                self._emit(art, run.start, name, "unknown", weak=True)
            return
        if key in g.places or lowered[-1] in g.place_heads:
            art.place_end = run.end
            return
        if initial:
            if len(words) == 1:
                if not is_acronym(name) and key not in art.seen:
                    self._emit(art, run.start, name, "unknown", weak=True)
                    return
            elif self._common_opener(art, words):
                self._segment(art, run, words[1:], suffix, False, end)
                return
        nxt = self._scanner.next_words(art.text, end) if end >= 0 else ()
        if nxt:
            hit = self._lookup(art, f"{key} {nxt[0]}")
            if hit:
                self._emit(art, run.start, hit[0], hit[1], known=True)
                return
            if nxt[0] in g.place_heads or (len(nxt) > 1 and nxt[1] in g.place_heads):
                return
        if len(words) == 1 and is_acronym(name):
            self._emit(art, run.start, name, "organisation")
            return
        if not any(w in g.org_heads for w in lowered):
            if self._scanner.previous_word(art.text, run.start) in g.locatives:
                return
        self._emit(art, run.start, name, self._guess_kind(words))

    def _split_role(self, art: _Article, run: Run, words: list[str], role: tuple[int, int]) -> bool:
        """Handle "UN Secretary-General António Guterres"; False if the role is part of a name."""
        g = self._gaz
        before, after = words[: role[0]], words[role[1] :]
        if after and after[0].lower() in self._connector_words:
            self._segment(art, run, after, "", False, -1)
        elif after and after[-1].lower() in g.org_heads:
            return False  # "General Motors Corp"
        elif after:
            person = " ".join(after)
            hit = self._lookup(art, actor_key(person))
            self._emit(art, run.start + 0.5, *(hit or (person, "person")), known=bool(hit))
        if before:
            name = " ".join(before)
            hit = self._lookup(art, actor_key(name))
            state, size = self._demonym(before)
            if hit:
                self._emit(art, run.start, hit[0], hit[1], known=True)
            elif state and size == len(before):
                self._emit(art, run.start, state, "state", known=True)
            elif (len(before) == 1 and is_acronym(name)) or (len(before) > 1 and before[-1].lower() in g.org_heads):
                self._emit(art, run.start, name, self._guess_kind(before))
        return True

    def _title_run(self, art: _Article, run: Run, surfaces: dict[str, tuple[str, str]], all_caps: bool) -> None:
        """Headlines and headings: keep only names known from lists or the article's body."""
        words = [split_compound(w, self._gaz.compound_suffixes)[0] for w in run.words]
        keys = [actor_key(w) for w in words]
        firsts = {k.partition(" ")[0] for k in surfaces}
        i = 0
        while i < len(words):
            hit, size = None, 1
            if keys[i] in self._first_words or keys[i] in firsts or keys[i] in art.local:
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

    def _emit(self, art: _Article, pos: float, name: str, kind: str = "unknown", known: bool = False, weak: bool = False) -> None:
        art.mentions.append(_Mention(art.base + pos, clean_name(name), kind, known, weak))

    def _known_parts(self, art: _Article, words: list[str]) -> list[tuple[str, str]]:
        """Known names that cover a short run ("UN MINUSMA"), or nothing."""
        if len(words) < 2 or len(words) > 5:
            return []
        keys = [actor_key(w) for w in words]
        parts: list[tuple[str, str]] = []
        i = 0
        while i < len(words):
            if keys[i] not in self._first_words and keys[i] not in art.local:
                return []
            for size in range(len(words) - i - (i == 0), 0, -1):
                hit = self._lookup(art, " ".join(keys[i : i + size]))
                if hit:
                    parts.append(hit)
                    i += size
                    break
            else:
                return []
        return parts

    def _demonym(self, words: list[str]) -> tuple[str | None, int]:
        for size in (2, 1):
            if len(words) >= size:
                state = self._gaz.demonyms.get(actor_key(" ".join(words[:size])))
                if state:
                    return state, size
        return None, 0

    def _common_opener(self, art: _Article, words: list[str]) -> bool:
        """True when the first word of a sentence-opening run is an ordinary word."""
        first = words[0]
        return (
            f" {first.lower()} " in art.text
            or first.lower().endswith("ly")
            or (self._lookup(art, actor_key(" ".join(words[1:]))) is not None and actor_key(first) not in art.seen)
        )

    def _guess_kind(self, words: list[str]) -> str:
        g = self._gaz
        lowered = [w.lower() for w in words]
        if len(words) == 1 and is_acronym(words[0]):
            return "organisation"
        if any(w in g.group_heads for w in lowered[1:]) or lowered[-1] in g.group_heads:
            return "group"
        if any(w in g.org_heads for w in lowered):
            return "organisation"
        if 2 <= len(words) <= 4 and not any(w in self._connector_words for w in lowered):
            return "person"
        return "unknown"

    def _surfaces(self, mentions: list[_Mention]) -> dict[str, tuple[str, str]]:
        """Names the body used, by key, with the surnames of its people."""
        surfaces: dict[str, tuple[str, str]] = {}
        for m in mentions:
            if not m.weak:
                surfaces[actor_key(m.name)] = (m.name, m.kind)
        surfaces.update({k: v for k, v in self._short_forms(mentions).items() if v})
        return surfaces

    @staticmethod
    def _short_forms(mentions: list[_Mention]) -> dict[str, tuple[str, str] | None]:
        """Surname -> person and head word -> organisation; None where two names share one."""
        short: dict[str, tuple[str, str] | None] = {}
        for m in mentions:
            words = m.name.split()
            if m.weak or len(words) < 2:
                continue
            if m.kind == "person":
                heads = [words[-1]]
            elif m.kind in ("organisation", "group"):
                heads = [words[-1]] + ([words[0]] if words[1].lower() in ("of", "for") else [])
            else:
                continue
            for head in heads:
                key = actor_key(head)
                if key in short and short[key] is not None and actor_key(short[key][0]) != actor_key(m.name):
                    short[key] = None
                else:
                    short.setdefault(key, (m.name, m.kind))
        return short

    def _resolve(self, art: _Article) -> list[Actor]:
        short = self._short_forms(art.mentions)
        actors: dict[str, Actor] = {}
        for m in sorted(art.mentions, key=lambda m: m.pos):
            name, kind = m.name, m.kind
            if not m.known and " " not in name:
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
