"""A hostile corpus (see hostile_corpus.py): every bad file reported by path and reason,
every good article indexed and shown, memory bounded with a 50 MB single-line file."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_corpus import (
    VANISH_AFTER_WALK,
    VANISH_BEFORE_READ,
    VANISH_FOLDER,
    write_vanishing,
)

from indexer import Index, reindex
from indexer.build import changes

pytestmark = [pytest.mark.reliability, pytest.mark.index]

REPO = Path(__file__).resolve().parent.parent
MAX_RSS_MB = 400
reindex_module = importlib.import_module("indexer.build.reindex")  # `indexer.build.reindex` is also the function


def _problems(report) -> dict[tuple[str, int | None], list[str]]:  # type: ignore[no-untyped-def]
    out: dict[tuple[str, int | None], list[str]] = {}
    for p in report.problems:
        out.setdefault((p.path, p.line), []).append(p.reason)
    return out


def test_every_bad_file_is_reported_and_every_good_article_indexed(hostile, tmp_path, monkeypatch):
    vanishing = write_vanishing(tmp_path / "vanishing")
    walk, read = changes.iter_corpus, reindex_module.read_file

    def walk_and_delete(paths):  # type: ignore[no-untyped-def]
        for entry in walk(paths):
            yield entry
            if getattr(entry, "rel", None) == VANISH_AFTER_WALK:  # listed: now delete it and the folder
                entry.path.unlink()
                shutil.rmtree(vanishing.root / VANISH_FOLDER)

    def delete_then_read(path, root):  # type: ignore[no-untyped-def]
        if path == vanishing.root / VANISH_BEFORE_READ:  # hashed: now delete it
            path.unlink()
        return read(path, root)

    monkeypatch.setattr(changes, "iter_corpus", walk_and_delete)
    monkeypatch.setattr(reindex_module, "read_file", delete_then_read)
    data = tmp_path / "data"

    report = reindex([hostile.root, vanishing.root], data)

    problems = _problems(report)
    expected = hostile.expected + vanishing.expected
    for path, line, reason in expected:
        reasons = problems.get((path, line), [])
        assert any(reason in r for r in reasons), f"{path}:{line}: expected '{reason}', got {reasons}"
    assert set(problems) == {(path, line) for path, line, _ in expected}, "unexpected problems"
    assert report.articles == len(hostile.good)
    with Index.open(data) as index:
        for article_id, word in hostile.good.items():
            assert [h.id for h in index.search(word, collapse=False).hits] == [article_id], word
        for article_id in hostile.undated:
            assert index.article(article_id).published is None
        assert len(index.article("good/huge").body) <= 500_000  # cut, not refused
        assert index.search("word").total == 0  # the 50 MB line was not read
        assert index.article("surrogate").title == "Lone \ufffd surrogate"

    # a second run finds nothing changed; files with no article in them are reported again
    # (a bad line in a file that also held good ones is not: that file is unchanged)
    monkeypatch.undo()
    again = reindex([hostile.root], data)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(hostile.good))
    unreadable = {(path, line) for path, line, _ in hostile.expected if path.startswith(("bad/", "links/"))}
    assert unreadable <= set(_problems(again)) <= {(path, line) for path, line, _ in hostile.expected}


def test_hostile_articles_are_served_on_every_route(hostile, tmp_path):
    """NUL, lone surrogates, a name that is not UTF-8, a cut 18 MB text: pages and JSON render."""
    from web import create_app

    data = tmp_path / "data"
    reindex([hostile.root], data)
    client = create_app(data).test_client()
    for article_id, word in hostile.good.items():
        for url in (f"/articles/{article_id}?q={word}", f"/api/articles/{article_id}"):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        for url in (f"/?q={word}", f"/api/search?q={word}", f"/feed.atom?q={word}", f"/export.csv?q={word}"):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    assert client.get("/about").status_code == 200


@pytest.mark.slow
def test_reindex_of_the_hostile_corpus_keeps_memory_bounded(hostile, tmp_path):
    """``manage.py reindex`` in a process of its own: peak RSS under the bound, a clear report."""
    assert hostile.big_bytes >= 50 * 1024 * 1024
    data = tmp_path / "data"
    script = (
        "import re, sys\n"
        "from indexer.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "peak = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
        "print(f'peak-rss-kb {peak}')\n"
        "sys.exit(status)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "--data", str(data), "reindex", "--quiet", str(hostile.root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    peak_mb = int(re.search(r"peak-rss-kb (\d+)", proc.stdout).group(1)) / 1024
    assert peak_mb < MAX_RSS_MB, f"reindex peaked at {peak_mb:.0f} MB"
    for path, line, _reason in hostile.expected:
        where = f"{path}:{line}" if line else path
        assert f"skipped: {where}: " in proc.stderr, where
    assert f"{len(hostile.good)} articles" in proc.stdout

    strict = subprocess.run(
        [sys.executable, "manage.py", "--data", str(data), "reindex", "--quiet", "--strict", str(hostile.root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
