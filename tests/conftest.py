"""Shared fixtures: the corpora the tests index (the seeds, the seeds with a module's hostile
articles, the newsroom, one widely carried story, the hostile corpus), the real indexes on
disk built from them, Flask test clients over them, live servers and chromium.

Indexes are built once per session (or module) and shared: a test that changes an index
builds its own, from a copy of the seeds (``corpus``) or from files of its own.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from hostile_corpus import HostileCorpus, write_hostile_corpus
from livecheck import Server, serve

from indexer import Index, reindex
from indexer.actors import ActorExtractor, AliasTable, load_aliases

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FIXTURES = REPO / "tests" / "fixtures"
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


# --- corpora and the indexes built from them ---------------------------------------------


BuildData = Callable[..., Path]


@pytest.fixture(scope="session")
def build_data(tmp_path_factory: pytest.TempPathFactory) -> BuildData:
    """``build_data(name, articles)``: a data directory holding a fresh index of a corpus of
    the seeds (unless ``seeds=False``) and ``articles`` (dicts, written to ``file``), for a
    session- or module-scoped fixture to share (do not modify it). ``aliases`` is written
    as the data directory's aliases.toml first; the reindex must report no problem, and
    ``added`` articles when given. The corpus is beside it, in ``../corpus``."""

    def build(
        name: str,
        articles: Iterable[dict] = (),
        *,
        seeds: bool = True,
        file: str = "extra.json",
        aliases: str | None = None,
        added: int | None = None,
    ) -> Path:
        root = tmp_path_factory.mktemp(name)
        corpus, data = root / "corpus", root / "data"
        if seeds:
            shutil.copytree(SEEDS, corpus)
        else:
            corpus.mkdir()
        articles = list(articles)
        if articles:
            (corpus / file).write_text(json.dumps(articles), "utf-8")
        if aliases is not None:
            data.mkdir()
            (data / "aliases.toml").write_text(aliases, "utf-8")
        report = reindex([corpus], data)
        assert not report.problems, report.problems
        assert added is None or report.added == added, (report.added, added)
        return data

    return build


@pytest.fixture(scope="session")
def seeds_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the five seeds indexed where they are (shared: do not modify it)."""
    data = tmp_path_factory.mktemp("seeds-data")
    report = reindex([SEEDS], data)
    assert report.added == 5 and not report.problems, report.problems
    return data


@pytest.fixture(scope="session")
def seeds_index(seeds_data: Path) -> Iterator[Index]:
    """The seeds' index, open for the whole session (shared: search it, do not close it)."""
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
def wide_story_data(build_data: BuildData) -> Path:
    """A data directory with one wire story carried by 45 outlets (shared: do not modify
    it): ``wide-00`` to ``wide-44``, published one a day from 2024-09-01 on, but for
    ``wide-07`` and ``wide-08``, which are undated."""
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
    return build_data("wide-story", copies, seeds=False, file="wire.json", added=WIDE_STORY_COPIES)


@pytest.fixture(scope="module")
def hostile_data(request: pytest.FixtureRequest, build_data: BuildData) -> Path:
    """The seeds plus the test module's own ``HOSTILE`` articles (in hostile.json), indexed
    once for the module (shared: do not modify it)."""
    return build_data(f"hostile-{request.module.__name__}", request.module.HOSTILE, file="hostile.json")


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """The nine articles of fixtures/newsroom.jsonl, indexed and open for the module."""
    folder = tmp_path_factory.mktemp("newsroom")
    shutil.copy(FIXTURES / "newsroom.jsonl", folder)
    data = folder / "data"
    report = reindex([folder / "newsroom.jsonl"], data)
    assert report.added == 9 and not report.problems
    with Index.open(data) as index:
        yield index


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileCorpus:
    """The hostile corpus of hostile_corpus.py, written once (read-only: tests must not change it)."""
    return write_hostile_corpus(tmp_path_factory.mktemp("hostile") / "corpus")


# --- Flask apps and live servers ------------------------------------------------------------


@pytest.fixture
def client(seeds_data: Path):
    """A Flask test client of an app over the seeds."""
    from web import create_app

    return create_app(seeds_data).test_client()


@pytest.fixture
def hostile_client(hostile_data: Path):
    """A Flask test client of an app over the seeds and the module's ``HOSTILE`` articles."""
    from web import create_app

    return create_app(hostile_data).test_client()


@pytest.fixture(scope="session")
def live_server() -> Callable[..., AbstractContextManager[Server]]:
    """``with live_server(data) as server:`` runs ``manage.py serve`` over ``data`` on a free
    loopback port for the block, its output in ``log`` (by default server.log beside the
    data directory); with ``no_tracebacks``, the block ends by checking that none was logged."""

    @contextmanager
    def start(data: Path, log: Path | None = None, *, no_tracebacks: bool = False) -> Iterator[Server]:
        log = log or data.parent / "server.log"
        with log.open("wb") as out, serve(data, out) as server:
            yield server
        if no_tracebacks:
            assert b"Traceback" not in log.read_bytes()  # no error was logged: no 500 at all

    return start
