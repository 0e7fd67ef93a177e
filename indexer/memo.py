"""A memo of one function's values, for the hottest lookups of reindex and search."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any

_memos: weakref.WeakValueDictionary[int, Memo] = weakref.WeakValueDictionary()
_other_caches: list[Callable[[], None]] = []  # the clear functions of lru_caches


def clear_caches() -> None:
    """Empty every memo and registered cache: a long run done with them (a reindex) gives
    their memory back, hundreds of MB once full, before what comes next."""
    for memo in list(_memos.values()):
        memo.clear()
    for clear in _other_caches:
        clear()


def also_clear(clear: Callable[[], None]) -> None:
    """Have :func:`clear_caches` call ``clear`` too (an ``lru_cache``'s ``cache_clear``)."""
    _other_caches.append(clear)


class Memo(dict):
    """``function(key)`` for each key asked for, kept: ``memo[key]`` is a lookup from C,
    about half the cost of an ``lru_cache`` hit. Past ``size`` keys it starts afresh."""

    def __init__(self, function: Callable[[Any], Any], size: int) -> None:
        super().__init__()
        self._function, self._size = function, size
        _memos[id(self)] = self

    def __missing__(self, key: Hashable) -> Any:
        if len(self) >= self._size:
            self.clear()
        value = self[key] = self._function(key)
        return value
