"""Shared fixtures: real indexes on disk built from the repo's seeds and from fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer import Index, reindex
from indexer.actors import ActorExtractor, AliasTable, load_aliases

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
def table() -> AliasTable:
    """The shipped alias table."""
    return load_aliases()


@pytest.fixture(scope="session")
def extractor(table: AliasTable) -> ActorExtractor:
    """An actor extractor over the shipped aliases (shared: it keeps caches, no state)."""
    return ActorExtractor(table)


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


WIRE_STORY = (
    "Gunmen attacked a gendarmerie school in Bamako before dawn on Tuesday, the army said, "
    "and fighting went on near the airport for several hours. JNIM, the al-Qaeda affiliate "
    "active across the Sahel, said it carried out the attack. Residents described heavy "
    "gunfire and smoke over the Faladie district as helicopters circled the city."
)
WIDE_STORY_COPIES = 45  # one wire story carried by this many outlets


@pytest.fixture(scope="session")
def wide_story_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with one wire story carried by 45 outlets (shared: do not modify
    it): ``wide-00`` to ``wide-44``, published one a day from 2024-09-01 on, but for
    ``wide-07`` and ``wide-08``, which are undated."""
    folder = tmp_path_factory.mktemp("wide-story")
    copies = [
        {
            "id": f"wide-{i:02d}",
            "title": f"Attack on Bamako, as outlet {i} reports it",
            "body": WIRE_STORY,
            "source": f"outlet{i:02d}.example",
            **({} if i in (7, 8) else {"published": f"2024-09-{1 + i % 30:02d}" if i < 30 else f"2024-10-{i - 29:02d}"}),
        }
        for i in range(WIDE_STORY_COPIES)
    ]
    (folder / "corpus").mkdir()
    (folder / "corpus" / "wire.json").write_text(json.dumps(copies), "utf-8")
    report = reindex([folder / "corpus"], folder / "data")
    assert report.added == WIDE_STORY_COPIES and not report.problems, report.problems
    return folder / "data"
