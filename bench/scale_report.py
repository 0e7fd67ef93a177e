"""bench/scale.py's tables: each size's numbers, newsdex beside SQLite FTS5 with their
ratio, and a least-squares line per metric projected to ten million articles.

The numbers come flat, one dict per system and size (keys below), so that the JSON
written by ``--json`` holds what the tables show.
"""

from __future__ import annotations

import math

import corpora

PROJECT_TO = 10_000_000
SYSTEMS = {"newsdex": "newsdex", "fts5": "SQLite FTS5"}

ROWS = [  # (label, key, format); a ratio is shown where both systems have a number
    ("articles indexed", "articles", "{:,.0f}"),
    ("stories (syndicated copies grouped)", "stories", "{:,.0f}"),
    ("reindex time (s)", "index_s", "{:,.1f}"),
    ("reindex throughput (docs/s)", "docs_per_s", "{:,.0f}"),
    ("peak RSS, all reindex processes (MiB)", "rss_mb", "{:,.0f}"),
    ("processes while indexing", "processes", "{:,.0f}"),
    ("index size on disk (MB)", "size_mb", "{:,.1f}"),
    ("index size per article (kB)", "kb_per_article", "{:,.2f}"),
    ("open index (ms)", "open_ms", "{:,.1f}"),
    ("first query after open (ms)", "first_query_ms", "{:,.1f}"),
    ("first fuzzy query after a fresh open (ms)", "fuzzy_ms", "{:,.1f}"),
    ("query p50 (ms)", "p50_ms", "{:,.2f}"),
    ("query p95 (ms)", "p95_ms", "{:,.2f}"),
    ("query p99 (ms)", "p99_ms", "{:,.2f}"),
    ("median matches per query", "median_matches", "{:,.0f}"),
    ("peak RSS of the search process (MiB)", "search_rss_mb", "{:,.0f}"),
    ("incremental reindex, one new file (s)", "update_s", "{:,.1f}"),
    ("peak RSS, incremental reindex (MiB)", "update_rss_mb", "{:,.0f}"),
    ("new articles found after it", "update_found", "{}"),
    ("serve, 1 client (requests/s)", "rps_1", "{:,.1f}"),
    ("serve, 8 clients (requests/s)", "rps_8", "{:,.1f}"),
    ("serve, 8 clients ÷ 1 client", "rps_gain", "{:.2f}×"),
    ("serve, 8 clients p50 / p95 (ms)", "serve_latency", "{}"),
    ("serve errors (both runs)", "serve_errors", "{:,.0f}"),
    ("server RSS, start → end of the 8-client run; its private part, judged (MiB)", "serve_rss", "{}"),
]
UNRATIOED = {"articles", "processes", "median_matches"}  # counts to compare, not costs
FITTED = [  # (label, key, format) of the metrics a line is fitted through
    ("reindex time (s)", "index_s", "{:,.0f}"),
    ("peak RSS, reindex (MiB)", "rss_mb", "{:,.0f}"),
    ("index size on disk (MB)", "size_mb", "{:,.0f}"),
    ("query p50 (ms)", "p50_ms", "{:,.2f}"),
]


def size_table(numbers: dict[str, dict]) -> str:
    """One size: a row per metric, a column per system, then newsdex ÷ FTS5."""
    header = ["metric", *SYSTEMS.values(), "newsdex ÷ SQLite FTS5"]
    rows = []
    for label, key, fmt in ROWS:
        values = [numbers.get(s, {}).get(key) for s in SYSTEMS]
        if all(v is None for v in values):
            continue
        cells = ["" if v is None else fmt.format(v) for v in values]
        a, b = values
        numeric = all(isinstance(v, (int, float)) for v in values)
        ratio = _ratio(a / b) if numeric and b and fmt != "{}" and key not in UNRATIOED else ""
        rows.append([label, *cells, ratio])
    return corpora.md_table(header, rows)


def fit(points: list[tuple[float, float]]) -> dict | None:
    """The least-squares line through ``points`` (size, value); None under two sizes."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    intercept = my - slope * mx
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    total = sum((y - my) ** 2 for _, y in points)
    r2 = 1 - residual / total if n > 2 and total else None
    return {"intercept": intercept, "per_million": slope * 1e6, "r2": r2, "at": intercept + slope * PROJECT_TO}


def projections(by_size: dict[int, dict[str, dict]]) -> dict[str, dict[str, dict | None]]:
    """Each fitted metric's line for each system, over the sizes where it has a number."""
    return {
        key: {
            s: fit([(size, n[s][key]) for size, n in sorted(by_size.items()) if n.get(s, {}).get(key) is not None])
            for s in SYSTEMS
        }
        for _, key, _ in FITTED
    }


def projection_table(lines: dict[str, dict[str, dict | None]]) -> str:
    header = ["metric", "newsdex per million articles", f"newsdex at {PROJECT_TO:,}", "SQLite FTS5 per million",
              f"SQLite FTS5 at {PROJECT_TO:,}", "newsdex ÷ SQLite FTS5", "R² newsdex / FTS5"]
    rows = []
    for label, key, fmt in FITTED:
        a, b = lines[key]["newsdex"], lines[key]["fts5"]
        rows.append([
            label,
            fmt.format(a["per_million"]) if a else "",
            fmt.format(a["at"]) if a else "",
            fmt.format(b["per_million"]) if b else "",
            fmt.format(b["at"]) if b else "",
            _ratio(a["at"] / b["at"]) if a and b and b["at"] > 0 else "",
            _r2(a, b),
        ])
    return corpora.md_table(header, rows)


def _r2(*lines: dict | None) -> str:
    """The lines' R², "" when no line has one (two sizes: a line through two points)."""
    cells = [f"{f['r2']:.3f}" if f and f["r2"] is not None else "–" for f in lines]
    return " / ".join(cells) if set(cells) != {"–"} else ""


def _ratio(r: float) -> str:
    if not math.isfinite(r):
        return ""
    return f"{r:.2f}×" if abs(r) >= 0.01 else f"{r:.1g}×"
