"""A live ``manage.py serve`` for tests: start it on a free loopback port, fetch from it, stop it.

Shared by the tests that talk to a real server over HTTP (standard library only).
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Server:
    def __init__(self, proc: subprocess.Popen, port: int) -> None:
        self.proc = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def get(self, target: str, timeout: float = 30.0) -> Response:
        """GET ``target`` (a path and query, sent exactly as given: no normalising)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.monotonic()
        try:
            conn.putrequest("GET", target, skip_accept_encoding=True)
            conn.endheaders()
            response = conn.getresponse()
            body = response.read()
            return Response(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                body,
                time.monotonic() - started,
            )
        finally:
            conn.close()


def query(path: str, **params: Any) -> str:
    """``path?params`` with values percent-encoded (lists give repeated parameters)."""
    pairs = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, (list, tuple)) else [vs])]
    return f"{path}?{urllib.parse.urlencode(pairs)}" if pairs else path


@contextmanager
def serve(data: Path, log: IO[bytes] | int = subprocess.DEVNULL, threads: int = 8, workers: int = 1) -> Iterator[Server]:
    """``manage.py --data DATA serve`` on a free port, until the block ends."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "--data", str(data), "serve", "--port", str(port), "--threads", str(threads),
         "--workers", str(workers)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(proc, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "manage.py serve exited"
            try:
                if server.get("/api/stats", timeout=2).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
