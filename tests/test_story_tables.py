"""The story finder's compact tables give what plain dicts and lists would, at every size."""

import datetime as dt
import random

import numpy as np
import pytest

from indexer.build import story_tables
from indexer.build.stories import NUM_PERM, StoryFinder
from indexer.build.story_tables import BandIndex, Names, Signatures

pytestmark = [pytest.mark.unit]


@pytest.fixture
def small_tables(monkeypatch):
    """Tables that go to runs, merges and the scratch file after a few articles."""
    monkeypatch.setattr(story_tables.BandIndex, "TAIL", 5)
    monkeypatch.setattr(story_tables.Signatures, "RECENT", 3)


def test_band_index_finds_every_article_sharing_a_key(small_tables):
    rng = np.random.RandomState(1)
    index, plain = BandIndex(4), {}
    for article in range(200):
        keys = rng.randint(0, 40, 4).astype(np.uint32)  # (few keys: many articles share one)
        expected = sorted({a for k in keys.tolist() for a in plain.get(k, [])})
        assert index.candidates(keys).tolist() == expected
        index.add(keys, article)
        for k in keys.tolist():
            plain.setdefault(k, []).append(article)
    assert len(index._runs) < 200 // 5  # (runs of like size were merged)


def test_signatures_are_read_back_from_memory_and_from_the_scratch_file(small_tables, tmp_path):
    rows = np.arange(10 * NUM_PERM, dtype=np.uint32).reshape(10, NUM_PERM)
    sigs = Signatures(NUM_PERM, tmp_path)
    for row in rows:
        sigs.extend(row[None, :])
    assert len(sigs) == 10 and list(tmp_path.iterdir()) == []  # (a scratch file has no name)
    for picked in ([0], [2, 3, 9], [9], list(range(10))):
        assert (sigs.rows(np.array(picked)) == rows[picked]).all()
    sigs.close()


def test_signatures_given_mapped_come_first_and_are_read_where_they_are(small_tables, tmp_path):
    rows = np.arange(12 * NUM_PERM, dtype=np.uint32).reshape(12, NUM_PERM)
    sigs = Signatures(NUM_PERM, tmp_path)
    sigs.add_mapped(rows[:4])
    sigs.add_mapped(rows[4:5])
    for row in rows[5:]:  # (then the scratch file, then memory)
        sigs.extend(row[None, :])
    assert len(sigs) == 12
    for picked in ([0], [3, 4, 5], [4], [2, 6, 11], list(range(12))):
        assert (sigs.rows(np.array(picked)) == rows[picked]).all()
    sigs.close()


def test_band_runs_given_sorted_find_what_added_ones_do(small_tables):
    rng = np.random.RandomState(2)
    keys = rng.randint(0, 30, (40, 4)).astype(np.uint32)
    added, given = BandIndex(4), BandIndex(4)
    added.add_many(keys[:25], 0)
    given.add_sorted(*BandIndex.sorted_run(keys[:25]))
    for article in range(25, 40):
        added.add(keys[article], article)
        given.add(keys[article], article)
    for probe in rng.randint(0, 30, (20, 4)).astype(np.uint32):
        assert given.candidates(probe).tolist() == added.candidates(probe).tolist()


def test_names_are_kept_by_number():
    names = Names()
    numbers = [names.add(n) for n in ["reuters-1", "", "café-2", "reuters-1"]]
    assert [names[i] for i in numbers] == ["reuters-1", "", "café-2", "reuters-1"]


def test_a_large_finder_assigns_as_a_small_one_does(monkeypatch):
    rng = random.Random(5)
    base = [np.random.RandomState(i).randint(0, 1 << 32, NUM_PERM, dtype=np.uint64).astype(np.uint32) for i in range(30)]
    articles = []
    for i in range(300):
        sig = base[rng.randrange(30)].copy()
        sig[rng.sample(range(NUM_PERM), rng.choice([0, 3, 8, 30]))] = rng.randrange(1 << 32)  # a copy, more or less edited
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(6)) if rng.random() < 0.8 else None
        articles.append((f"a{i}", sig.tobytes(), day))
    with StoryFinder() as finder:
        expected = [finder.assign(*a) for a in articles]
    monkeypatch.setattr(story_tables.BandIndex, "TAIL", 7)
    monkeypatch.setattr(story_tables.Signatures, "RECENT", 11)
    with StoryFinder() as finder:
        assert [finder.assign(*a) for a in articles] == expected
    assert 30 < len(set(expected)) < 150  # (copies did join stories)


@pytest.mark.parametrize("n1,n2", [(0, 0), (0, 5), (5, 0), (100, 30), (1000, 1000)])
def test_two_runs_merge_as_a_stable_sort_of_both(n1, n2):
    rng = np.random.RandomState(n1 + n2)
    k1, k2 = (np.sort(rng.randint(0, 50, n)).astype(np.uint32) for n in (n1, n2))  # (few keys: many equal)
    a1, a2 = np.arange(n1, dtype=np.int32), np.arange(n1, n1 + n2, dtype=np.int32)
    keys, articles = story_tables._merged((k1, a1), (k2, a2))
    order = np.argsort(np.concatenate((k1, k2)), kind="stable")
    assert keys.tolist() == np.concatenate((k1, k2))[order].tolist()
    assert articles.tolist() == np.concatenate((a1, a2))[order].tolist()
