"""manage.py as a person uses it: reindex, search, stats, report, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.store import ReindexLock

pytestmark = [pytest.mark.index]

REPO = Path(__file__).resolve().parent.parent


def manage(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "--data", str(data), *args],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )


def test_reindex_prints_progress_and_a_summary(corpus, tmp_path):
    run = manage("reindex", str(corpus), data=tmp_path / "data")
    assert run.returncode == 0, run.stderr
    assert "reindex: 5/5" in run.stderr  # plain progress lines when not on a terminal
    assert "5 added, 0 updated, 0 deleted, 0 unchanged, 0 failed" in run.stdout


@pytest.mark.slow
def test_reindex_reports_bad_files_and_strict_fails(corpus, tmp_path):
    (corpus / "broken.json").write_text("{nope", "utf-8")
    data = tmp_path / "data"
    lenient = manage("reindex", "--quiet", str(corpus), data=data)
    assert lenient.returncode == 0
    assert "broken.json" in lenient.stderr and "Traceback" not in lenient.stderr
    strict = manage("reindex", "--quiet", "--strict", "--full", str(corpus), data=data)
    assert strict.returncode == 1


@pytest.mark.slow
def test_search_text_and_json(seeds_data):
    text = manage("search", "Guterres", data=seeds_data)
    assert text.returncode == 0
    assert "2 results" in text.stdout and "[Guterres]" in text.stdout
    as_json = json.loads(manage("search", "Guterres", "--json", data=seeds_data).stdout)
    assert {h["id"] for h in as_json["hits"]} == {"002_f906829c3a93a056", "004_04d21494b0b19014"}
    assert set(as_json["facets"]) == {"source", "actor", "date"}


def test_stats(seeds_data):
    stats = json.loads(manage("stats", "--json", data=seeds_data).stdout)
    assert stats["articles"] == 5 and stats["sources"] == 3
    assert stats["first_date"] == "2024-09-17"


@pytest.mark.slow
def test_report_shows_what_the_index_holds_and_what_it_could_not_read(corpus, tmp_path):
    (corpus / "feed.jsonl").write_text('{"id": "ok", "title": "Calm", "body": "Bamako was calm."}\n{nope\n', "utf-8")
    data = tmp_path / "data"
    assert manage("reindex", "--quiet", str(corpus), data=data).returncode == 0

    text = manage("report", "--top", "3", data=data)
    assert text.returncode == 0, text.stderr
    assert "articles:   6 (6 stories, 5 undated)" in text.stdout
    assert f"corpus:     {corpus}" in text.stdout
    top_sources = text.stdout.split("top sources:\n")[1].split("\n\n")[0].splitlines()
    top_actors = text.stdout.split("top actors:\n")[1].split("\n\n")[0].splitlines()
    assert len(top_sources) == 3 and len(top_actors) == 3
    assert "not read:   1 file, in part or whole ('report' says why)" in text.stdout
    assert "not read (1 problem in 1 file; fix them and reindex):\n  feed.jsonl:2: invalid JSON" in text.stdout

    report = json.loads(manage("report", "--json", data=data).stdout)
    assert report["stats"]["articles"] == 6 and len(report["stats"]["top_sources"]) == 3
    assert dict(map(tuple, report["top_actors"]))["JNIM"] >= 2
    assert report["periods"] == [["2024-09-17", 1], ["undated", 5]]
    assert report["problems"] == [{"path": "feed.jsonl", "reason": report["problems"][0]["reason"], "line": 2}]

    (corpus / "feed.jsonl").write_text('{"id": "ok", "title": "Calm", "body": "Bamako was calm."}\n', "utf-8")
    assert manage("reindex", "--quiet", data=data).returncode == 0
    text = manage("report", data=data).stdout
    assert "every file of the corpus was read" in text and "not read:" not in text

    bad = manage("report", "--top", "0", data=data)
    assert bad.returncode == 2 and "top: must be a whole number" in bad.stderr and "Traceback" not in bad.stderr


def test_search_without_an_index_says_what_to_do(tmp_path):
    run = manage("search", "mali", data=tmp_path / "empty")
    assert run.returncode == 2
    assert "run 'python manage.py reindex' first" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.slow
def test_bad_parameters_are_named(seeds_data):
    run = manage("search", "mali", "--page", "0", data=seeds_data)
    assert run.returncode == 2 and "page" in run.stderr and "Traceback" not in run.stderr
    run = manage("search", "mali", "--from", "2024-13-01", data=seeds_data)
    assert run.returncode == 2 and "not a date" in run.stderr


def test_concurrent_reindex_is_refused_naming_the_holder(corpus, tmp_path):
    data = tmp_path / "data"
    with ReindexLock(data):
        run = manage("reindex", str(corpus), data=data)
    assert run.returncode == 2
    assert "another reindex is running" in run.stderr and "pid" in run.stderr


def test_search_json_is_the_api_answer_without_its_links(seeds_data, capsys):
    """One JSON conversion: the CLI prints what /api/search answers, less the URLs."""
    from indexer.cli import main
    from web import create_app

    assert main(["--data", str(seeds_data), "search", "bamako", "--size", "2", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    answer = create_app(seeds_data).test_client().get("/api/search?q=bamako&size=2").get_json()
    for body in (printed, answer):
        body.pop("took_ms")
        for hit in body["hits"]:
            hit.pop("links", None)
    answer.pop("links")
    assert printed == answer and printed["pages"] == -(-printed["total"] // 2) > 1


@pytest.mark.parametrize("value,says", [("12X", "is not a size"), ("100M", "too little"), ("", "is not a size")])
def test_a_bad_memory_budget_is_named_and_nothing_is_written(corpus, tmp_path, value, says):
    run = manage("reindex", "--memory", value, str(corpus), data=tmp_path / "data")
    assert run.returncode == 2 and "--memory" in run.stderr and says in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "data").exists()


def test_a_memory_budget_is_taken_in_any_unit(corpus, tmp_path):
    for value in ("1.5G", "800m", "2GB", str(600 << 20)):
        run = manage("reindex", "--quiet", "--full", "--memory", value, str(corpus), data=tmp_path / "data")
        assert run.returncode == 0, (value, run.stderr)
