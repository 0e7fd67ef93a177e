"""``manage.py serve``: N processes serve one port with ``--workers N``, each with the index open; a port taken is an error.

A real server over HTTP: every request answered while the workers share the port, a
worker killed is replaced, a new generation is followed by each, and Ctrl+C stops them all.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from livecheck import REPO, Server, free_port, serve

from indexer import reindex

pytestmark = [pytest.mark.web, pytest.mark.slow]


def _workers(pid: int) -> list[int]:
    """The live child processes of ``pid`` (Linux's /proc)."""
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in found if Path(f"/proc/{c}").exists()]


def _until(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


def test_workers_share_the_port_are_replaced_when_killed_and_stop_together(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Bamako airport reopens\n\nThe airport in Bamako reopened on Monday.\n", "utf-8")
    data = tmp_path / "data"
    reindex([corpus], data)
    with serve(data, workers=2, threads=2) as server:
        first = _until(lambda: len(w := _workers(server.proc.pid)) == 2 and w)
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: server.get("/api/search?q=bamako").status, range(64)))
        assert statuses == [200] * 64

        os.kill(first[0], signal.SIGKILL)  # a worker dies: another takes its place
        again = _until(lambda: len(w := _workers(server.proc.pid)) == 2 and first[0] not in w and w)
        assert first[1] in again
        assert all(server.get("/api/search?q=bamako").status == 200 for _ in range(16))

        (corpus / "b.txt").write_text("Niamey talks resume\n\nTalks in Niamey resumed on Tuesday.\n", "utf-8")
        reindex([corpus], data)  # every worker follows the new commit by itself
        _until(lambda: all(server.get("/api/search?q=niamey").json()["total"] == 1 for _ in range(16)))

        server.proc.send_signal(signal.SIGINT)
        assert server.proc.wait(timeout=20) == 0
        _until(lambda: not any(Path(f"/proc/{w}").exists() and _state(w) != "Z" for w in again))


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return "gone"


def test_workers_must_be_at_least_one(seeds_data: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "manage.py", "--data", str(seeds_data), "serve", "--workers", "0"],
        cwd=REPO, capture_output=True, text=True,
    )
    assert proc.returncode == 2 and "--workers: must be a whole number ≥ 1 (got 0)" in proc.stderr


def test_workers_without_an_index_say_so_once_and_answer_503_until_one_is_built(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "--data", str(data), "serve", "--port", str(port), "--workers", "2"],
        cwd=REPO, stderr=subprocess.PIPE, text=True,
    )
    try:
        server = Server(proc, port)
        status = _until(lambda: _status(server))
        assert status == 503
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "a.txt").write_text("Bamako airport reopens\n\nThe airport in Bamako reopened on Monday.\n", "utf-8")
        reindex([corpus], data)
        _until(lambda: all(_status(server) == 200 for _ in range(8)))
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert err.count("pages answer 503 until an index is built") == 1, err


def _status(server: Server) -> int | None:
    try:
        return server.get("/api/stats", timeout=2).status
    except OSError:
        return None


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_already_taken_is_an_error_that_names_it(seeds_data: Path, workers: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "manage.py", "--data", str(seeds_data), "serve", "--port", str(port), "--workers", workers],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )
    assert proc.returncode == 2
    assert f"error: cannot listen on http://127.0.0.1:{port}/: Address already in use" in proc.stderr
    assert "Traceback" not in proc.stderr
