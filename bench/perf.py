"""Indexing and query performance: newsdex beside SQLite FTS5 and plain Whoosh, in one run.

    python bench/perf.py                      # Reuters-21578, the 19,779 articles with a body
    python bench/perf.py --limit 2000         # a quick run
    python bench/perf.py --repeat-to 200000   # scale: Reuters + BBC + TIME repeated, distinct ids
    python bench/perf.py --json results.json  # also dump the raw numbers (--json alone: JSON only)

Each system indexes the same decompressed JSONL files and answers the same
queries in a subprocess of its own, so its peak RSS (the child's
``ru_maxrss``) is its own. Queries: two non-stop words of four letters or
more drawn from one title (seeded), ANDed; 20 warm-up queries, then 200 timed
ones, each returning 10 hits with highlighted snippets and facet counts over
all hits. newsdex counts its own facets (source, actor, date); FTS5 and
Whoosh count the corpus's tags (Reuters places, topics, month).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import corpora

SYSTEMS = ("newsdex", "fts5", "whoosh")
LABEL = {"newsdex": "newsdex", "fts5": "SQLite FTS5", "whoosh": "plain Whoosh"}
DEFAULT_CORPUS = "reuters21578.jsonl.gz"
SCALE_SOURCES = ("reuters21578.jsonl.gz", "bbc_news.jsonl.gz", "time/docs.jsonl.gz")
SHARD_SIZE = 25_000  # articles per JSONL file handed to the systems
PAGE_SIZE = 10
FACET_SIZE = 10
TITLE_WEIGHT = 2.0  # newsdex weights title 2x body; the peers are given the same

# Words never drawn for queries (plus anything shorter than 4 letters).
STOP = frozenset(
    """about above after again against also among because been before being below between
    both could does doing down during each from further have having here into itself just
    more most much must only other over same should some such than that their theirs them
    then there these they this those through under until very were what when where which
    while whom with within without would your yours will shall says said year years""".split()
)
WORD = re.compile(r"[A-Za-z]+")


# --- the corpus ---------------------------------------------------------------


def _has_body(rec: dict) -> bool:
    return bool((rec.get("body") or "").strip())


def load_base(name: str, corpora_opt: str | None) -> list[dict]:
    path = corpora.require(name, corpora_opt)
    return [r for r in corpora.read_jsonl_gz(path) if _has_body(r)]


def build_corpus(args: argparse.Namespace, out: Path) -> dict:
    """Write the benchmark corpus as JSONL shards under ``out``; describe it."""
    if args.repeat_to:
        bases = [(name, load_base(name, args.corpora)) for name in SCALE_SOURCES]
        per_round = sum(len(b) for _, b in bases)

        def records() -> Iterator[dict]:
            n, copy = 0, 0
            while True:
                for name, base in bases:
                    tag = name.split(".")[0].replace("/docs", "").replace("21578", "")
                    for rec in base:
                        if n >= args.repeat_to:
                            return
                        yield dict(rec, id=f"{tag}-{rec['id']}-c{copy}")
                        n += 1
                copy += 1

        n = _write_shards(records(), out, "scale")
        copies = n / per_round
        label = (
            f"Reuters-21578 + BBC News + TIME (articles with a body, {per_round:,} per copy) "
            f"repeated to {n:,} articles ({copies:.1f} copies, ids made distinct)"
        )
        titles = [r.get("title") or "" for _, b in bases for r in b]
    else:
        base = load_base(args.corpus, args.corpora)
        if args.limit:
            base = base[: args.limit]
        n = _write_shards(iter(base), out, Path(args.corpus).name.split(".")[0])
        label = f"{args.corpus}: {n:,} articles with a non-empty body"
        titles = [r.get("title") or "" for r in base]
    return {"label": label, "articles": n, "jsonl_bytes": corpora.dir_size(out), "titles": titles}


def _write_shards(records: Iterator[dict], out: Path, prefix: str) -> int:
    out.mkdir(parents=True, exist_ok=True)
    total, part = 0, 0
    while chunk := [r for _, r in zip(range(SHARD_SIZE), records)]:
        total += corpora.write_jsonl(chunk, out / f"{prefix}-{part:03d}.jsonl")
        part += 1
    return total


def make_queries(titles: list[str], count: int, seed: int) -> list[str]:
    """``count`` distinct two-word queries, both words from the same title, in title order."""
    rng = random.Random(seed)
    candidates = []
    for title in titles:
        words = list(dict.fromkeys(w.lower() for w in WORD.findall(title)))
        words = [w for w in words if len(w) >= 4 and w not in STOP]
        if len(words) >= 2:
            candidates.append(words)
    if not candidates:
        raise SystemExit("error: no title has two usable words: cannot draw queries")
    queries: list[str] = []
    seen: set[str] = set()
    for _ in range(count * 100):
        if len(queries) == count:
            break
        words = rng.choice(candidates)
        i, j = sorted(rng.sample(range(len(words)), 2))
        q = f"{words[i]} {words[j]}"
        if q not in seen:
            seen.add(q)
            queries.append(q)
    return queries


def peer_facets(rec: dict) -> dict[str, list[str]]:
    """The tags FTS5 and Whoosh count: Reuters places and topics (BBC: its category), month."""
    topics = rec.get("topics") or ([rec["category"]] if rec.get("category") else [])
    month = (rec.get("date") or "")[:7]
    return {"place": list(rec.get("places") or []), "topic": list(topics), "month": [month] if month else []}


# --- the systems (each runs in a child process) -------------------------------


def _cpu_s() -> float:
    """CPU seconds of this process and of the children it has waited for (worker pools)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


_CPU_START = 0.0
INDEXED_MARK = "INDEXED"  # written when indexing is over, so the parent can split its memory samples


def _index_done(box: Path) -> dict:
    (box / INDEXED_MARK).touch()
    return {"rss_after_index_mb": corpora.peak_rss_mb(), "index_cpu_s": _cpu_s() - _CPU_START}


def _iter_corpus(job: dict) -> Iterator[dict]:
    for shard in job["shards"]:
        yield from corpora.read_jsonl(Path(shard))


def _timed_queries(job: dict, run_one) -> dict:
    """Warm up, then time each query; ``run_one(q)`` returns the number of matches."""
    first = time.perf_counter()
    cold_matches = run_one(job["warmup"][0]) if job["warmup"] else None
    cold_ms = (time.perf_counter() - first) * 1000
    for q in job["warmup"][1:]:
        run_one(q)
    latencies, matches = [], []
    for q in job["queries"]:
        t = time.perf_counter()
        matches.append(run_one(q))
        latencies.append((time.perf_counter() - t) * 1000)
    return {"first_query_ms": cold_ms, "cold_matches": cold_matches, "latencies_ms": latencies, "matches": matches}


def run_newsdex(job: dict, work: Path) -> dict:
    from indexer import Index, reindex

    data_dir = work / "newsdex-data"
    t = time.perf_counter()
    report = reindex([job["corpus_dir"]], data_dir, full=True)
    index_s = time.perf_counter() - t
    done = _index_done(work)
    t = time.perf_counter()
    index = Index.open(data_dir)
    open_s = time.perf_counter() - t

    def one(q: str) -> int:
        result = index.search(q, page_size=PAGE_SIZE)  # the defaults: snippets, collapse, facets
        for hit in result.hits:
            assert isinstance(hit.snippet, str)
        return result.total_articles

    out = _timed_queries(job, one)
    index.close()
    return dict(
        out,
        index_s=index_s,
        open_s=open_s,
        indexed=report.articles,
        problems=len(report.problems),
        problem_examples=[str(p) for p in report.problems[:5]],
        size_bytes=corpora.dir_size(data_dir),
        **done,
    )


def run_fts5(job: dict, work: Path) -> dict:
    import sqlite3

    path = work / "fts5.sqlite"
    t = time.perf_counter()
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61');
        CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT);
        CREATE TABLE facet(docid INTEGER, field TEXT, value TEXT);
        """
    )
    n = 0
    with con:
        for n, rec in enumerate(_iter_corpus(job), 1):
            con.execute("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", (n, rec.get("title") or "", rec["body"]))
            con.execute("INSERT INTO meta(rowid, id) VALUES (?, ?)", (n, rec["id"]))
            con.executemany(
                "INSERT INTO facet VALUES (?, ?, ?)",
                [(n, f, v) for f, values in peer_facets(rec).items() for v in values],
            )
        con.execute("CREATE INDEX facet_doc ON facet(docid, field, value)")
    con.close()
    index_s = time.perf_counter() - t
    done = _index_done(work)
    t = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("CREATE TEMP TABLE hits(rowid INTEGER PRIMARY KEY)")
    open_s = time.perf_counter() - t
    top_sql = (
        f"SELECT m.id, d.title, snippet(docs, 1, '<mark>', '</mark>', '…', 24), bm25(docs, {TITLE_WEIGHT}, 1.0) AS s "
        "FROM docs d JOIN meta m ON m.rowid = d.rowid WHERE docs MATCH ? ORDER BY s LIMIT ?"
    )
    facet_sql = (
        "SELECT f.value, count(*) AS c FROM temp.hits h JOIN facet f ON f.docid = h.rowid AND f.field = ? "
        "GROUP BY f.value ORDER BY c DESC, f.value LIMIT ?"
    )

    def one(q: str) -> int:
        match = " AND ".join(f'"{w}"' for w in q.split())
        hits = con.execute(top_sql, (match, PAGE_SIZE)).fetchall()
        con.execute("DELETE FROM temp.hits")
        con.execute("INSERT INTO temp.hits SELECT rowid FROM docs WHERE docs MATCH ?", (match,))
        total = con.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
        facets = {f: con.execute(facet_sql, (f, FACET_SIZE)).fetchall() for f in ("place", "topic", "month")}
        assert len(hits) <= PAGE_SIZE and facets is not None
        return total

    out = _timed_queries(job, one)
    con.close()
    return dict(out, index_s=index_s, open_s=open_s, indexed=n, size_bytes=corpora.dir_size(path), **done)


def run_whoosh(job: dict, work: Path) -> dict:
    from whoosh import index as whoosh_index
    from whoosh import sorting
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, KEYWORD, TEXT, Schema
    from whoosh.qparser import MultifieldParser

    folder = work / "whoosh"
    folder.mkdir()
    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        place=KEYWORD(stored=True, commas=True),
        topic=KEYWORD(stored=True, commas=True),
        month=ID(stored=True, sortable=True),
    )
    t = time.perf_counter()
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer()
    n = 0
    for n, rec in enumerate(_iter_corpus(job), 1):
        tags = peer_facets(rec)
        writer.add_document(
            id=rec["id"],
            title=rec.get("title") or "",
            body=rec["body"],
            place=",".join(tags["place"]),
            topic=",".join(tags["topic"]),
            month=tags["month"][0] if tags["month"] else "",
        )
    writer.commit()
    index_s = time.perf_counter() - t
    done = _index_done(work)
    t = time.perf_counter()
    ix = whoosh_index.open_dir(str(folder))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "body"], ix.schema, fieldboosts={"title": TITLE_WEIGHT})
    open_s = time.perf_counter() - t
    facets = {
        "place": sorting.FieldFacet("place", allow_overlap=True),
        "topic": sorting.FieldFacet("topic", allow_overlap=True),
        "month": sorting.FieldFacet("month"),
    }

    def one(q: str) -> int:
        results = searcher.search(parser.parse(q), limit=PAGE_SIZE, groupedby=facets)
        for hit in results:
            assert isinstance(hit["id"], str) and isinstance(hit.highlights("body"), str)
        for name in facets:
            groups = results.groups(name)
            sorted(groups.items(), key=lambda kv: -len(kv[1]))[:FACET_SIZE]
        return len(results)

    out = _timed_queries(job, one)
    searcher.close()
    return dict(out, index_s=index_s, open_s=open_s, indexed=n, size_bytes=corpora.dir_size(folder), **done)


RUNNERS = {"newsdex": run_newsdex, "fts5": run_fts5, "whoosh": run_whoosh}


def child(system: str, work: Path) -> int:
    global _CPU_START
    _CPU_START = _cpu_s()
    job = json.loads((work / "job.json").read_text())
    box = work / system
    box.mkdir()
    started = time.perf_counter()
    result = RUNNERS[system](job, box)
    result["wall_s"] = time.perf_counter() - started
    result["peak_rss_mb"] = corpora.peak_rss_mb()
    result["cpu_s"] = _cpu_s() - _CPU_START
    (work / f"result-{system}.json").write_text(json.dumps(result))
    if not job.get("keep_index"):
        shutil.rmtree(box, ignore_errors=True)
    return 0


class TreeMemory:
    """Samples the summed RSS of a process and all its descendants (newsdex indexes with
    worker processes, whose memory a process's own high-water mark leaves out).

    Needs psutil; without it only each child's own high-water mark is reported.
    """

    INTERVAL = 0.2  # seconds; the sampling costs the parent ~1-2% of a core

    def __init__(self, pid: int, mark: Path) -> None:
        import psutil

        self._psutil = psutil
        self._root = psutil.Process(pid)
        self._mark = mark
        self.peak_index = self.peak_all = self.peak_pss_index = 0
        self.max_procs_index = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> tuple[int, int, int]:
        """Summed RSS, summed PSS (shared pages split between the processes sharing them:
        forked workers share the parent's), and the number of processes."""
        total, proportional, procs = 0, 0, 0
        try:
            for p in [self._root, *self._root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                    proportional += getattr(p.memory_full_info(), "pss", 0)
                    procs += 1
                except self._psutil.Error:
                    pass
        except self._psutil.Error:
            pass
        return total, proportional, procs

    def _run(self) -> None:
        while not self._stop.is_set():
            indexing = not self._mark.exists()
            total, proportional, procs = self._sample()
            self.peak_all = max(self.peak_all, total)
            if indexing:
                self.peak_index = max(self.peak_index, total)
                self.peak_pss_index = max(self.peak_pss_index, proportional)
                self.max_procs_index = max(self.max_procs_index, procs)
            self._stop.wait(self.INTERVAL)

    def descendants(self) -> list:
        try:
            return self._root.children(recursive=True)
        except self._psutil.Error:
            return []

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {
            "tree_rss_index_mb": self.peak_index / 2**20,
            "tree_pss_index_mb": self.peak_pss_index / 2**20,
            "tree_rss_mb": self.peak_all / 2**20,
            "processes_indexing": self.max_procs_index,
        }


def run_child(system: str, work: Path, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", system, "--workdir", str(work)]
    print(f"[perf] {LABEL[system]}: indexing and querying ...", file=sys.stderr, flush=True)
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    err = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(cmd, cwd=corpora.REPO, stdout=err, stderr=err, text=True)
    try:
        monitor = TreeMemory(proc.pid, work / system / INDEXED_MARK)
    except ImportError:
        monitor = None
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for p in monitor.descendants() if monitor else []:
            p.kill()  # the child's own worker processes
        proc.kill()
        proc.wait()
        if monitor:
            monitor.stop()
        shutil.rmtree(work / system, ignore_errors=True)
        return {"error": f"did not finish within {timeout:.0f} s"}
    memory = monitor.stop() if monitor else {}
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    err.seek(0)
    output = err.read()
    result_file = work / f"result-{system}.json"
    if proc.returncode != 0 or not result_file.exists():
        tail = output.strip().splitlines()[-1:] or ["no output"]
        shutil.rmtree(work / system, ignore_errors=True)
        return {"error": f"exit {proc.returncode}: {tail[0][:300]}", "stderr": output[-4000:]}
    result = json.loads(result_file.read_text())
    result.update(memory)
    result["cpu_s_by_parent"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(f"[perf] {LABEL[system]}: done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    return result


# --- numbers and the table ----------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summarise(r: dict) -> dict:
    if "error" in r:
        return r
    lat = r["latencies_ms"]
    matches = sorted(r["matches"])
    return dict(
        r,
        docs_per_s=r["indexed"] / r["index_s"] if r["index_s"] else 0.0,
        p50_ms=percentile(lat, 50),
        p95_ms=percentile(lat, 95),
        p99_ms=percentile(lat, 99),
        mean_ms=sum(lat) / len(lat) if lat else float("nan"),
        median_matches=matches[len(matches) // 2] if matches else 0,
        zero_match_queries=sum(1 for m in matches if m == 0),
    )


ROWS = [  # (label, key, format, higher is better)
    ("articles indexed", "indexed", "{:,.0f}", None),
    ("index time (s)", "index_s", "{:,.1f}", False),
    ("index throughput (docs/s)", "docs_per_s", "{:,.0f}", True),
    ("index size on disk (MB)", "size_mb", "{:,.1f}", False),
    ("index CPU time, all processes (s)", "index_cpu_s", "{:,.1f}", False),
    ("processes while indexing", "processes_indexing", "{:,.0f}", None),
    ("peak RSS, indexing (MiB)", "rss_index", "{:,.0f}", False),
    ("peak PSS, indexing (MiB)", "pss_index", "{:,.0f}", False),
    ("peak RSS, indexing + queries (MiB)", "rss_all", "{:,.0f}", False),
    ("open index (ms)", "open_ms", "{:,.1f}", False),
    ("first query, cold (ms)", "first_query_ms", "{:,.1f}", False),
    ("query p50 (ms)", "p50_ms", "{:,.2f}", False),
    ("query p95 (ms)", "p95_ms", "{:,.2f}", False),
    ("query p99 (ms)", "p99_ms", "{:,.2f}", False),
    ("median matches per query", "median_matches", "{:,.0f}", None),
    ("queries with no match", "zero_match_queries", "{:,.0f}", None),
]


def table(results: dict[str, dict]) -> str:
    systems = list(results)
    peers = [s for s in systems if s != "newsdex"] if "newsdex" in systems else []
    header = ["metric"] + [LABEL[s] for s in systems] + [f"newsdex ÷ {LABEL[p]}" for p in peers]
    rows = []
    for label, key, fmt, _better in ROWS:
        row = [label]
        for s in systems:
            r = results[s]
            row.append("failed" if "error" in r else fmt.format(_value(r, key)))
        for p in peers:
            a, b = results["newsdex"], results[p]
            if "error" in a or "error" in b or _better is None or not _value(b, key):
                row.append("")
            else:
                row.append(f"{_value(a, key) / _value(b, key):.2f}×")
        rows.append(row)
    return corpora.md_table(header, rows)


def _value(r: dict, key: str) -> float:
    if key == "size_mb":
        return r["size_bytes"] / 1e6
    if key == "open_ms":
        return r["open_s"] * 1000
    # all processes when sampled (psutil); the main process's own peak if that is higher
    # (a short run can end between two samples)
    if key == "rss_index":
        return max(r.get("tree_rss_index_mb", 0.0), r["rss_after_index_mb"])
    if key == "pss_index":
        return r.get("tree_pss_index_mb") or _value(r, "rss_index")
    if key == "rss_all":
        return max(r.get("tree_rss_mb", 0.0), r["peak_rss_mb"])
    if key == "processes_indexing":
        return r.get(key, 1)
    return r[key]


def agreement(results: dict[str, dict]) -> list[str]:
    """How often newsdex matched as many articles as each peer (same AND query)."""
    lines = []
    a = results.get("newsdex")
    if not a or "error" in a:
        return lines
    for p, b in results.items():
        if p == "newsdex" or "error" in b:
            continue
        pairs = list(zip(a["matches"], b["matches"]))
        same = sum(1 for x, y in pairs if x == y)
        fewer = sum(1 for x, y in pairs if x < y)
        lines.append(
            f"matches per query, newsdex vs {LABEL[p]}: equal in {same}/{len(pairs)}, "
            f"newsdex fewer in {fewer}, more in {len(pairs) - same - fewer} "
            f"(totals {sum(x for x, _ in pairs):,} vs {sum(y for _, y in pairs):,})"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    corpora.add_corpora_option(ap)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help="JSONL.gz file in the corpora folder (default: %(default)s)")
    ap.add_argument("--limit", type=int, metavar="N", help="only the first N articles with a body (quick runs)")
    ap.add_argument("--repeat-to", type=int, metavar="N", help="scale run: Reuters + BBC + TIME repeated to N articles")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of: " + ", ".join(SYSTEMS))
    ap.add_argument("--queries", type=int, default=200, help="timed queries (default: %(default)s)")
    ap.add_argument("--warmup", type=int, default=20, help="warm-up queries before timing (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=21578, help="seed for drawing queries (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds allowed per system (default: %(default)s)")
    ap.add_argument("--json", nargs="?", const="-", metavar="FILE", help="write raw numbers to FILE (alone: JSON to stdout instead of the table)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (corpus and indexes)")
    ap.add_argument("--child", choices=SYSTEMS, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child, Path(args.workdir))

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if unknown := [s for s in systems if s not in SYSTEMS]:
        ap.error(f"unknown system(s): {', '.join(unknown)}")
    if args.limit and args.repeat_to:
        ap.error("--limit and --repeat-to do not go together")

    work = Path(tempfile.mkdtemp(prefix="newsdex-perf-"))
    try:
        print("[perf] writing the corpus as JSONL ...", file=sys.stderr, flush=True)
        corpus = build_corpus(args, work / "corpus")
        queries = make_queries(corpus.pop("titles"), args.warmup + args.queries, args.seed)
        job = {
            "corpus_dir": str(work / "corpus"),
            "shards": [str(p) for p in sorted((work / "corpus").glob("*.jsonl"))],
            "warmup": queries[: args.warmup],
            "queries": queries[args.warmup :],
            "keep_index": args.keep,
        }
        (work / "job.json").write_text(json.dumps(job))
        results = {s: summarise(run_child(s, work, args.timeout)) for s in systems}
    finally:
        if args.keep:
            print(f"[perf] kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    m = corpora.machine()
    report = {
        "machine": m,
        "corpus": corpus,
        "queries": {"warmup": args.warmup, "timed": len(job["queries"]), "seed": args.seed, "examples": job["queries"][:10]},
        "systems": results,
    }
    text = "\n".join(
        [
            f"Corpus: {corpus['label']} ({corpus['jsonl_bytes'] / 1e6:,.1f} MB of JSONL).",
            f"Queries: {len(job['queries'])} two-word AND queries from titles (seed {args.seed}, "
            f"after {args.warmup} warm-up), e.g. {', '.join(repr(q) for q in job['queries'][:3])}.",
            f"Ran {corpora.machine_line(m)}.",
            "",
            table(results),
            "",
            *[f"- {line}" for line in agreement(results)],
            *[f"- {LABEL[s]} failed: {r['error']}" for s, r in results.items() if "error" in r],
        ]
    )
    if args.json == "-":
        print(json.dumps(report, indent=1))
    else:
        print(text)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1))
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
