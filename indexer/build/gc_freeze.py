"""A long pass's memory: the objects it keeps left out of the garbage collections it
sets off, and what it freed given back to the system."""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def frozen() -> Iterator[None]:
    """Every object tracked now is moved to the permanent generation for the block, so the
    collections that the block's allocations set off stop going over them (Python's
    ``gc.freeze``); ``gc.freeze()`` in the block adds what it made since. All of them
    are collected as before afterwards."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_malloc_trim: Callable[[int], int] | None
try:
    _malloc_trim = ctypes.CDLL(None).malloc_trim
except (OSError, AttributeError):
    _malloc_trim = None


def release_free_memory() -> None:
    """Give the memory this process has freed back to the system (between rounds): glibc
    keeps the free pages of its heap otherwise, hundreds of MB over a large run. Whoosh's
    segment writers are held in reference cycles (through exceptions it catches), and a
    round's are frozen out of collections, so a collection comes first."""
    gc.collect()
    if _malloc_trim is not None:  # glibc's; elsewhere, nothing more to do
        _malloc_trim(0)
