"""Mentions found in one article, and how they resolve to its actors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .aliases import AliasTable
from .gazetteer import Gazetteer
from .names import actor_key, clean_name


@dataclass(frozen=True)
class Actor:
    """One actor of an article."""

    name: str  # canonical display name
    kind: str  # "person" | "organisation" | "state" | "group" | "unknown"


@dataclass(slots=True)
class Mention:
    """A name as the rules found it; ``pos`` orders mentions (the title's are negative)."""

    pos: float
    name: str
    kind: str
    known: bool = (
        False  # named by a list, an alias or a definition: ``name`` is canonical
    )
    weak: bool = False  # kept only when it resolves to a fuller name of the article


Hit = tuple[str, str]  # (canonical name, kind)
ShortForms = dict[str, "Hit | None"]


@dataclass
class Reading:
    """What the rules gather while reading one article (its body, then its title)."""

    text: str  # the text being read: the body, then the title
    known: dict[str, Hit]  # name key -> hit: the extractor's known names
    local: dict[str, Hit]  # the same from this article's acronym definitions
    mentions: list[Mention] = field(default_factory=list)
    # words seen capitalised inside sentences (so not just a sentence opener)
    seen: set[str] = field(default_factory=set)
    # runs whose verdict cannot change ("Mali" again)
    done: set[tuple[str, ...]] = field(default_factory=set)
    place_end: int = -1  # end of the last run found to be a place
    base: int = 0  # added to offsets, so that the title sorts first
    # for headlines: names the body used, by key; their first words; the actors' keys
    surfaces: dict[str, Hit] = field(default_factory=dict)
    firsts: set[str] = field(default_factory=set)
    named: set[str] = field(default_factory=set)

    def lookup(self, key: str) -> Hit | None:
        """The (canonical, kind) a name key stands for in this article, if known."""
        return self.local.get(key) or self.known.get(key)

    def emit(
        self, pos: float, name: str, kind: str, known: bool = False, weak: bool = False
    ) -> None:
        """Record a mention at offset ``pos`` of the text being read."""
        name = name if known else clean_name(name)
        self.mentions.append(Mention(self.base + pos, name, kind, known, weak))


def short_forms(mentions: list[Mention], g: Gazetteer) -> ShortForms:
    """Short form key -> (full name, kind): surnames of people; first word of "X of Y",
    head word, and name less "Corp" of organisations. None where two names share one."""
    short: ShortForms = {}
    for name, kind in dict.fromkeys(
        (m.name, m.kind) for m in mentions if not m.weak and " " in m.name
    ):
        words = name.split()
        if kind == "person":
            forms = [words[-1]]
        elif kind in ("organisation", "group"):
            forms = [words[0]] if words[1].lower() in ("of", "for") else []
            if words[-1].lower() in g.org_heads:
                forms.append(words[-1])
            if words[-1].lower() in g.corporate_suffixes:  # "Webcor Electronics Inc"
                forms.append(" ".join(words[:-1]))
                if actor_key(words[0]) not in g.non_names:  # not "International"
                    forms.append(words[0])
        else:
            continue
        full = actor_key(name)
        for form in forms:
            key = actor_key(form)
            if key == full:
                continue
            old = short.get(key, ())
            if old is None or (old and actor_key(old[0]) != full):
                short[key] = None
            else:
                short[key] = (name, kind)
    return short


def resolve(
    mentions: list[Mention],
    short: ShortForms,
    lookup: Callable[[str], tuple[str, str] | None],
    aliases: AliasTable,
) -> list[Actor]:
    """The actors, one per canonical key, in order of first mention."""
    actors: dict[str, Actor] = {}
    for m in sorted(mentions, key=lambda m: m.pos):
        if m.known:
            if not m.weak:
                _add(actors, m.name, m.kind)
            continue
        name, kind = m.name, m.kind
        full = short.get(actor_key(name))
        if full:
            name, kind = full
        elif m.weak:
            continue
        hit = lookup(actor_key(name))
        canonical, kind = hit if hit else (aliases.canonical(name), kind)
        _add(actors, canonical, kind)
    return list(actors.values())


def _add(actors: dict[str, Actor], name: str, kind: str) -> None:
    """Record an actor once; a later mention may tell its kind ("Reagan", "President Reagan")."""
    key = actor_key(name)
    old = actors.get(key)
    if old is None:
        actors[key] = Actor(name, kind)
    elif old.kind == "unknown" and kind != "unknown":
        actors[key] = Actor(old.name, kind)
