"""Reindexing while ``manage.py serve`` answers a client that never stops asking.

Full rebuilds (a new generation, then the switch and the removal of an old one) and an
incremental update run while client threads query the live server: not one request
may fail, every result set must be whole (one corpus state, never a mix or a short
page), and the server must move to the new index by itself, without a restart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from livecheck import REPO, query

pytestmark = [pytest.mark.reliability, pytest.mark.web]

BIRDS = 150  # articles in the first corpus, each with "heron"
CLIENTS = 3


def _write(corpus: Path, first: int, last: int) -> None:
    for i in range(first, last):
        article = {
            "id": f"h{i:04d}",
            "title": f"Heron sighting {i}",
            "body": f"A grey heron was seen at pond {i}. Volunteers from the bird club counted it twice.",
            "source": ("birdnews.org", "pondwatch.net")[i % 2],
            "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        }
        (corpus / f"h{i:04d}.json").write_text(json.dumps(article), "utf-8")


class Client(threading.Thread):
    """Asks for searches, the home page and an article in a loop; checks every answer."""

    def __init__(self, server, states: dict[int, set[str]]) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.server, self.states = server, states
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.seen: Counter[int] = Counter()  # heron totals seen
        self.requests = 0

    def run(self) -> None:
        while not self.stop.is_set():
            for target in (
                query("/api/search", q="heron", size=100, all=1),
                query("/api/search", q="heron club", sort="newest"),
                "/api/articles/h0100",
                query("/articles/h0101", q="heron"),
                query("/", q="heron", source="birdnews.org"),
                "/api/stats",
            ):
                self.requests += 1
                try:
                    response = self.server.get(target)
                except OSError as err:
                    self.failures.append(f"{target}: {err!r}")
                    continue
                if response.status != 200:
                    self.failures.append(f"{target}: HTTP {response.status}: {response.text[:200]}")
                elif target.startswith("/api/search?q=heron&size=100"):
                    self._check_whole(response.json())

    def _check_whole(self, body: dict) -> None:
        total, ids = body["total"], {h["id"] for h in body["hits"]}
        self.seen[total] += 1
        if total not in self.states:
            self.failures.append(f"a partial result set: {total} hits (states: {sorted(self.states)})")
        elif len(ids) != min(100, total) or not ids <= self.states[total]:
            self.failures.append(f"hits do not belong to the state of {total} articles")


def _reindex(data: Path, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "manage.py", "--data", str(data), "reindex", "--quiet", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr


def _wait_for_total(server, total: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds until the server answers with ``total`` herons (it must follow by itself)."""
    started = time.monotonic()
    while time.monotonic() - started < 10:
        if server.get(query("/api/search", q="heron", all=1)).json()["total"] == total:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"the server did not move to the new index ({total} herons) within 10 s")


@pytest.mark.slow
def test_reindexing_while_serving_fails_no_request(corpus, tmp_path, live_server):
    data = tmp_path / "data"  # the corpus: a copy of the seeds, and herons
    _write(corpus, 0, BIRDS)
    _reindex(data, str(corpus))
    ids = lambda first, last: {f"h{i:04d}" for i in range(first, last)}  # noqa: E731
    states = {BIRDS: ids(0, BIRDS), BIRDS + 100: ids(0, BIRDS + 100), BIRDS + 40: ids(60, BIRDS + 100)}

    with live_server(data, tmp_path / "server.log") as server:
        clients = [Client(server, states) for _ in range(CLIENTS)]
        for client in clients:
            client.start()
        time.sleep(1)
        generation = server.get("/api/stats").json()["generation"]

        _write(corpus, BIRDS, BIRDS + 100)  # 100 more: a full rebuild in a new generation
        _reindex(data, "--full")
        switches = [_wait_for_total(server, BIRDS + 100)]
        assert server.get("/api/stats").json()["generation"] != generation

        for i in range(0, 60):  # 60 fewer: an incremental update in the live generation
            (corpus / f"h{i:04d}.json").unlink()
        _reindex(data)
        switches.append(_wait_for_total(server, BIRDS + 40))

        _reindex(data, "--full")  # one more rebuild: the generation served first is removed
        assert not (data / generation.split(".")[0]).exists()
        time.sleep(0.5)

        for client in clients:
            client.stop.set()
        for client in clients:
            client.join(timeout=60)

    failures = [f for c in clients for f in c.failures]
    requests = sum(c.requests for c in clients)
    seen = sum((c.seen for c in clients), Counter())
    assert not failures, f"{len(failures)} of {requests} requests failed: {failures[:5]}"
    assert requests > 100 and all(seen[t] for t in states), (requests, seen)
    assert b"Traceback" not in (tmp_path / "server.log").read_bytes()
    print(f"{requests} requests, none failed; the server followed in {', '.join(f'{t:.2f}' for t in switches)} s")


def test_the_server_opens_a_new_generation_before_any_request_asks(tmp_path):
    """``serve`` follows the data directory: a new generation is opened (and warmed) by
    the server itself, so that the first request after a reindex does not wait for it."""
    from indexer import reindex
    from indexer.store import current_generation
    from web import IndexHolder
    from web.serve import follow_generations

    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    _write(corpus, 0, 5)
    reindex([corpus], data)
    holder = IndexHolder(data)
    opened = holder.get().snapshot
    stop = threading.Event()
    follower = threading.Thread(target=follow_generations, args=(holder, stop, 0.05), daemon=True)
    follower.start()
    try:
        _write(corpus, 5, 8)
        reindex([corpus], data, full=True)
        newest = current_generation(data)
        deadline = time.monotonic() + 30
        while holder.get().snapshot.generation != newest and time.monotonic() < deadline:
            time.sleep(0.05)  # no search is made: only the follower can switch
        snap = holder.get().snapshot
        assert snap is not opened and snap.generation == newest
        assert "columns" in vars(snap) and snap.columns.live.sum() == 8
    finally:
        stop.set()
        follower.join(10)
        holder.close()
