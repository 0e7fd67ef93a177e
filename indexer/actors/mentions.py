"""Mentions found in one article, and how they resolve to its actors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .aliases import AliasTable
from .gazetteer import Gazetteer
from .names import actor_key


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
    known: bool = False  # named by a list, an alias or a definition: ``name`` is canonical
    weak: bool = False  # kept only when it resolves to a fuller name of the article


ShortForms = dict[str, "tuple[str, str] | None"]


def short_forms(mentions: list[Mention], g: Gazetteer) -> ShortForms:
    """Short form key -> (full name, kind): surnames of people; first word of "X of Y",
    head word, and name less "Corp" of organisations. None where two names share one."""
    short: ShortForms = {}
    for m in mentions:
        words = m.name.split()
        if m.weak or len(words) < 2:
            continue
        if m.kind == "person":
            forms = [words[-1]]
        elif m.kind in ("organisation", "group"):
            forms = [words[0]] if words[1].lower() in ("of", "for") else []
            if words[-1].lower() in g.org_heads:
                forms.append(words[-1])
            if words[-1].lower() in g.corporate_suffixes:
                forms.append(" ".join(words[:-1]))
        else:
            continue
        full = actor_key(m.name)
        for form in forms:
            key = actor_key(form)
            if key == full:
                continue
            old = short.get(key, False)
            if old is None or (old and actor_key(old[0]) != full):
                short[key] = None
            else:
                short[key] = (m.name, m.kind)
    return short


def resolve(
    mentions: list[Mention],
    short: ShortForms,
    lookup: Callable[[str], "tuple[str, str] | None"],
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
