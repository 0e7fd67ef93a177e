"""What each segment's documents hold, worked out once and kept beside the segment
(:mod:`indexer.search.segment_tables`): an update reads its new segments alone, and
what is gathered from the tables is what reading every document gives."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, reindex
from indexer.actors import actor_key
from indexer.build.holdings import BANDS_SUFFIX
from indexer.engine.schema import ACTOR_SEPARATOR
from indexer.engine.whoosh import bulk_merge, internals, merging
from indexer.search import segment_tables as segment_tables_module
from indexer.search.columns import Columns, load_columns
from indexer.search.segment_tables import SUFFIX, SegmentTable, segment_tables

pytestmark = [pytest.mark.index]


def by_document(reader) -> dict[str, tuple]:
    """Each live article's source, date, story and actor keys, read from its columns one
    document at a time (the reference the gathered columns must agree with)."""
    ids, sources, days = reader.column("id"), reader.column("source"), reader.column("published")
    stories, actors = reader.column("story"), reader.column("actor_list")
    return {
        ids[d]: (sources[d], days[d], stories[d], frozenset(map(actor_key, filter(None, actors[d].split(ACTOR_SEPARATOR)))))
        for d in reader.live_docnums().tolist()
    }


def from_columns(columns: Columns, reader) -> dict[str, tuple]:
    ids, stories = reader.column("id"), reader.column("story")
    keys = list(columns.actor_ids)
    out = {}
    for d in np.flatnonzero(columns.live).tolist():
        source = columns.sources[columns.source[d]] if columns.source[d] >= 0 else ""
        day = str(np.datetime64(int(columns.day[d]) - 719163, "D")) if columns.day[d] else ""
        actors = frozenset(keys[a] for a in columns.doc_actors[columns.doc_ptr[d] : columns.doc_ptr[d + 1]])
        out[ids[d]] = (source, day, stories[d], actors)
        same_story = np.flatnonzero((columns.story == columns.story[d]) & columns.live)
        assert {stories[o] for o in same_story.tolist()} == {stories[d]}  # one number, one story
    return out


def tables(data: Path) -> dict[str, float]:
    """The segments' tables and their band runs (an update's story finder saves those)."""
    return {p.name: p.stat().st_mtime_ns for suffix in (SUFFIX, BANDS_SUFFIX) for p in data.glob(f"gen-*/*{suffix}")}


@pytest.fixture
def many_segments(monkeypatch):
    monkeypatch.setattr(internals, "SEGMENT_POSTINGS", 300)  # the seeds written in several segments,
    monkeypatch.setattr(bulk_merge, "GROUP_DOCS", 2)  # merged two by two


def test_columns_gathered_from_segment_tables_are_what_each_document_holds(corpus, tmp_path, many_segments, monkeypatch):
    monkeypatch.setattr(merging, "MOSTLY_DELETED", 2.0)  # (deleted documents stay in their segments)
    data = tmp_path / "data"
    reindex([corpus], data)
    (corpus / sorted(p.name for p in corpus.iterdir())[0]).unlink()  # deletions in old segments
    shutil.copy(Path(__file__).parent / "fixtures" / "newsroom.jsonl", corpus)
    reindex([corpus], data)
    with Index.open(data) as index:
        reader = index.snapshot.reader
        assert len(reader.segments()) > 1 and reader.doc_count < reader.docnum_limit
        assert from_columns(load_columns(reader), reader) == by_document(reader)


def test_an_update_works_out_its_new_segments_alone(corpus, tmp_path, many_segments):
    data = tmp_path / "data"
    reindex([corpus], data)
    shutil.copy(Path(__file__).parent / "fixtures" / "newsroom.jsonl", corpus)
    reindex([corpus], data)  # (its story finder saves the band runs of the first run's segments)
    before = tables(data)
    assert sum(n.endswith(BANDS_SUFFIX) for n in before) > 1
    (corpus / "newsroom.jsonl").write_text((corpus / "newsroom.jsonl").read_text().replace("Mali", "Mali."))
    reindex([corpus], data)
    after = tables(data)
    kept = set(before) & set(after)  # (the changed file's segment, all deleted, was merged away)
    assert len(kept) >= len(before) - 2 and {n: after[n] for n in kept} == {n: before[n] for n in kept}  # loaded, not made again
    assert [n for n in after if n not in before] == [n for n in after if n.endswith(SUFFIX) and n not in before]
    assert len(set(after) - set(before)) == 1  # the new segment's table


@pytest.mark.parametrize("damage", [b"not a zip file", b"PK\x03\x04 truncated"])
def test_a_damaged_table_is_worked_out_again(corpus, tmp_path, damage):
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        expected = index.search("Mali", facet_size=50).to_dict() | {"took_ms": 0}
    for path in data.glob("gen-*/columns-*.npz"):
        path.unlink()  # (so that the next opening gathers the columns from the tables)
    [table] = data.glob(f"gen-*/*{SUFFIX}")
    table.write_bytes(damage)
    with Index.open(data) as index:
        assert index.search("Mali", facet_size=50).to_dict() | {"took_ms": 0} == expected
    assert table.read_bytes() != damage


def test_a_table_made_from_the_documents_written_is_the_one_their_columns_give(corpus, tmp_path, many_segments):
    """A reindex makes each new segment's table from the documents it gives the engine, as
    the segment is written; read back from the segment's columns, it is the same."""
    data = tmp_path / "data"
    shutil.copy(Path(__file__).parent / "fixtures" / "newsroom.jsonl", corpus)
    reindex([corpus], data)
    written = {p: p.read_bytes() for p in data.glob(f"gen-*/*{SUFFIX}")}
    with Index.open(data) as index:
        reader = index.snapshot.reader
        made = dict(segment_tables(reader))
        assert len(made) == len(written) > 1
        for path in written:
            path.unlink()
        for segment, table in segment_tables(reader):  # (read out of the columns, saved again)
            for field in dataclasses.fields(SegmentTable):
                a, b = getattr(made[segment], field.name), getattr(table, field.name)
                assert (np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b), field.name


def test_an_actor_only_deleted_documents_named_leaves_the_columns_right(tmp_path):
    """A segment keeps a deleted document's actor spellings (Whoosh keeps its numbers until
    a merge): the columns of the live documents neither count nor stumble on them."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    quiet = "the weather was mild and the markets were calm all week long"
    for name in ("b", "c", "d"):
        (corpus / f"{name}.jsonl").write_text(json.dumps({"id": name, "title": "calm week", "body": quiet}) + "\n")
    loud = {"id": "a", "title": "Assimi Goita meets Vladimir Putin", "body": "Assimi Goita met Vladimir Putin in Moscow."}
    (corpus / "a.jsonl").write_text(json.dumps(loud) + "\n")
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        assert index.facet("actor").values  # (the loud article named some)
    (corpus / "a.jsonl").unlink()  # (a quarter of the segment deleted: it stays as it is)
    reindex([corpus], data)
    with Index.open(data) as index:
        reader = index.snapshot.reader
        assert reader.doc_count == 3 < reader.docnum_limit
        assert from_columns(load_columns(reader), reader) == by_document(reader)
        assert not index.facet("actor").values and index.search("calm").total_articles == 3


def test_tables_made_by_other_rules_are_made_again_and_the_old_ones_removed(corpus, tmp_path, monkeypatch):
    """A table's file is named by a digest of what the rules it applies (actor keys, dates)
    give: code that gives other results does not mix its tables with older ones."""
    data = tmp_path / "data"
    reindex([corpus], data)
    [old] = data.glob(f"gen-*/*{SUFFIX}")
    monkeypatch.setattr(segment_tables_module, "SUFFIX", SUFFIX.replace(segment_tables_module.RULES, "0ther0ne"))
    for path in data.glob("gen-*/columns-*.npz"):
        path.unlink()  # (so that the next opening gathers the columns from the tables)
    with Index.open(data) as index:
        assert index.search("Mali").total > 0
    assert not old.exists() and len(list(data.glob("gen-*/*.tables2_0ther0ne.npz"))) == 1


def test_damaged_signatures_are_named_and_their_table_made_again(corpus, tmp_path, caplog):
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        expected = index.search("Mali", facet_size=50).to_dict() | {"took_ms": 0}
    [signatures] = data.glob("gen-*/*.signatures2.npy")
    signatures.write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (3,), }" + b" " * 50)
    for path in data.glob("gen-*/columns-*.npz"):
        path.unlink()  # (so that the next opening gathers the columns from the tables)
    with caplog.at_level("WARNING"), Index.open(data) as index:
        assert index.search("Mali", facet_size=50).to_dict() | {"took_ms": 0} == expected
    assert f"{signatures.name} is not an array of signatures" in caplog.text and "pickle" not in caplog.text
