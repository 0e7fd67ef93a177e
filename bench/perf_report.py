"""bench/perf.py's numbers: percentiles, the table of every system side by side with
newsdex's ratio to each peer, and how often their matches agree."""

from __future__ import annotations

import corpora

LABEL = {"newsdex": "newsdex", "fts5": "SQLite FTS5", "whoosh": "plain Whoosh"}


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


def median_of_rounds(rounds: list[dict]) -> dict:
    """One system's rounds as one result: each number the median of the rounds' (the
    lists, such as latencies, of the median round by index time); the first error if
    any round failed. The rounds themselves are kept, less their lists."""
    failed = [r for r in rounds if "error" in r]
    if failed or len(rounds) == 1:
        return (failed or rounds)[0]
    by_time = sorted(rounds, key=lambda r: r["index_s"])
    result = dict(by_time[len(by_time) // 2])
    for key, value in result.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            result[key] = _median([r[key] for r in rounds if key in r])
    result["rounds"] = [{k: v for k, v in r.items() if not isinstance(v, list)} for r in rounds]
    return result


def round_lines(rounds: dict[str, list[dict]]) -> list[str]:
    """Each system's index time and query p50 in every round (when there were several)."""
    if all(len(r) < 2 for r in rounds.values()):
        return []
    lines = []
    for system, results in rounds.items():
        ok = [r for r in results if "error" not in r]
        times = " / ".join(f"{r['index_s']:,.1f}" for r in ok)
        p50s = " / ".join(f"{r['p50_ms']:,.2f}" for r in ok)
        lines.append(f"{LABEL[system]}, {len(results)} rounds (medians above): index time {times} s; p50 {p50s} ms")
    return lines


def _median(values: list[float]) -> float:
    xs = sorted(values)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


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
                ratio = _value(a, key) / _value(b, key)
                row.append(f"{ratio:.2f}×" if ratio >= 0.01 else f"{ratio:.1g}×")
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


