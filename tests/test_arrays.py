"""Shared array operations give what numpy's own give."""

import numpy as np
import pytest

from indexer.arrays import Strings, sorted_unique

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize("n,top", [(0, 1), (1, 1), (2, 1), (1000, 10), (10_000, 1 << 62)])
def test_sorted_unique_is_numpys_unique(n, top):
    values = np.random.RandomState(n).randint(-top, top, n, dtype=np.int64)
    assert np.array_equal(sorted_unique(values), np.unique(values))
    assert sorted_unique(values.astype(np.int32) if top < 1 << 31 else values).dtype == (np.int32 if top < 1 << 31 else np.int64)


@pytest.mark.parametrize("strings", [[], [""], ["reuters-1", "", "café-2", "Ségou", "reuters-1"]])
def test_strings_kept_as_arrays_give_back_each_string(strings):
    kept = Strings.of(strings)
    assert len(kept) == len(strings) and list(kept) == strings
    assert [kept[i] for i in range(len(strings))] == strings
    assert Strings(kept.blob.copy(), kept.ends.copy()) == kept and Strings.of([*strings, "x"]) != kept


def test_strings_whose_ends_do_not_fit_their_bytes_are_refused():
    with pytest.raises(ValueError, match="do not fit"):
        Strings(np.frombuffer(b"abc", np.uint8), np.array([1, 5]))
    with pytest.raises(ValueError, match="do not fit"):
        Strings(np.frombuffer(b"abc", np.uint8), np.array([2, 1, 3]))
