"""``manage.py`` / ``newsdex``: reindex, search, stats, report, serve."""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import sys
from collections.abc import Sequence

from indexer import store
from indexer.build.progress import progress_for
from indexer.build.reindex import DEFAULT_MEMORY, reindex
from indexer.search.index import Index
from indexer.search.request import (
    DEFAULT_PAGE_SIZE,
    MATCHES,
    MAX_PAGE_SIZE,
    SORTS,
    InvalidRequest,
    make_request,
    whole_number,
)
from indexer.search.results import IndexStats, SearchResult, readable_size

# The request's names -> the options that set them (an error names what a person typed).
OPTIONS = {
    "sources": "--source",
    "actors": "--actor",
    "dates": "--date",
    "date_from": "--from",
    "date_to": "--to",
    "sort": "--sort",
    "match": "--match",
    "page": "--page",
    "page_size": "--size",
    "top": "--top",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        return args.run(args)
    except InvalidRequest as err:
        print(f"error: {OPTIONS.get(err.param, err.param)}: {err.message}", file=sys.stderr)
        return 2
    except store.StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsdex", description="Full-text search for news articles.")
    p.add_argument(
        "--data",
        metavar="DIR",
        help=f"data directory (default: ${store.DATA_ENV} or ./{store.DEFAULT_DATA_DIR})",
    )
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    r = sub.add_parser("reindex", help="build or update the index from a corpus")
    r.add_argument("paths", nargs="*", help="folders or files (default: the last corpus, or seeds/)")
    r.add_argument("--full", action="store_true", help="rebuild from scratch, switch atomically")
    r.add_argument("--strict", action="store_true", help="exit 1 if any file failed")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.add_argument(
        "--memory",
        type=_memory_size,
        default=DEFAULT_MEMORY,
        metavar="SIZE",
        help=f"memory the run may use, all its processes together, e.g. 800M or 2G (default: {DEFAULT_MEMORY >> 30}G)",
    )
    r.set_defaults(run=_reindex)

    s = sub.add_parser("search", help="search the index")
    s.add_argument("q", nargs="?", default="", help="query (see README for the syntax)")
    # Values are checked by the request contract (make_request), not by argparse: the
    # limits and messages are the web's and the Python API's.
    s.add_argument("--source", action="append", default=[], help="filter by source (repeatable)")
    s.add_argument("--actor", action="append", default=[], help="filter by actor (repeatable)")
    s.add_argument(
        "--date", action="append", default=[], help="filter by period: YYYY, YYYY-MM, YYYY-MM-DD, undated (repeatable)"
    )
    s.add_argument("--from", dest="date_from", help="published on or after YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", help="published on or before YYYY-MM-DD")
    s.add_argument("--sort", default="relevance", help=f"{', '.join(SORTS)} (default: %(default)s)")
    s.add_argument("--match", default="all", help=f"words that must occur: {', '.join(MATCHES)} (default: %(default)s)")
    s.add_argument("--page", default=1, help="page of results (default: %(default)s)")
    s.add_argument("--size", default=DEFAULT_PAGE_SIZE, help=f"hits per page (max {MAX_PAGE_SIZE})")
    s.add_argument("--all", action="store_true", help="do not collapse copies of one story")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.set_defaults(run=_search)

    st = sub.add_parser("stats", help="what the index holds")
    st.add_argument("--json", action="store_true")
    st.set_defaults(run=_stats)

    rp = sub.add_parser("report", help="the stats, top actors and sources, articles by period, unread files")
    rp.add_argument("--top", type=int, default=10, help="actors and sources listed (default: %(default)s)")
    rp.add_argument("--json", action="store_true")
    rp.set_defaults(run=_report)

    sv = sub.add_parser("serve", help="run the web front end and JSON API")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--threads", type=_at_least_one, default=8, help="threads in each process (default: %(default)s)")
    sv.add_argument(
        "--workers", type=_at_least_one, default=1,
        help="processes serving the port, each with the index open (default: %(default)s; one per core uses them all)",
    )
    sv.add_argument("--debug", action="store_true", help="Flask's debug server with reloader")
    sv.set_defaults(run=_serve)
    return p


def _reindex(args: argparse.Namespace) -> int:
    progress = None if args.quiet else (lambda total: progress_for(total, "reindex"))
    report = reindex(args.paths, args.data, full=args.full, progress=progress, memory=args.memory)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in report.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    print(report.summary())
    return 1 if args.strict and report.problems else 0


def _search(args: argparse.Namespace) -> int:
    request = make_request(  # checked before the index is opened
        args.q,
        sources=args.source,
        actors=args.actor,
        dates=args.date,
        date_from=args.date_from,
        date_to=args.date_to,
        sort=args.sort,
        match=args.match,
        page=args.page,
        page_size=args.size,
        collapse=not args.all,
    )
    with Index.open(args.data) as index:
        result = index.search(request)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_result(result)
    return 0


def _print_result(result: SearchResult) -> None:
    for warning in result.warnings:
        print(f"note: {warning}")
    noun = "result" if result.total == 1 else "results"
    print(f"{result.total} {noun} ({result.took_ms:.1f} ms) for: {result.parsed or '(everything)'}")
    if result.suggestion:
        print(f"did you mean: {result.suggestion}")
    first = (result.request.page - 1) * result.request.page_size
    for n, hit in enumerate(result.hits, first + 1):
        date = hit.published.isoformat() if hit.published else "undated"
        print(f"\n{n}. {hit.title}  [{hit.id}]")
        print(f"   {hit.source_name or 'unknown source'} · {date}")
        if hit.snippet:
            marked = hit.snippet.replace("<mark>", "[").replace("</mark>", "]")
            print("   " + html.unescape(marked))


def _stats(args: argparse.Namespace) -> int:
    with Index.open(args.data) as index:
        stats = index.stats()
    if args.json:
        print(json.dumps(stats.to_dict(), indent=2))
        return 0
    _print_stats(stats)
    return 0


def _print_stats(stats: IndexStats) -> None:
    span = f"{stats.first_date} to {stats.last_date}" if stats.first_date else "no dates"
    print(f"articles:   {stats.articles} ({stats.stories} stories, {stats.undated} undated)")
    print(f"sources:    {stats.sources}")
    print(f"dates:      {span}")
    print(f"index size: {readable_size(stats.size_bytes)}")
    print(f"generation: {stats.generation}, built {stats.built_at}")
    if stats.unread_files:
        print(f"not read:   {_count(stats.unread_files, 'file')}, in part or whole ('report' says why)")


def _report(args: argparse.Namespace) -> int:
    with Index.open(args.data) as index:
        report = index.report(args.top)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    _print_stats(report.stats)
    print(f"corpus:     {', '.join(report.corpus)} ({report.learned_acronyms} acronyms learned)")
    _print_counts("top sources", report.stats.top_sources)
    _print_counts("top actors", report.top_actors)
    _print_counts("articles by date", report.periods)
    if report.problems:
        files = len({p.path for p in report.problems})
        print(f"\nnot read ({_count(len(report.problems), 'problem')} in {_count(files, 'file')}; fix them and reindex):")
        for problem in report.problems:
            print(f"  {problem}")
    else:
        print("\nevery file of the corpus was read")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _print_counts(heading: str, counts: Sequence[tuple[str, int]]) -> None:
    print(f"\n{heading}:" + ("" if counts else " none"))
    width = max((len(label) for label, _ in counts), default=0)
    for label, count in counts:
        print(f"  {label:<{width}}  {count:>7,}")


def _at_least_one(value: str) -> int:
    try:
        return whole_number("value", value, 1)
    except InvalidRequest as err:  # (argparse names the option)
        raise argparse.ArgumentTypeError(err.message) from None


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_SMALLEST_MEMORY = 256 << 20  # below this, the interpreters and libraries alone go over


def _memory_size(value: str) -> int:
    """A size in bytes from ``800M``, ``1.5G``, ``2GB`` or a number of bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?\s*", value, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size: give a number with K, M or G, e.g. 800M or 2G")
    size = int(float(match[1]) * _UNITS[match[2].upper()])
    if size < _SMALLEST_MEMORY:
        raise argparse.ArgumentTypeError(f"{value!r} is too little: a reindex needs at least 256M")
    return size


def _serve(args: argparse.Namespace) -> int:
    from web.serve import serve

    return serve(args.data, host=args.host, port=args.port, threads=args.threads, workers=args.workers, debug=args.debug)
