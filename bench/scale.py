"""Scale benchmark (issue 21): newsdex beside SQLite FTS5 at 100,000, 300,000 and 1,000,000
articles, and a line through the sizes projected to ten million.

    python bench/scale.py                                       # 100k, 300k, 1M articles
    python bench/scale.py --sizes 5000,20000 --serve-seconds 5  # a quick run
    python bench/scale.py --work DIR --json scale.json          # corpora and indexes in DIR; raw numbers
    python bench/scale.py --memory SIZE                         # passed on as manage.py reindex --memory SIZE

The corpus (bench/scale_corpus.py) is made of distinct articles recombined from
Reuters-21578, BBC News and TIME, seeded; each size is written once under ``--work`` and
reused. For each size, each step in a fresh process from the repository folder:

1. newsdex: ``manage.py reindex --full`` of the corpus folder; peak RSS is the summed RSS
   of the reindex process and its workers, sampled (bench/measured.py);
2. a process opens the index and runs 20 warm-up and 200 timed queries with newsdex's
   default search (bench/perf_systems.py), another opens it and runs one fuzzy query;
3. ``manage.py serve --workers 2`` under bench/load.py's clients: 1 client, then 8;
4. ``manage.py reindex`` (incremental) of the corpus folder and a new file of the next
   100 articles of the stream, then a check that the index holds them;
5. SQLite FTS5 indexes the same shards and answers the same queries (bench/perf.py's child).

Queries: two words of one title (bench/perf.py's), drawn from the titles of the first
articles of the stream, which every size holds, so all sizes answer the same queries.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import corpora
import load
import scale_corpus
from measured import Measured, run_measured
from perf import make_queries, run_child
from perf_report import summarise
from perf_systems import query_newsdex
from scale_report import PROJECT_TO, SYSTEMS, projection_table, projections, size_table

DEFAULT_SIZES = "100000,300000,1000000"
QUERY_TITLES = 25_000  # queries come from the titles of the first articles of the stream
SERVE_WORKERS = 2
SERVE_THREADS = 8


def log(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


# --- newsdex ------------------------------------------------------------------------


def manage_reindex(data: Path, paths: list[Path], args: argparse.Namespace, full: bool) -> Measured:
    cmd = [sys.executable, "manage.py", "--data", str(data), "reindex", "--quiet"]
    cmd += (["--full"] if full else []) + (["--memory", args.memory] if args.memory else [])
    run = run_measured(cmd + [str(p) for p in paths], args.timeout)
    _check("manage.py reindex" + " --full" * full, run)
    return run


def search_child(data: Path, work: Path, job: dict, timeout: float) -> dict:
    """Run ``job`` (queries, ids to look for) in a fresh process on the index in ``data``."""
    job_file, result_file = work / "search-job.json", work / "search-result.json"
    result_file.unlink(missing_ok=True)
    job_file.write_text(json.dumps(dict(job, data_dir=str(data), result=str(result_file))))
    run = run_measured([sys.executable, str(Path(__file__).resolve()), "--child", str(job_file)], timeout)
    _check("the search process", run)
    result = json.loads(result_file.read_text())
    job_file.unlink()
    result_file.unlink()
    return result


def child(job_file: Path) -> int:
    """The search process: the job's queries timed, then the ids looked up."""
    from indexer import Index

    job = json.loads(job_file.read_text())
    data = Path(job["data_dir"])
    result = query_newsdex(job, data)
    result["peak_rss_mb"] = corpora.peak_rss_mb()
    with Index.open(data) as index:
        stats = index.stats()
        result.update(articles=stats.articles, stories=stats.stories)
        if "ids" in job:
            result["found_ids"] = sum(index.article(i) is not None for i in job["ids"])
    Path(job["result"]).write_text(json.dumps(result))
    return 0


class StepFailed(Exception):
    """A step of newsdex's run failed: its message says which and how; the peer still runs."""


def _check(step: str, run: Measured) -> None:
    if run.timed_out:
        raise StepFailed(f"{step} did not finish within the timeout")
    if run.returncode != 0:
        raise StepFailed(f"{step}: exit {run.returncode}: {run.last_line()}")


def serve(data: Path, clients: int, args: argparse.Namespace) -> dict:
    """bench/load.py's clients against ``manage.py serve --workers 2`` (a server of its own)."""
    log(f"serve: {clients} client(s) for {args.serve_seconds:g} s ...")
    options = argparse.Namespace(
        data=str(data), corpus=load.DEFAULT_CORPUS, corpora=args.corpora, clients=clients,
        duration=args.serve_seconds, threads=SERVE_THREADS, workers=SERVE_WORKERS, seed=args.seed,
    )
    try:
        r = load.run(options)
    except SystemExit as err:  # load.py's way of saying the server did not start
        raise StepFailed(f"serve: {err}") from None
    return {k: r[k] for k in ("requests", "errors", "error_examples", "throughput_rps", "latency_ms", "memory_mb", "private_mb")}


def run_newsdex(corpus: scale_corpus.Corpus, queries: dict, work: Path, args: argparse.Namespace) -> dict:
    """newsdex's steps for one size. A failed step ends them: ``error`` if it leaves
    nothing to show (the build, the queries), else ``failed`` beside what was measured."""
    data = work / f"newsdex-{corpus.size}"
    out: dict = {}
    try:
        _newsdex_steps(corpus, queries, data, work, args, out)
    except StepFailed as err:
        out["failed" if "latencies_ms" in out else "error"] = str(err)
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
    return out if "error" in out else summarise(out)


def _newsdex_steps(
    corpus: scale_corpus.Corpus, queries: dict, data: Path, work: Path, args: argparse.Namespace, out: dict
) -> None:
    shutil.rmtree(data, ignore_errors=True)
    log(f"newsdex: manage.py reindex --full of {corpus.size:,} articles ...")
    build = manage_reindex(data, [corpus.articles], args, full=True)
    out.update(index_s=build.wall_s, index_cpu_s=build.cpu_s, size_bytes=corpora.dir_size(data), **build.memory)
    log("newsdex: queries, then a fuzzy query, each after a fresh open ...")
    out.update(search_child(data, work, queries, args.timeout))
    out["indexed"] = out["articles"]
    fuzzy = search_child(data, work, {"warmup": [args.fuzzy], "queries": []}, args.timeout)
    out.update(fuzzy_ms=fuzzy["first_query_ms"], fuzzy_matches=fuzzy["cold_matches"])
    if not args.skip_serve:
        out["serve"] = {str(n): serve(data, n, args) for n in (1, 8)}
    log(f"newsdex: incremental reindex adding {corpus.update.name} ...")
    update = manage_reindex(data, [corpus.articles, corpus.update], args, full=False)
    new_ids = corpus.manifest()["update_ids"]
    check = search_child(data, work, {"warmup": [], "queries": [], "ids": new_ids}, args.timeout)
    added = re.search(r"(\d+) added", update.output)
    out["update"] = {
        "seconds": update.wall_s, "peak_rss_mb": update.memory.get("tree_rss_index_mb"),
        "added": int(added.group(1)) if added else None, "new_ids": len(new_ids),
        "found": check["found_ids"], "articles_after": check["articles"],
    }


def run_fts5(corpus: scale_corpus.Corpus, queries: dict, work: Path, args: argparse.Namespace) -> dict:
    box = work / f"fts5-{corpus.size}"
    shutil.rmtree(box, ignore_errors=True)
    box.mkdir(parents=True)
    shards = [str(p) for p in corpus.shards()]
    job = dict(queries, corpus_dir=str(corpus.articles), shards=shards, keep_index=args.keep)
    (box / "job.json").write_text(json.dumps(job))
    result = summarise(run_child("fts5", box, args.timeout))
    if not args.keep:
        shutil.rmtree(box, ignore_errors=True)
    return result


def failed(r: dict) -> bool:
    return "error" in r or "failed" in r


# --- the numbers the tables show ----------------------------------------------------


def flat(r: dict) -> dict:
    """A system's result as the tables' keys (scale_report.ROWS); {} if it failed."""
    if "error" in r:
        return {}
    out = {
        "articles": r["indexed"],
        "stories": r.get("stories"),
        "index_s": r["index_s"],
        "docs_per_s": r["docs_per_s"],
        "rss_mb": max(r.get("tree_rss_index_mb", 0.0), r.get("rss_after_index_mb", 0.0)) or None,
        "processes": r.get("processes_indexing"),
        "size_mb": r["size_bytes"] / 1e6,
        "kb_per_article": r["size_bytes"] / 1e3 / r["indexed"] if r["indexed"] else None,
        "open_ms": r["open_s"] * 1000,
        "first_query_ms": r["first_query_ms"],
        "fuzzy_ms": r.get("fuzzy_ms"),
        "p50_ms": r["p50_ms"],
        "p95_ms": r["p95_ms"],
        "p99_ms": r["p99_ms"],
        "median_matches": r["median_matches"],
        "search_rss_mb": r["peak_rss_mb"],
    }
    if "update" in r:
        u = r["update"]
        out.update(
            update_s=u["seconds"], update_rss_mb=u["peak_rss_mb"],
            update_found=f"{u['found']} of {u['new_ids']} ({u['articles_after']:,} in all)",
        )
    if "serve" in r:
        one, eight = r["serve"]["1"], r["serve"]["8"]
        m, own = eight["memory_mb"], eight["private_mb"]
        verdict = ("stable" if own["stable"] else "NOT stable") if own["judged"] else "not judged under 30 s"
        out.update(
            rps_1=one["throughput_rps"], rps_8=eight["throughput_rps"],
            rps_gain=eight["throughput_rps"] / one["throughput_rps"] if one["throughput_rps"] else None,
            serve_latency=f"{eight['latency_ms']['all']['p50']} / {eight['latency_ms']['all']['p95']}",
            serve_errors=one["errors"] + eight["errors"],
            serve_rss=f"{m['tenths'][0]:,.0f} → {m['end']:,.0f}; private {own['tenths'][0]:,.0f} → {own['end']:,.0f} ({verdict})",
        )
    return out


def report(results: dict) -> str:
    lines = [
        f"Ran {corpora.machine_line(results['machine'])}; newsdex at commit {results['commit']}.",
        f"Corpus: distinct articles recombined from Reuters-21578, BBC News and TIME "
        f"(bench/scale_corpus.py, seed {results['seed']}); queries: {len(results['queries'])} two-word AND "
        f"queries from titles after 20 warm-up, e.g. {', '.join(repr(q) for q in results['queries'][:3])}; "
        f"fuzzy: {results['fuzzy']!r}.",
        f"Serving: manage.py serve --workers {SERVE_WORKERS} (× {SERVE_THREADS} threads), "
        f"bench/load.py's clients for {results['serve_seconds']:g} s a run.",
    ]
    for size in results["sizes"]:
        c = size["corpus"]
        lines += [
            "",
            f"### {size['size']:,} articles",
            "",
            f"{c['jsonl_bytes'] / 1e6:,.1f} MB of JSONL, {c['syndicated']:,} syndicated copies.",
            "",
            size_table(size["table"]),
        ]
        lines += [f"- {SYSTEMS[s]} failed: {size[s].get('error') or size[s]['failed']}" for s in SYSTEMS if failed(size[s])]
    lines += ["", f"### Projected to {PROJECT_TO:,} articles (least squares through the sizes run)", ""]
    lines.append(projection_table(results["projection"]) if len(results["sizes"]) > 1 else "(one size run: no line)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    corpora.add_corpora_option(ap)
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated corpus sizes (default: %(default)s)")
    ap.add_argument(
        "--work", metavar="DIR", default=str(Path(tempfile.gettempdir()) / "newsdex-scale"),
        help="where corpora (kept, reused) and indexes go (default: %(default)s)",
    )
    ap.add_argument("--memory", metavar="SIZE", help="passed on as manage.py reindex --memory SIZE")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds allowed per step (default: %(default)s)")
    ap.add_argument("--skip-serve", action="store_true", help="leave out the manage.py serve runs")
    ap.add_argument("--serve-seconds", type=float, default=30, help="seconds of each serve run (default: %(default)s)")
    ap.add_argument("--fuzzy", default="dollr~", help="the fuzzy query (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=21, help="seed of the corpus and the queries (default: %(default)s)")
    ap.add_argument("--keep", action="store_true", help="keep each size's indexes in the work folder")
    ap.add_argument("--json", metavar="FILE", help="also write the raw numbers to FILE")
    ap.add_argument("--child", metavar="JOB", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(Path(args.child))
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        ap.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or sizes[0] < 1:
        ap.error("--sizes needs at least one size of 1 or more")

    work = Path(args.work).expanduser().resolve()
    work.mkdir(parents=True, exist_ok=True)
    found = scale_corpus.prepare(sizes, args.seed, work, args.corpora)
    drawn = make_queries(found[sizes[0]].titles(QUERY_TITLES), 220, args.seed)
    queries = {"warmup": drawn[:20], "queries": drawn[20:]}
    results: dict = {
        "machine": corpora.machine(), "commit": corpora.git_commit(), "seed": args.seed,
        "queries": queries["queries"], "fuzzy": args.fuzzy, "serve_seconds": args.serve_seconds, "sizes": [],
    }
    for size in sizes:
        corpus = found[size]
        entry: dict = {"size": size, "corpus": {k: v for k, v in corpus.manifest().items() if k != "update_ids"}}
        entry["newsdex"] = run_newsdex(corpus, queries, work, args)
        log(f"SQLite FTS5: {size:,} articles ...")
        entry["fts5"] = run_fts5(corpus, queries, work, args)
        entry["table"] = {s: flat(entry[s]) for s in SYSTEMS}
        results["sizes"].append(entry)
    results["projection"] = projections({e["size"]: e["table"] for e in results["sizes"]})
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 1 if any(failed(e[s]) for e in results["sizes"] for s in SYSTEMS) else 0


if __name__ == "__main__":
    sys.exit(main())
