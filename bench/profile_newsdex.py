"""Where newsdex spends its time: cProfile of ``reindex`` and of the query path.

    python bench/profile_newsdex.py                 # Reuters with a body, 200 queries, top 10 by cumulative time
    python bench/profile_newsdex.py --limit 5000 --top 25 --save prof/   # also keep the .pstats files

The corpus and the queries are those of bench/perf.py (same seed). Times are
cProfile's default wall-clock ones: run it on a quiet machine. (A CPU-time
timer would be worse: ``process_time`` is a system call per profiled call.)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

import corpora
import perf
import perf_systems


def report(profile: cProfile.Profile, title: str, top: int, save: Path | None) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"## {title}\n\n```\n{out.getvalue().strip()}\n```\n")
    if save:
        save.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(str(save / (title.split()[0] + ".pstats")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    corpora.add_corpora_option(ap)
    ap.add_argument("--corpus", default=perf.DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, metavar="N", help="only the first N articles with a body")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=21578)
    ap.add_argument("--top", type=int, default=10, help="functions listed (default: %(default)s)")
    ap.add_argument("--save", type=Path, metavar="DIR", help="also write reindex.pstats and query.pstats here")
    args = ap.parse_args(argv)

    from indexer import Index, reindex

    base = perf.load_base(args.corpus, args.corpora)[: args.limit or None]
    queries = perf.make_queries([r.get("title") or "" for r in base], 20 + args.queries, args.seed)
    work = Path(tempfile.mkdtemp(prefix="newsdex-profile-"))
    try:
        corpora.write_jsonl(base, work / "corpus" / "corpus.jsonl")
        prof = cProfile.Profile()
        prof.enable()
        reindex([work / "corpus"], work / "data", full=True)
        prof.disable()
        report(prof, f"reindex of {len(base):,} articles", args.top, args.save)

        with Index.open(work / "data") as index:
            for q in queries[:20]:  # warm-up, as in perf.py
                index.search(q, page_size=perf_systems.PAGE_SIZE)
            prof = cProfile.Profile()
            prof.enable()
            for q in queries[20:]:
                index.search(q, page_size=perf_systems.PAGE_SIZE)
            prof.disable()
        report(prof, f"query ({args.queries} queries, page of 10, snippets, facets)", args.top, args.save)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
