"""Objects a long pass keeps, left out of the garbage collections it sets off."""

from __future__ import annotations

import gc
from collections.abc import Iterator
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
