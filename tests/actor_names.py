"""Actor extraction in tests: the canonical names an extractor finds, and their keys."""

from __future__ import annotations

from indexer.actors import ActorExtractor, actor_key


def names(extractor: ActorExtractor, body: str, title: str = "") -> list[str]:
    return [a.name for a in extractor.extract(title, body)]


def keys(extractor: ActorExtractor, body: str, title: str = "") -> set[str]:
    return {actor_key(a.name) for a in extractor.extract(title, body)}
