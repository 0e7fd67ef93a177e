"""Shared fixtures: real indexes on disk built from the repo's seeds and from fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer import Index, reindex

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def seeds_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the five seeds indexed (shared: do not modify it)."""
    data = tmp_path_factory.mktemp("seeds-data")
    report = reindex([SEEDS], data)
    assert report.added == 5 and not report.problems, report.problems
    return data


@pytest.fixture
def seeds_index(seeds_data: Path):
    with Index.open(seeds_data) as index:
        yield index


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private, writable copy of the seeds to change in a test."""
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder
