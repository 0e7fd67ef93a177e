"""Files unchanged since the last run are not hashed again (their size, times and inode
are what the index remembers), and no rewrite of a file is ever missed for it."""

from __future__ import annotations

import hashlib
import os
import time
import types

import pytest

from indexer import Index, reindex
from indexer.build import changes, file_stats

pytestmark = [pytest.mark.index]
LONG_AGO = time.time() - 3600


@pytest.fixture(autouse=True)
def short_racy_window(monkeypatch):
    monkeypatch.setattr(file_stats, "RACY", 0.2)


def age(folder, when=LONG_AGO):
    """Set every file's modification time back, and wait out the racy window after their
    change time (which setting times sets to now)."""
    for path in folder.rglob("*"):
        os.utime(path, (when, when))
    time.sleep(file_stats.RACY + 0.05)


@pytest.fixture
def hashed(monkeypatch) -> list[int]:
    """How many files each run hashes (hashlib's blake2b as the walk for changes calls it, counted)."""
    calls = [0]

    def counting(*args, **kwargs):
        calls[0] += 1
        return hashlib.blake2b(*args, **kwargs)

    monkeypatch.setattr(changes, "hashlib", types.SimpleNamespace(blake2b=counting))
    return calls


def files_in(corpus) -> int:
    return sum(1 for p in corpus.rglob("*") if p.is_file())


def test_an_unchanged_file_is_not_hashed_again(corpus, tmp_path, hashed):
    age(corpus)
    data = tmp_path / "data"
    reindex([corpus], data)
    assert hashed[0] == files_in(corpus)
    hashed[0] = 0
    report = reindex([corpus], data)
    assert hashed[0] == 0 and report.unchanged > 0 and report.added == report.updated == 0


def test_a_file_rewritten_with_its_size_and_times_put_back_is_still_seen(corpus, tmp_path):
    age(corpus)
    data = tmp_path / "data"
    reindex([corpus], data)
    path = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")[0]
    text = path.read_text("utf-8")
    word = next(w for w in text.split() if len(w) == len("zanzibar") and w.isascii() and w.isalpha())
    path.write_text(text.replace(word, "zanzibar", 1), "utf-8")
    age(corpus)  # (the same size and modification time as before: only its change time differs)
    report = reindex([corpus], data)
    assert report.updated > 0
    with Index.open(data) as index:
        assert index.search("zanzibar").total == 1


def test_a_file_changed_just_now_is_hashed_again_next_time(corpus, tmp_path, hashed, monkeypatch):
    monkeypatch.setattr(file_stats, "RACY", 60.0)
    data = tmp_path / "data"
    reindex([corpus], data)  # (the copy was made just now: too recent to trust its times)
    assert file_stats.load(next(data.glob("gen-*"))) == {}
    hashed[0] = 0
    reindex([corpus], data)
    assert hashed[0] == files_in(corpus)


@pytest.mark.parametrize("damage", [b"", b"not a zip file"])
def test_damaged_stats_only_mean_every_file_is_hashed(corpus, tmp_path, hashed, damage):
    age(corpus)
    data = tmp_path / "data"
    reindex([corpus], data)
    (saved,) = data.glob(f"gen-*/{file_stats.FILE_NAME}")
    saved.write_bytes(damage)
    hashed[0] = 0
    report = reindex([corpus], data)
    assert hashed[0] == files_in(corpus) and report.added == report.updated == report.deleted == 0
    assert file_stats.load(saved.parent) != {}  # (saved again)
