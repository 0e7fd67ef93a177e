"""The shipped word lists (``gazetteer/``) that the actor rules read, loaded once."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .names import actor_key

DATA = Path(__file__).parent / "gazetteer"


def _lines(name: str) -> Iterator[str]:
    """Non-empty, non-comment lines of a shipped list."""
    with open(DATA / name, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def _keys(name: str) -> frozenset[str]:
    return frozenset(actor_key(line) for line in _lines(name))


@dataclass(frozen=True)
class Gazetteer:
    """Everything the extractor knows before reading an article; keys are ``actor_key`` forms."""

    states: tuple[tuple[str, ...], ...]  # canonical name first, then aliases
    demonyms: dict[str, str]  # adjective key -> state canonical name
    known: dict[str, tuple[str, str]]  # organisation/group name key -> (name, kind)
    places: frozenset[str]
    function_words: frozenset[str]  # lower-case words
    non_names: frozenset[str]
    roles: frozenset[tuple[str, ...]]
    role_longest: int
    connectors: tuple[str, ...]
    name_prefixes: tuple[str, ...]
    joiners: frozenset[str]
    definition_words: frozenset[str]
    compound_suffixes: frozenset[str]
    corporate_suffixes: frozenset[str]
    actor_suffixes: frozenset[str]
    state_nouns: frozenset[str]
    org_heads: frozenset[str]
    group_heads: frozenset[str]
    place_heads: frozenset[str]
    locatives: frozenset[str]


@functools.cache
def load_gazetteer() -> Gazetteer:
    """Read the shipped lists (cached: they are read once per process)."""
    with open(DATA / "rules.toml", "rb") as handle:
        rules = tomllib.load(handle)
    known = {
        actor_key(name): (name, "organisation") for name in _lines("organisations.txt")
    }
    known.update({actor_key(name): (name, "group") for name in _lines("groups.txt")})
    roles = frozenset(tuple(line.lower().split()) for line in _lines("roles.txt"))
    demonyms = {}
    for line in _lines("demonyms.txt"):
        adjective, _, state = line.partition("|")
        demonyms[actor_key(adjective)] = state.strip()
    return Gazetteer(
        states=tuple(
            tuple(n.strip() for n in line.split("|")) for line in _lines("states.txt")
        ),
        demonyms=demonyms,
        known=known,
        places=_keys("places.txt"),
        function_words=frozenset(line.lower() for line in _lines("function_words.txt")),
        non_names=_keys("non_names.txt") | _keys("function_words.txt"),
        roles=roles,
        role_longest=max(len(r) for r in roles),
        connectors=tuple(sorted(rules["connectors"], key=len, reverse=True)),
        name_prefixes=tuple(rules["name_prefixes"]),
        joiners=frozenset(rules["joiners"]),
        definition_words=frozenset(rules["definition_words"]),
        compound_suffixes=frozenset(rules["compound_suffixes"]),
        corporate_suffixes=frozenset(rules["corporate_suffixes"]),
        actor_suffixes=frozenset(rules["actor_suffixes"]),
        state_nouns=frozenset(rules["state_nouns"]),
        org_heads=frozenset(rules["org_heads"]),
        group_heads=frozenset(rules["group_heads"]),
        place_heads=frozenset(rules["place_heads"]),
        locatives=frozenset(rules["locatives"]),
    )
