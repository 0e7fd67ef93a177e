"""The load script, at a short bound: 4 clients for 5 s against ``manage.py serve``, zero errors.

The long run (8 clients, 60 s, Reuters-21578) is in bench/README.md; this one needs
no corpus: the seeds and a few hundred generated articles.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.web, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent


def test_a_short_load_run_has_no_errors(tmp_path, build_data):
    articles = [
        {
            "id": f"n{i}",
            "title": f"Cocoa prices in Ghana, week {i}",
            "body": f"Cocoa traders in Accra said prices rose {i} percent after the Bank of Ghana raised rates. "
            "The United Nations and ECOWAS watched the market.",
            "source": ("ghanaweb.com", "reuters.com", "bbc.co.uk")[i % 3],
            "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        }
        for i in range(300)
    ]
    data = build_data("load", articles)
    out = tmp_path / "load.json"

    proc = subprocess.run(
        [sys.executable, "bench/load.py", "--data", str(data), "--clients", "4", "--duration", "5",
         "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    assert result["errors"] == 0, result["error_examples"]
    assert result["requests"] >= 50
    assert set(result["latency_ms"]) == {"search", "facet", "article", "browse", "all"}
    assert "p95" in result["latency_ms"]["all"] and result["throughput_rps"] > 0
    assert "errors: 0" in proc.stdout
