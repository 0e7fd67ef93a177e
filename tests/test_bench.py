"""The benchmark scripts say clearly which corpus file is missing, and where they looked
(a fresh clone has no corpora; the benchmarks need them, the tests do not)."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.index, pytest.mark.slow]  # each runs a benchmark script in a process of its own

REPO = Path(__file__).resolve().parent.parent


def run_bench(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``bench/<script>`` as a user would, its output captured."""
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args], check=False, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize(
    ("script", "corpus"),
    [
        ("perf.py", "reuters21578.jsonl.gz"),
        ("profile_newsdex.py", "reuters21578.jsonl.gz"),
        ("stories_eval.py", "reuters21578.jsonl.gz"),
        ("time_eval.py", "time/docs.jsonl.gz"),
    ],
)
def test_a_benchmark_without_its_corpus_names_the_file_and_exits_2(tmp_path: Path, script: str, corpus: str) -> None:
    done = run_bench(script, "--corpora", str(tmp_path))
    assert done.returncode == 2
    assert f"corpus file '{corpus}' is absent: looked for {tmp_path / corpus}" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_actors_benchmark_scores_the_seeds_without_reuters_and_exits_2(tmp_path: Path) -> None:
    done = run_bench("actors_eval.py", "--corpora", str(tmp_path))
    assert done.returncode == 2
    assert "reuters21578.jsonl.gz" in done.stderr and "absent" in done.stderr
    assert "| **all (micro)** |" in done.stdout


def _tiny_reuters(folder: Path) -> None:
    """A corpus file shaped like Reuters' (title, body, date, places, topics), 40 articles."""
    words = "cocoa coffee sugar grain wheat copper shipping tanker harbour strike".split()
    with gzip.open(folder / "reuters21578.jsonl.gz", "wt", encoding="utf-8") as out:
        for i in range(40):
            a, b = words[i % 10], words[(i * 3 + 1) % 10]
            record = {
                "id": str(i + 1),
                "title": f"{a.upper()} {b.upper()} REVIEW {i}",
                "body": f"Traders said {a} and {b} prices moved on Monday, Reuters reported from Bahia.",
                "date": f"1987-03-{i % 28 + 1:02d}",
                "places": ["brazil"],
                "topics": [a],
            }
            out.write(json.dumps(record) + "\n")


def test_the_benchmark_runs_each_system_in_interleaved_rounds_and_reports_medians(tmp_path: Path) -> None:
    _tiny_reuters(tmp_path)
    results = tmp_path / "results.json"
    args = ["--corpora", str(tmp_path), "--systems", "newsdex,fts5", "--rounds", "3"]
    args += ["--queries", "5", "--warmup", "1", "--json", str(results)]
    done = run_bench("perf.py", *args, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    order = re.findall(r"\[perf\] (newsdex|SQLite FTS5): indexing", done.stderr)
    assert order == ["newsdex", "SQLite FTS5", "SQLite FTS5", "newsdex", "newsdex", "SQLite FTS5"]
    report = json.loads(results.read_text())
    assert report["rounds"] == 3
    for system in ("newsdex", "fts5"):
        result = report["systems"][system]
        times = sorted(r["index_s"] for r in result["rounds"])
        assert len(times) == 3 and result["index_s"] == times[1]
        assert all(r["indexed"] == 40 for r in result["rounds"])
        assert len(result["latencies_ms"]) == 5
    assert "newsdex, 3 rounds (medians above): index time" in done.stdout
    assert "| index throughput (docs/s) |" in done.stdout


def test_rounds_must_be_at_least_one(tmp_path: Path) -> None:
    _tiny_reuters(tmp_path)
    done = run_bench("perf.py", "--corpora", str(tmp_path), "--rounds", "0")
    assert done.returncode == 2
    assert "--rounds must be 1 or more, not 0" in done.stderr
