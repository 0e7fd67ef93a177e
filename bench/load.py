"""Load test: concurrent clients against ``manage.py serve`` on loopback, for a bounded time.

    python bench/load.py                           # Reuters-21578, 8 clients, 60 s
    python bench/load.py --data DIR                # an index already built in DIR (built there if absent)
    python bench/load.py --clients 4 --duration 5  # a short run (CI runs this on a small corpus)
    python bench/load.py --json results.json       # also write the raw numbers

Each client is a thread with its own keep-alive HTTP connection that, without pause,
picks an action at random (seeded): a search (the HTML page or the JSON API, one or
two words from the titles), a facet click (an actor, source or date value that an
earlier search returned, added to that search), an article page (with more-like-this
and the other outlets), page 2 or another sort. Any status but 200, a broken
connection or invalid JSON is an error. The server's memory is sampled every half
second, both its resident memory (RSS) and the part of it that is its own (private:
``RssAnon``, without the pages of the index's memory maps, which are the page
cache's, shared, and grow as a run reads more of the index); it is "stable" when the
private memory grows by at most 10% + 20 MB from the first fifth of the run to its
end (judged for runs of 30 s or more).

Exit status: 0 with zero errors and stable memory, 1 otherwise, 2 if the corpus is absent.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import corpora

REPO = corpora.REPO
DEFAULT_CORPUS = "reuters21578.jsonl.gz"
WORD = re.compile(r"[A-Za-z]{4,}")
STOP = frozenset("that with from this have will said were been their which would about after into".split())
MIX = (("search", 45), ("facet", 25), ("article", 20), ("browse", 10))  # action, weight
WARMUP_REQUESTS = 20
JUDGE_MEMORY_FROM_S = 30.0


# --- the server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mb(pid: int) -> tuple[float, float] | None:
    """Resident memory of ``pid`` and its child processes (the workers of serve --workers):
    all of it (``VmRSS``) and their own part of it (``RssAnon``), from one read of each
    process's /proc/PID/status; None once ``pid`` is gone."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    sizes = [_status_mb(p) for p in [pid, *map(int, children)]]
    if sizes[0] is None:
        return None
    found = [s for s in sizes if s is not None]
    return sum(s[0] for s in found), sum(s[1] for s in found)


def _status_mb(pid: int) -> tuple[float, float] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    rss, own = (re.search(rf"{field}:\s+(\d+) kB", status) for field in ("VmRSS", "RssAnon"))
    return (int(rss.group(1)) / 1024, int(own.group(1)) / 1024) if rss and own else None


def has_index(data: Path) -> bool:
    return (data / "CURRENT").is_file()


def build_index(data: Path, corpus_name: str, corpora_opt: str | None, work: Path) -> float:
    """Index a corpus from the corpora folder into ``data``; seconds taken."""
    source = corpora.require(corpus_name, corpora_opt)
    jsonl = work / "corpus" / (Path(corpus_name).name.split(".")[0] + ".jsonl")
    corpora.write_jsonl((r for r in corpora.read_jsonl_gz(source) if (r.get("body") or "").strip()), jsonl)
    print(f"indexing {source.name} into {data} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "--data", str(data), "reindex", "--quiet", str(jsonl.parent)],
        cwd=REPO,
        check=True,
    )
    return time.monotonic() - started


class Server:
    def __init__(self, data: Path, threads: int, workers: int, log: Path) -> None:
        self.port = free_port()
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "--data", str(data), "serve", "--port", str(self.port),
             "--threads", str(threads), "--workers", str(workers)],
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"error: manage.py serve exited with {self.proc.returncode}; see {log}")
            try:
                status, _ = fetch(http.client.HTTPConnection("127.0.0.1", self.port, timeout=5), "/api/stats")
                if status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def fetch(conn: http.client.HTTPConnection, target: str) -> tuple[int, bytes]:
    conn.request("GET", target)
    response = conn.getresponse()
    return response.status, response.read()


# --- the clients -----------------------------------------------------------------


@dataclass
class Pool:
    """What searches returned so far: article ids and facet values to click, shared by the clients."""

    ids: list[str] = field(default_factory=list)
    facets: list[tuple[str, str, str]] = field(default_factory=list)  # (q, param, value)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def learn(self, q: str, body: dict, rng: random.Random) -> None:
        with self.lock:
            for hit in body.get("hits", [])[:5]:
                self.ids.append(hit["id"])
            for name, param in (("actor", "actor"), ("source", "source"), ("date", "date")):
                values = body.get("facets", {}).get(name, {}).get("values", [])
                if values:
                    self.facets.append((q, param, rng.choice(values)["value"]))
            del self.ids[:-500], self.facets[:-500]

    def pick_id(self, rng: random.Random) -> str | None:
        with self.lock:
            return rng.choice(self.ids) if self.ids else None

    def pick_facet(self, rng: random.Random) -> tuple[str, str, str] | None:
        with self.lock:
            return rng.choice(self.facets) if self.facets else None


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)


class Client(threading.Thread):
    def __init__(self, n: int, port: int, words: list[str], pool: Pool, until: float, seed: int) -> None:
        super().__init__(daemon=True, name=f"client-{n}")
        self.port, self.words, self.pool, self.until = port, words, pool, until
        self.rng = random.Random(seed * 1000 + n)
        self.stats = Stats()
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def _query(self) -> str:
        return " ".join(self.rng.sample(self.words, self.rng.choice((1, 1, 2))))

    def _request(self) -> tuple[str, str, str | None]:
        """(kind, target, q if the answer is a search to learn from)."""
        kind = self.rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
        if kind == "facet" and (picked := self.pool.pick_facet(self.rng)):
            q, param, value = picked
            path = self.rng.choice(("/", "/api/search"))
            return "facet", f"{path}?{urllib.parse.urlencode({'q': q, param: value})}", None
        if kind == "article" and (article_id := self.pool.pick_id(self.rng)):
            path = self.rng.choice(("/articles/", "/articles/", "/api/articles/"))
            return "article", path + urllib.parse.quote(article_id, safe=""), None
        if kind == "browse":
            q = self._query()
            params = self.rng.choice(({"page": 2}, {"sort": "newest"}, {"sort": "oldest"}, {"match": "any"}))
            return "browse", "/?" + urllib.parse.urlencode({"q": q, **params}), None
        q = self._query()
        if self.rng.random() < 0.5:
            return "search", "/?" + urllib.parse.urlencode({"q": q}), None
        return "search", "/api/search?" + urllib.parse.urlencode({"q": q}), q

    def run(self) -> None:
        while time.monotonic() < self.until:
            kind, target, learn_q = self._request()
            started = time.monotonic()
            try:
                status, body = fetch(self.conn, target)
            except (OSError, http.client.HTTPException) as err:
                self.stats.errors.append(f"{target}: {err!r}")
                self.conn.close()
                self.conn = self._connect()
                continue
            self.stats.latencies[kind].append(time.monotonic() - started)
            if status != 200:
                self.stats.errors.append(f"{target}: HTTP {status}")
                continue
            if target.startswith("/api/"):
                try:
                    data = json.loads(body)
                except ValueError:
                    self.stats.errors.append(f"{target}: invalid JSON")
                    continue
                if learn_q is not None:
                    self.pool.learn(learn_q, data, self.rng)
        self.conn.close()


def vocabulary(port: int, seed: int) -> tuple[list[str], Pool]:
    """Query words from the titles the index holds (newest and oldest pages), and a first pool."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    pool, rng = Pool(), random.Random(seed)
    titles: list[str] = []
    for sort in ("newest", "oldest", "relevance"):
        for page in (1, 2, 3):
            status, body = fetch(conn, f"/api/search?size=100&sort={sort}&page={page}")
            if status != 200:
                raise SystemExit(f"error: the server answered {status} to a search: is there an index?")
            data = json.loads(body)
            titles += [h["title"] for h in data["hits"]]
            pool.learn("", data, rng)
    conn.close()
    words = sorted({w.lower() for t in titles for w in WORD.findall(t)} - STOP)
    if len(words) < 2:
        raise SystemExit("error: the index holds too few titles to draw queries from")
    return words, pool


# --- the run ---------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> dict:
    work = Path(tempfile.mkdtemp(prefix="newsdex-load-"))
    try:
        data = Path(args.data) if args.data else work / "data"
        index_s = None
        if not has_index(data):
            index_s = build_index(data, args.corpus, args.corpora, work)
        server = Server(data, args.threads, args.workers, work / "server.log")
        try:
            return _measure(args, server, data, index_s)
        finally:
            server.stop()
            log = (work / "server.log").read_text("utf-8", "replace")
            if "Traceback" in log:
                print(f"server log shows errors:\n{log[-3000:]}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(args: argparse.Namespace, server: Server, data: Path, index_s: float | None) -> dict:
    words, pool = vocabulary(server.port, args.seed)
    warm = Client(0, server.port, words, pool, 0, args.seed)
    for _ in range(WARMUP_REQUESTS):  # the first searches load columns and caches
        fetch(warm.conn, warm._request()[1])
    warm.conn.close()
    stats_body = json.loads(fetch(http.client.HTTPConnection("127.0.0.1", server.port), "/api/stats")[1])

    memory: list[tuple[float, float]] = []  # (seconds into the run, RSS)
    private: list[tuple[float, float]] = []  # (seconds, RssAnon)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            sizes = memory_mb(server.proc.pid)
            if sizes is not None:
                at = time.monotonic() - started
                memory.append((at, sizes[0]))
                private.append((at, sizes[1]))
            stop.wait(0.5)

    started = time.monotonic()
    until = started + args.duration
    clients = [Client(n, server.port, words, pool, until, args.seed) for n in range(1, args.clients + 1)]
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    elapsed = time.monotonic() - started
    stop.set()
    sampler.join()

    by_kind: dict[str, list[float]] = defaultdict(list)
    for c in clients:
        for kind, values in c.stats.latencies.items():
            by_kind[kind] += values
    everything = [v for values in by_kind.values() for v in values]
    errors = [e for c in clients for e in c.stats.errors]
    return {
        "machine": corpora.machine_line(),
        "corpus": f"{stats_body['articles']:,} articles ({stats_body['generation']})",
        "index_s": index_s,
        "clients": args.clients,
        "server_threads": args.threads,
        "server_workers": args.workers,
        "duration_s": round(elapsed, 1),
        "requests": len(everything),
        "errors": len(errors),
        "error_examples": errors[:10],
        "throughput_rps": round(len(everything) / elapsed, 1),
        "latency_ms": {
            kind: {
                "n": len(values),
                "p50": round(percentile(values, 50) * 1000, 1),
                "p95": round(percentile(values, 95) * 1000, 1),
                "p99": round(percentile(values, 99) * 1000, 1),
                "max": round(max(values) * 1000, 1),
            }
            for kind, values in [*sorted(by_kind.items()), ("all", everything)]
            if values
        },
        "memory_mb": _memory(memory, elapsed),  # RSS
        "private_mb": _memory(private, elapsed),  # what "stable" is judged on
    }


def _memory(samples: list[tuple[float, float]], elapsed: float) -> dict:
    """Where memory started (the first fifth of the run), ended and peaked; whether it was stable."""
    early = [mb for t, mb in samples if t <= elapsed / 5] or [samples[0][1]]
    start_mb, end_mb, max_mb = statistics.median(early), samples[-1][1], max(mb for _, mb in samples)
    growth_mb = end_mb - start_mb
    judged = elapsed >= JUDGE_MEMORY_FROM_S
    return {
        "first_fifth": round(start_mb, 1),
        "end": round(end_mb, 1),
        "max": round(max_mb, 1),
        "growth": round(growth_mb, 1),
        "judged": judged,
        "stable": growth_mb <= 0.10 * start_mb + 20 if judged else None,
        "tenths": [round(_at(samples, elapsed * k / 10), 1) for k in range(11)],  # over the run
    }


def _at(samples: list[tuple[float, float]], t: float) -> float:
    """The sample nearest to ``t`` seconds into the run."""
    return min(samples, key=lambda sample: abs(sample[0] - t))[1]


def report(r: dict) -> str:
    lines = [
        f"{r['clients']} clients for {r['duration_s']} s against manage.py serve "
        f"({r['server_workers']} x {r['server_threads']} threads), {r['corpus']}; {r['machine']}",
        f"requests: {r['requests']:,}, errors: {r['errors']}, throughput: {r['throughput_rps']} requests/s",
        "",
        corpora.md_table(
            ["requests", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"],
            [[k, f"{v['n']:,}", v["p50"], v["p95"], v["p99"], v["max"]] for k, v in r["latency_ms"].items()],
        ),
        "",
    ]
    for key, name in (("private_mb", "server private memory"), ("memory_mb", "server RSS (index maps included)")):
        m = r[key]
        verdict = ("stable" if m["stable"] else "NOT stable") if m["judged"] else "not judged (run under 30 s)"
        lines.append(
            f"{name}: {m['first_fifth']} MB in the first fifth, {m['end']} MB at the end "
            f"(max {m['max']} MB, growth {m['growth']:+} MB)" + (f": {verdict}" if key == "private_mb" else "")
        )
        lines.append(f"{name} at each tenth of the run (MB): " + " ".join(f"{v:.0f}" for v in m["tenths"]))
    for e in r["error_examples"]:
        lines.append(f"error: {e}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    corpora.add_corpora_option(ap)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help="JSONL.gz in the corpora folder (default: %(default)s)")
    ap.add_argument("--data", metavar="DIR", help="data directory; its index is used, or built there (default: a temporary one)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients (default: %(default)s)")
    ap.add_argument("--duration", type=float, default=60, help="seconds of load (default: %(default)s)")
    ap.add_argument("--threads", type=int, default=8, help="server threads in each process (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=21578)
    ap.add_argument("--json", metavar="FILE", help="also write the numbers as JSON to FILE")
    args = ap.parse_args(argv)
    result = run(args)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    ok = result["errors"] == 0 and result["private_mb"]["stable"] is not False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
