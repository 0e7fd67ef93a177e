"""A memo of one function's values, for the hottest lookups of reindex and search."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class Memo(dict):
    """``function(key)`` for each key asked for, kept: ``memo[key]`` is a lookup from C,
    about half the cost of an ``lru_cache`` hit. Past ``size`` keys it starts afresh."""

    def __init__(self, function: Callable[[Any], Any], size: int) -> None:
        super().__init__()
        self._function, self._size = function, size

    def __missing__(self, key: Hashable) -> Any:
        if len(self) >= self._size:
            self.clear()
        value = self[key] = self._function(key)
        return value
