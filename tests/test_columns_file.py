"""Facet columns saved beside a generation: loaded, not rebuilt, by later openings."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, reindex
from indexer.search import field_norms, saved_arrays
from indexer.search.columns import Columns, load_columns
from indexer.search.dates import day_ordinals
from indexer.search.saved_arrays import load_mapped
from indexer.search.vocabulary import Vocabulary

pytestmark = [pytest.mark.index]


def assert_same_columns(a: Columns, b: Columns) -> None:
    for field in dataclasses.fields(Columns):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), field.name
        else:
            assert x == y, field.name


def saved_files(data):
    return sorted(p.name for p in data.glob("gen-*/columns-*.npz"))


def test_a_reindex_saves_its_commits_columns_and_openings_load_the_same(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    assert saved_files(data) == ["columns-v1-1.npz"]  # before any opening
    [saved] = data.glob("gen-*/columns-*.npz")
    with Index.open(data) as index:
        built = load_columns(index.snapshot.reader)
        assert_same_columns(index.snapshot.columns, built)
        result = index.search("Mali", facet_size=50).to_dict()
    saved.unlink()  # the next opening builds them, and saves them again
    with Index.open(data) as index:
        assert_same_columns(index.snapshot.columns, built)
        assert index.search("Mali", facet_size=50).to_dict() | {"took_ms": 0} == result | {"took_ms": 0}
    assert saved_files(data) == ["columns-v1-1.npz"]


def test_an_unreadable_columns_file_is_built_again(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        built = copy.deepcopy(index.snapshot.columns)  # (its arrays map the file damaged below)
    [saved] = data.glob("gen-*/columns-*.npz")
    for damage in (b"not a zip file", saved.read_bytes()[:100]):
        saved.write_bytes(damage)
        with Index.open(data) as index:
            assert_same_columns(index.snapshot.columns, built)
            assert index.search("Bamako").total > 0
        assert saved.read_bytes() != damage  # saved again, whole


@pytest.mark.parametrize("cut", ["live", "story", "doc_ptr", "actor_docs", "doc_actors"])
def test_columns_that_do_not_fit_the_index_are_not_used(corpus, tmp_path, cut):
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        built = copy.deepcopy(index.snapshot.columns)  # (its arrays map the file rewritten below)
    [saved] = data.glob("gen-*/columns-*.npz")
    with np.load(saved) as arrays:
        shorter = {k: arrays[k][:-1] if k == cut else arrays[k] for k in arrays.files}
    np.savez(saved, **shorter)
    with Index.open(data) as index:
        assert_same_columns(index.snapshot.columns, built)


def test_a_commit_gets_its_own_columns_and_the_older_file_goes(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    Index.open(data).close()
    (corpus / "extra.json").write_text(
        json.dumps({"title": "Guterres in Bamako", "body": "Guterres spoke in Bamako.", "source": "new.example"}),
        "utf-8",
    )
    reindex([corpus], data)  # an update: a new commit of the same generation
    with Index.open(data) as index:
        assert "new.example" in index.snapshot.columns.sources
        version = index.snapshot.version[1]
    assert saved_files(data) == [f"columns-v1-{version}.npz"]


def test_stats_count_the_index_files_while_a_columns_file_comes_and_goes(corpus, tmp_path, monkeypatch):
    """Another process saving the columns writes a temporary file, then renames it: the
    stats that list the folder meanwhile must not fail on it."""
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        generation = index.snapshot.generation
        expected = sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
        passing = generation / f"{saved_arrays.TEMPORARY}in-flight.npz"
        passing.write_bytes(b"x" * 100)
        listed = os.scandir

        def listed_then_renamed(path):  # the listing sees the file, which then goes
            entries = list(listed(path))
            passing.unlink(missing_ok=True)
            return iter(entries)

        monkeypatch.setattr(os, "scandir", listed_then_renamed)
        assert index.stats().size_bytes == expected


def test_a_save_removes_what_a_killed_save_left_but_not_a_save_going_on(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    [saved] = data.glob("gen-*/columns-*.npz")
    temporary = saved.parent / saved_arrays.TEMPORARY
    killed, killed_table = Path(f"{temporary}killed.npz"), Path(f"{temporary}MAIN_killed.tables2.npy")
    going_on = Path(f"{temporary}going-on.npz")
    for left in (killed, killed_table, going_on):
        left.write_bytes(b"half a zip")
    an_hour_ago = time.time() - 3600
    for left in (killed, killed_table):
        os.utime(left, (an_hour_ago, an_hour_ago))
    saved.unlink()
    with Index.open(data) as index:  # builds the columns, and saves them
        assert index.search("Bamako").total > 0
    assert saved.exists() and going_on.exists()
    assert not killed.exists() and not killed_table.exists()  # (whatever file's save was killed)


def test_the_day_column_holds_each_date_as_its_ordinal_and_anything_else_as_undated():
    days = ["2024-02-29", "", "0999-01-05"]
    assert day_ordinals(days).tolist() == [738945, 0, 364517]
    assert day_ordinals(days).dtype == np.int32
    # one value numpy cannot read (not something reindex stores) leaves the others as they are
    assert day_ordinals([*days, "2024-13-01"]).tolist() == [738945, 0, 364517, 0]


def test_the_vocabulary_is_saved_too_and_loaded_as_gathered(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    [saved] = data.glob("gen-*/vocabulary-v1-*.npz")  # before any opening
    with Index.open(data) as index:
        loaded = index.snapshot.vocabulary
        gathered = Vocabulary.gathered(pair for f in ("title", "body") for pair in index.snapshot.reader.term_frequencies(f))
        assert loaded.frequency == gathered.frequency and loaded.terms == gathered.terms
        fuzzy = index.search("bamak~").total
    saved.write_bytes(b"not a zip file")  # damaged: gathered again, and saved whole
    with Index.open(data) as index:
        assert index.snapshot.vocabulary.frequency == gathered.frequency
        assert index.search("bamak~").total == fuzzy > 0
    assert saved.read_bytes()[:2] == b"PK"


def test_a_save_for_an_older_commit_leaves_a_newer_commits_file(tmp_path):
    from indexer.search.saved_arrays import saved_or_built

    def save(version: int) -> None:
        path = tmp_path / f"vocabulary-v1-{version}.npz"
        saved_or_built(path, lambda: version, lambda v: {"v": np.array([v])}, lambda saved: int(saved["v"][0]))

    save(5)
    save(3)  # a process still on commit 3 (its snapshot pinned) saves its own
    save(4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vocabulary-v1-4.npz", "vocabulary-v1-5.npz"]


def test_saved_arrays_are_mapped_as_numpy_reads_them(tmp_path):
    arrays = {
        "a": np.arange(10, dtype=np.int32),
        "b": np.zeros((3, 4), np.uint32),
        "c": np.empty(0),
        "d": np.asfortranarray(np.eye(3)),
    }
    path = tmp_path / "x.npz"
    np.savez(path, **arrays)
    mapped = load_mapped(path)
    assert mapped.keys() == arrays.keys()
    for name, array in arrays.items():
        assert mapped[name].dtype == array.dtype and np.array_equal(mapped[name], array), name
        assert not mapped[name].flags.writeable
    np.savez_compressed(path, **arrays)  # (not where they lie: refused, and then built again)
    with pytest.raises(ValueError, match="not an array stored whole"):
        load_mapped(path)


def test_a_reindex_saves_its_commits_length_norms_and_a_damaged_file_is_worked_out_again(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    [saved] = data.glob("gen-*/norms-v1-*.npz")
    with Index.open(data) as index:
        snapshot = index.snapshot
        worked_out = field_norms._built(snapshot.reader, snapshot.columns.live)
        assert {f: n.tolist() for f, n in snapshot.field_norms.items()} == {f: n.tolist() for f, n in worked_out.items()}
        result = index.search("Mali").to_dict() | {"took_ms": 0}
    saved.write_bytes(b"not a zip file")
    with Index.open(data) as index:
        assert {f: n.tolist() for f, n in index.snapshot.field_norms.items()} == {f: n.tolist() for f, n in worked_out.items()}
        assert index.search("Mali").to_dict() | {"took_ms": 0} == result
    assert saved.read_bytes() != b"not a zip file"
