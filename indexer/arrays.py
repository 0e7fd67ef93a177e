"""Array operations every layer uses, where numpy's own is slow for newsdex's arrays."""

from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: ``np.unique(values)``. numpy 2.3+ finds them by hashing,
    which is fifty times slower than sorting on a million distinct 64-bit values (ids,
    hashes, document and actor pairs); bench/README has the numbers."""
    ordered = np.sort(values, axis=None)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]
