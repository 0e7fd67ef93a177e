"""The storage engine behind search and build: the interface they use (:mod:`.base`,
:mod:`.schema`, :mod:`.postings`) and its implementations: Whoosh on disk
(:mod:`.whoosh`, the default) and a small one in memory (:mod:`.memory`)."""

from __future__ import annotations

from indexer.engine.base import Engine, EngineBusy, EngineError, EngineIndex, EngineReader, EngineWriter, Segment


def default_engine() -> Engine:
    """The engine index generations are written with and opened by: Whoosh."""
    from indexer.engine.whoosh.engine import WhooshEngine  # (imported when first needed)

    return WhooshEngine()


__all__ = ["Engine", "EngineBusy", "EngineError", "EngineIndex", "EngineReader", "EngineWriter", "Segment", "default_engine"]
