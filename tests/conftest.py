"""Shared fixtures: real indexes on disk built from the repo's seeds and from fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer import Index, reindex

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: Playwright cannot download its own here
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the whole run (skips where it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


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
