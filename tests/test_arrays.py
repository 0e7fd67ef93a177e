"""Shared array operations give what numpy's own give."""

import numpy as np
import pytest

from indexer.arrays import sorted_unique

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize("n,top", [(0, 1), (1, 1), (2, 1), (1000, 10), (10_000, 1 << 62)])
def test_sorted_unique_is_numpys_unique(n, top):
    values = np.random.RandomState(n).randint(-top, top, n, dtype=np.int64)
    assert np.array_equal(sorted_unique(values), np.unique(values))
    assert sorted_unique(values.astype(np.int32) if top < 1 << 31 else values).dtype == (np.int32 if top < 1 << 31 else np.int64)
