"""Actors: the people, organisations, states and armed groups a news article names.

Rules in the manner of pre-neural news entity extractors (``extract.py``): runs
of capitalised words joined by name connectors are found in one regex pass;
sentence openers, weekdays, months and other non-names are dropped; titles and
roles are stripped from person names; nationality adjectives become their state
where it acts; places are set aside by gazetteer, context and head nouns; and
acronym definitions ("Long Name (ACR)", "ACR (Long Name)") found by
Schwartz-Hearst matching join the two forms. Names then resolve to canonical
ones through the alias table (shipped ``aliases.toml`` plus a user file plus
definitions learned across the corpus), surnames to the full name the article
used, and spellings that differ only in accents, case or hyphens share one key.
"""

from .aliases import AliasTable, collect_definitions, load_aliases
from .extract import ActorExtractor
from .mentions import Actor
from .names import actor_key

__all__ = [
    "Actor",
    "ActorExtractor",
    "AliasTable",
    "actor_key",
    "collect_definitions",
    "load_aliases",
]
