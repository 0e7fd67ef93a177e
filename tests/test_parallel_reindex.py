"""A reindex in worker processes makes the index that a reindex in one process makes.

Large runs prepare articles with workers (they find the actors while the reindex
process analyses the text) and have each worker write its share of the documents
into segments of its own; small runs do it all in-process. Here
a corpus of a few hundred articles is indexed both ways (``PARALLEL_FROM``
lowered so that it counts as large) and everything a user can see is compared:
every article's stored fields, story and actors, the reports, rankings and facets.
"""

from __future__ import annotations

import gc
import json
import os
import random
import time
from multiprocessing import get_context
from pathlib import Path

import pytest

from indexer import Index, reindex
from indexer.article import Article
from indexer.build import pipeline, rounds
from indexer.build.reindex import DEFAULT_MEMORY
from indexer.ingest import read_file

pytestmark = [pytest.mark.index]

TOWNS = ["Gao", "Kidal", "Mopti", "Timbuktu", "Menaka", "Segou", "Kayes", "Sikasso"]
GROUPS = ["the Coordination of Azawad Movements", "JNIM", "the Wagner Group", "MINUSMA", "ECOWAS"]
PEOPLE = ["Assimi Goita", "Iyad Ag Ghaly", "Amadou Toumani Toure", "Choguel Maiga"]
WORDS = "convoy market drought harvest election ceasefire talks bridge school clinic fuel prices".split()
SOURCES = ["sahelwatch.org", "bamakonews.ml", "wire.example.com"]
QUERIES = ["convoy", "drought harvest", '"fuel prices"', "wagner", "gao OR kidal", "talks -ceasefire", "JNIM"]


def _article(i: int, rng: random.Random) -> dict:
    town, group, person = rng.choice(TOWNS), rng.choice(GROUPS), rng.choice(PEOPLE)
    words = " ".join(rng.sample(WORDS, 5))
    body = (
        f"{person} said on Tuesday that {group} had reached {town}. "
        f"Residents spoke of {words} and of the {rng.choice(WORDS)} near {rng.choice(TOWNS)}. "
        f"Report number {i} adds that the {rng.choice(WORDS)} will resume."
    )
    return {
        "id": f"a{i:04d}",
        "title": f"{town}: {rng.choice(WORDS).title()} after {group.removeprefix('the ')} visit",
        "body": body,
        "source": SOURCES[i % len(SOURCES)],
        "published": f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}",
    }


def write_corpus(folder: Path, n: int = 240, seed: int = 7) -> None:
    """JSON files and one JSONL file; copies of one story from three outlets; an acronym
    defined once and used bare elsewhere; an id given twice."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    articles = [_article(i, rng) for i in range(n)]
    story = articles[3]["body"] + " The talks in Algiers were described as frank."
    for j, outlet in enumerate(SOURCES):
        articles[10 + j] = {**articles[10 + j], "body": story + f" ({outlet})", "published": f"2024-05-0{6 + j}"}
    articles[20]["body"] += " The Sahel Farmers Union (SFU) rejected the plan."
    articles[21]["body"] += " An SFU spokesman in Kidal disagreed."
    for a in articles[: n // 2]:
        (folder / f"{a['id']}.json").write_text(json.dumps(a), "utf-8")
    with open(folder / "rest.jsonl", "w", encoding="utf-8") as f:
        for a in [*articles[n // 2:], articles[5]]:  # a0005 again: a duplicate id
            f.write(json.dumps(a) + "\n")


def contents(data: Path) -> dict:
    """What searches see: every article as stored, and rankings and facets of some queries."""
    with Index.open(data) as index:
        everything = index.search("", page_size=100, collapse=False, sort="oldest")
        ids = []
        for page in range(1, everything.pages + 1):
            ids += [h.id for h in index.search("", page=page, page_size=100, collapse=False, sort="oldest").hits]
        records = {i: index.article(i) for i in ids}
        out: dict = {"articles": {i: (r.title, r.body, r.source, r.published, r.story, r.actors) for i, r in records.items()}}
        for q in QUERIES:
            result = index.search(q, page_size=50)
            out[q] = (
                result.total,
                [(h.id, h.snippet, tuple(o.id for o in h.other_outlets)) for h in result.hits],
                {f: [(v.label, v.count) for v in facet.values] for f, facet in result.facets.items()},
            )
    return out


def _report(r) -> tuple:
    return r.added, r.updated, r.deleted, r.unchanged, r.failed, r.articles, sorted(map(str, r.problems))


def _segments(data: Path) -> int:
    """Segments of the live generation (each has a flat postings file)."""
    live = [p for p in data.iterdir() if p.is_dir() and p.name.startswith("gen-")]
    return sum(len(list(gen.glob("*.npp"))) for gen in live)


@pytest.fixture()
def parallel(monkeypatch):
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 10)
    monkeypatch.setattr(pipeline, "BATCH", 16)  # several tasks, so that both sides take some


@pytest.mark.slow
@pytest.mark.parametrize("round_chars", [None, 20_000], ids=["one round", "rounds of ~30 articles"])
def test_a_rebuild_in_workers_makes_the_same_index_as_one_in_process(tmp_path, monkeypatch, round_chars):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    one = reindex([corpus], tmp_path / "one", full=True)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 10)
    monkeypatch.setattr(pipeline, "BATCH", 16)
    reads = []
    monkeypatch.setattr(rounds, "read_file", lambda *args: reads.append(args) or read_file(*args))
    if round_chars:  # a budget below the run's fixed cost: the smallest rounds
        monkeypatch.setattr(rounds.Budget, "SMALLEST", round_chars)
    workers = reindex([corpus], tmp_path / "workers", full=True, memory=round_chars or DEFAULT_MEMORY)

    assert _report(workers) == _report(one)
    assert one.added == 240 and len(one.problems) == 1  # the duplicate id
    assert _segments(tmp_path / "one") == 1 and _segments(tmp_path / "workers") == 1
    read_again = [path.name for path, _root in reads]
    if round_chars is None:  # the corpus fits one round: each file read once
        assert read_again == []
    else:  # the first round's files are kept from the first walk; the others are read again
        assert "a0000.json" not in read_again and read_again[-1] == "rest.jsonl" and len(read_again) < 121
    seen = contents(tmp_path / "workers")
    assert seen == contents(tmp_path / "one")
    assert len({seen["articles"][f"a{i:04d}"][4] for i in (10, 11, 12)}) == 1  # the copies are one story
    assert "SFU" in seen["articles"]["a0020"][5] and "SFU" in seen["articles"]["a0021"][5]  # one actor, learned


@pytest.mark.slow
def test_an_update_in_workers_applies_changes_as_one_in_process(tmp_path, parallel):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    one, workers = tmp_path / "one", tmp_path / "workers"
    reindex([corpus], workers)
    pipeline.PARALLEL_FROM = 10**9
    reindex([corpus], one)

    rng = random.Random(99)
    for i in range(0, 20):  # changed
        (corpus / f"a{i:04d}.json").write_text(json.dumps(_article(1000 + i, rng) | {"id": f"a{i:04d}"}), "utf-8")
    for i in range(20, 30):  # deleted
        (corpus / f"a{i:04d}.json").unlink()
    with open(corpus / "more.jsonl", "w", encoding="utf-8") as f:  # added
        for i in range(500, 520):
            f.write(json.dumps(_article(i, rng)) + "\n")

    r_one = reindex([], one)
    pipeline.PARALLEL_FROM = 10
    r_workers = reindex([], workers)
    assert _report(r_workers) == _report(r_one)
    assert (r_one.added, r_one.updated, r_one.deleted) == (20, 20, 10)
    assert contents(workers) == contents(one)


@pytest.mark.slow
def test_spawned_workers_make_the_same_index(tmp_path, monkeypatch, parallel):
    """Where forking is not safe (a program with threads), workers are spawned."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, n=60)
    forked = reindex([corpus], tmp_path / "forked", full=True)
    monkeypatch.setattr(pipeline, "_context", lambda: get_context("spawn"))
    spawned = reindex([corpus], tmp_path / "spawned", full=True)
    assert _report(spawned) == _report(forked)
    assert _segments(tmp_path / "spawned") == 1
    assert contents(tmp_path / "spawned") == contents(tmp_path / "forked")


def _articles(n: int = 160) -> list[Article]:
    rng = random.Random(3)
    return [Article(r["id"], r["title"], r["body"]) for r in (_article(i, rng) for i in range(n))]


def _in_workers(function, seconds: float, started: Path):
    """``function`` in the workers: ``seconds`` slower, and saying it ``started``."""
    parent = os.getpid()

    def slow(*args):
        if os.getpid() != parent:
            started.touch()
            time.sleep(seconds)
        return function(*args)

    return slow


def _here(function, seconds: float, started: Path):
    """``function`` in this process: ``seconds`` slower, once the workers have ``started``
    (a busy machine can take a second to start one)."""
    parent = os.getpid()
    deadline = time.monotonic() + 30

    def slow(*args):
        if os.getpid() == parent:
            while not started.exists():
                assert time.monotonic() < deadline, "the workers never started finding actors"
                time.sleep(0.01)
            time.sleep(seconds)
        return function(*args)

    return slow


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # Python 3.12+
@pytest.mark.parametrize("slow", ["neither", "the workers", "this process"])
def test_each_article_is_prepared_as_in_one_process_whichever_side_runs_ahead(monkeypatch, tmp_path, parallel, slow):
    """The workers find actors from the first task on, this process analyses text; the
    side that runs ahead goes on with the other's stage from the last task back."""
    articles = _articles()
    one = pipeline.Preparer(None, workers=1)
    one.learn(articles, {})
    with one.prepare(articles) as prepared:
        expected = list(prepared)
    started = tmp_path / "workers-started"
    # forked workers, which inherit the slowed functions (a test process that has run the
    # browser tests has threads, where spawning is the default)
    monkeypatch.setattr(pipeline, "_context", lambda: get_context("fork"))
    if slow == "the workers":  # this process then finds the actors of the last tasks
        monkeypatch.setattr(pipeline, "actor_names", _in_workers(pipeline.actor_names, 0.005, started))
    if slow == "this process":  # the workers then analyse the last tasks
        monkeypatch.setattr(pipeline, "actor_names", _in_workers(pipeline.actor_names, 0, started))
        monkeypatch.setattr(pipeline, "analyse", _here(pipeline.analyse, 0.01, started))
    analysed_here: list[str] = []
    counted = pipeline.analyse
    monkeypatch.setattr(pipeline, "analyse", lambda a: analysed_here.append(a.id) or counted(a))

    two = pipeline.Preparer(None, workers=2)
    with two.running(large=True):
        two.learn(articles, {})
        with two.prepare(articles) as prepared:
            got = list(prepared)

    assert got == expected
    assert gc.get_freeze_count() == 0  # what the pass froze is collectable again
    if slow == "the workers":  # this process analyses the text (but what they had already taken), and finds actors
        assert two._extractor is not None
        assert len(analysed_here) >= len(articles) - 2 * pipeline.BATCH
    if slow == "this process":  # the workers find every actor, and analyse text too
        assert two._extractor is None
        assert len(analysed_here) < len(articles)
