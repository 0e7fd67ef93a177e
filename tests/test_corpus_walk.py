"""Walking a corpus: folders and files given, what is skipped, and paths that go wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from reading import write

from indexer.article import Problem
from indexer.ingest import SUPPORTED_SUFFIXES, CorpusFile, iter_corpus

pytestmark = [pytest.mark.unit]


def walk(*paths: Path) -> list[tuple[str, str] | Problem]:
    return [(e.rel, e.root.name) if isinstance(e, CorpusFile) else e for e in iter_corpus(list(paths))]


def test_corpus_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    for rel in ["b.txt", "a/z.json", "a/b/c.jsonl", "A.html", "c.htm"]:
        write(tmp_path / "corpus" / rel, "x")
    assert [rel for rel, _ in walk(tmp_path / "corpus")] == [
        "A.html",
        "a/b/c.jsonl",
        "a/z.json",
        "b.txt",
        "c.htm",
    ]


def test_corpus_walk_skips_hidden_entries_and_unsupported_types(tmp_path: Path) -> None:
    for rel in ["keep.txt", ".hidden.txt", ".git/x.txt", "photo.jpg", "README"]:
        write(tmp_path / rel, "x")
    assert walk(tmp_path) == [("keep.txt", tmp_path.name)]


def test_file_given_directly_is_read_from_its_folder(tmp_path: Path) -> None:
    path = write(tmp_path / "sub" / "notes.md", "x")
    assert list(iter_corpus([path])) == [CorpusFile(path, path.parent, "notes.md")]


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert list(iter_corpus([missing])) == [Problem(str(missing), "no such file or directory")]


def test_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "sub" / "a.txt", "x")
    (tmp_path / "corpus" / "sub" / "loop").symlink_to(tmp_path / "corpus", target_is_directory=True)
    assert walk(tmp_path / "corpus") == [
        ("sub/a.txt", "corpus"),
        Problem("sub/loop", "symlink loop: not followed"),
    ]


def test_symlinked_folder_outside_the_corpus_is_followed(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere" / "b.txt", "x")
    write(tmp_path / "corpus" / "a.txt", "x")
    (tmp_path / "corpus" / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert walk(tmp_path / "corpus") == [("a.txt", "corpus"), ("more/b.txt", "corpus")]


def test_broken_symlink_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "dead.txt").symlink_to(tmp_path / "missing.txt")
    assert walk(tmp_path) == [Problem("dead.txt", "broken symlink")]


def test_special_file_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    assert walk(tmp_path) == [Problem("pipe.txt", "not a regular file")]


def test_file_vanishing_during_the_walk_is_a_problem(tmp_path: Path) -> None:
    for name in ["a.txt", "b.txt", "c.txt"]:
        write(tmp_path / name, "x")
    entries = iter_corpus([tmp_path])
    first = next(entries)
    (tmp_path / "b.txt").unlink()
    assert [first, *entries] == [
        CorpusFile(tmp_path / "a.txt", tmp_path, "a.txt"),
        Problem("b.txt", "vanished during the walk"),
        CorpusFile(tmp_path / "c.txt", tmp_path, "c.txt"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_is_a_problem(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    write(locked / "a.txt", "x")
    locked.chmod(0)
    try:
        assert walk(tmp_path) == [Problem("locked", "cannot read: Permission denied")]
    finally:
        locked.chmod(0o755)


def test_supported_suffixes() -> None:
    assert {".txt", ".json", ".jsonl", ".html", ".htm"} == SUPPORTED_SUFFIXES
