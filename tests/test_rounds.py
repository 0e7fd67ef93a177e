"""A reindex holds one round of articles at a time, sized by its memory budget."""

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.build import id_set, rounds
from indexer.build.id_set import IdSet
from indexer.build.rounds import Budget, Changed, Rounds, size
from indexer.ingest import CorpusFile, read_file
from indexer.search.segment_tables import id_hash

pytestmark = [pytest.mark.unit]


def _corpus(folder: Path, files: int = 6, per_file: int = 5) -> list[Changed]:
    changed = []
    for f in range(files):
        path = folder / f"part-{f}.jsonl"
        lines = [json.dumps({"id": f"a{f}-{i}", "title": f"Title {f} {i}", "body": "word " * 40}) for i in range(per_file)]
        path.write_text("\n".join(lines) + "\n", "utf-8")
        changed.append(Changed(CorpusFile(path, folder, path.name), str(path), f"digest{f}", path.stat().st_size))
    return changed


def _walk(
    changed: list[Changed], round_chars: int, monkeypatch, changed_after_first_walk: tuple[Changed, ...] = ()
) -> tuple[Rounds, list[str], list[list[str]], list[str]]:
    """The first walk's ids, the rounds' ids, and the files read again (the files
    ``changed_after_first_walk`` are, and must be told of)."""
    again: list[str] = []
    meanwhile: list[Changed] = []
    monkeypatch.setattr(rounds, "read_file", lambda path, root: again.append(path.name) or read_file(path, root))
    walk = Rounds(changed, lambda c: read_file(c.file.path, c.file.root).articles, lambda: round_chars, meanwhile.append)
    first = [a.id for a in walk.first_walk()]
    for c in changed_after_first_walk:
        c.file.path.write_text(c.file.path.read_text("utf-8").replace('"a', '"b'), "utf-8")
    parts = [[e.article.id for e in part] for part in walk]
    assert [c.file.rel for c in meanwhile] == [c.file.rel for c in changed_after_first_walk]
    return walk, first, parts, again


def test_a_corpus_that_fits_one_round_is_read_once(tmp_path, monkeypatch):
    changed = _corpus(tmp_path)
    walk, first, parts, again = _walk(changed, 10**9, monkeypatch)
    assert walk.articles == 30 and len(parts) == 1 and parts[0] == first
    assert again == []


def test_a_larger_corpus_is_read_again_in_rounds_within_the_budget(tmp_path, monkeypatch):
    changed = _corpus(tmp_path)
    one_file = sum(size(a) for a in read_file(changed[0].file.path, tmp_path).articles)
    _, first, parts, again = _walk(changed, 2 * one_file, monkeypatch)
    assert [i for part in parts for i in part] == first  # every article once, in order
    assert all(len(part) == 10 for part in parts)  # two files' worth a round
    assert again == ["part-2.jsonl", "part-3.jsonl", "part-4.jsonl", "part-5.jsonl"]  # the first round's were kept


def test_a_file_changed_between_the_two_walks_is_left_out_and_told_of(tmp_path, monkeypatch):
    changed = _corpus(tmp_path)
    one_file = sum(size(a) for a in read_file(changed[0].file.path, tmp_path).articles)
    _, first, parts, again = _walk(changed, 2 * one_file, monkeypatch, changed_after_first_walk=(changed[3],))
    assert [i for part in parts for i in part] == [i for i in first if not i.startswith("a3-")]
    assert "part-3.jsonl" in again


def test_an_article_larger_than_a_round_is_a_round_of_its_own(tmp_path, monkeypatch):
    _, _, parts, _ = _walk(_corpus(tmp_path, files=1, per_file=3), 10, monkeypatch)
    assert parts == [["a0-0"], ["a0-1"], ["a0-2"]]


def test_rounds_shrink_as_what_the_run_keeps_grows():
    class Kept:
        nbytes = 0

    kept = Kept()
    budget = Budget(Budget.FIXED + 100 * Budget.PER_CHAR * Budget.SMALLEST, kept)
    assert budget.round_chars() == 100 * Budget.SMALLEST
    kept.nbytes = 50 * Budget.PER_CHAR * Budget.SMALLEST
    assert budget.round_chars() == 50 * Budget.SMALLEST
    kept.nbytes = 10**12  # more than the budget: the smallest rounds, not none
    assert budget.round_chars() == Budget.SMALLEST


def test_the_id_set_knows_every_id_added_in_memory_and_after_merging(monkeypatch):
    monkeypatch.setattr(id_set.IdSet, "RECENT", 4)
    ids = IdSet(np.array([id_hash("kept-1"), id_hash("kept-2")]))
    for i in range(10):
        ids.add(f"new-{i}")
    assert all(i in ids for i in ["kept-1", "kept-2", *(f"new-{i}" for i in range(10))])
    assert "new-10" not in ids and "kept-3" not in ids
    assert ids.nbytes < 20 * 8 + 4 * 60
