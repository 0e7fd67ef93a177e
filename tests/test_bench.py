"""The benchmark scripts say clearly which corpus file is missing, and where they looked
(a fresh clone has no corpora; the benchmarks need them, the tests do not)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


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
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), "--corpora", str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert f"corpus file '{corpus}' is absent: looked for {tmp_path / corpus}" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_actors_benchmark_scores_the_seeds_without_reuters_and_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "actors_eval.py"),
            "--corpora",
            str(tmp_path),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "reuters21578.jsonl.gz" in done.stderr and "absent" in done.stderr
    assert "| **all (micro)** |" in done.stdout
