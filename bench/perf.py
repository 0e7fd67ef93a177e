"""Indexing and query performance: newsdex beside SQLite FTS5 and plain Whoosh, in one run.

    python bench/perf.py                      # Reuters-21578, the 19,779 articles with a body
    python bench/perf.py --limit 2000         # a quick run
    python bench/perf.py --repeat-to 200000   # scale: Reuters + BBC + TIME repeated, distinct ids
    python bench/perf.py --rounds 3           # each system three times, interleaved: medians
    python bench/perf.py --json results.json  # also dump the raw numbers (--json alone: JSON only)

Each system indexes the same decompressed JSONL files and answers the same
queries in a subprocess of its own (:mod:`perf_systems`), so its peak RSS (the
child's ``ru_maxrss``) is its own; :mod:`perf_report` makes the table. Queries: two non-stop words of four letters or
more drawn from one title (seeded), ANDed; 20 warm-up queries, then 200 timed
ones, each returning 10 hits with highlighted snippets and facet counts over
all hits. newsdex counts its own facets (source, actor, date); FTS5 and
Whoosh count the corpus's tags (Reuters places, topics, month).

On a shared machine one system's run can be slowed by a neighbour for a while
and its ratios to the others move with it: ``--rounds N`` runs every system N
times, round after round (each round in a rotated order), and reports each
number as the median of its rounds, with every round's index time and p50.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import corpora
from measured import run_measured
from perf_report import LABEL, agreement, median_of_rounds, round_lines, summarise, table
from perf_systems import INDEXED_MARK, RUNNERS, child

SYSTEMS = tuple(RUNNERS)
DEFAULT_CORPUS = "reuters21578.jsonl.gz"
SCALE_SOURCES = ("reuters21578.jsonl.gz", "bbc_news.jsonl.gz", "time/docs.jsonl.gz")
SHARD_SIZE = 25_000  # articles per JSONL file handed to the systems

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


# --- running each system in a child process, measuring its memory --------------


def run_child(system: str, work: Path, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", system, "--workdir", str(work)]
    print(f"[perf] {LABEL[system]}: indexing and querying ...", file=sys.stderr, flush=True)
    run = run_measured(cmd, timeout, mark=work / system / INDEXED_MARK)
    result_file = work / f"result-{system}.json"
    if run.timed_out or run.returncode != 0 or not result_file.exists():
        shutil.rmtree(work / system, ignore_errors=True)
        if run.timed_out:
            return {"error": f"did not finish within {timeout:.0f} s"}
        return {"error": f"exit {run.returncode}: {run.last_line()}", "stderr": run.output[-4000:]}
    result = json.loads(result_file.read_text())
    result.update(run.memory)
    result["cpu_s_by_parent"] = run.cpu_s
    print(f"[perf] {LABEL[system]}: done in {run.wall_s:.1f} s", file=sys.stderr, flush=True)
    return result


# --- numbers and the table ----------------------------------------------------


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
    ap.add_argument(
        "--rounds", type=int, default=1, metavar="N",
        help="run every system N times, interleaved; report medians (default: %(default)s)",
    )
    ap.add_argument(
        "--timeout", type=float, default=3600, help="seconds allowed per system and round (default: %(default)s)"
    )
    ap.add_argument(
        "--json", nargs="?", const="-", metavar="FILE",
        help="write raw numbers to FILE (alone: JSON to stdout instead of the table)",
    )
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
    if args.rounds < 1:
        ap.error(f"--rounds must be 1 or more, not {args.rounds}")

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
        }
        rounds: dict[str, list[dict]] = {s: [] for s in systems}
        for n in range(args.rounds):
            job["keep_index"] = args.keep and n == args.rounds - 1  # (only the last round's is kept)
            (work / "job.json").write_text(json.dumps(job))
            for s in systems[n % len(systems) :] + systems[: n % len(systems)]:
                rounds[s].append(summarise(run_child(s, work, args.timeout)))
        results = {s: median_of_rounds(rounds[s]) for s in systems}
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
        "rounds": args.rounds,
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
            *[f"- {line}" for line in round_lines(rounds)],
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
