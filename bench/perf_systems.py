"""What each system does in its own child process of bench/perf.py: index the corpus's
JSONL shards, then answer the warm-up and timed queries.

newsdex runs its full pipeline and its default search (snippets, story collapsing,
facets: source, actor, date). SQLite FTS5 (porter tokenizer, bm25, snippet, facet
counts by SQL) and plain Whoosh (StemmingAnalyzer, ``groupedby`` facets with
``allow_overlap``, ``hit.highlights()``) count the corpus's tags instead: Reuters
places and topics, and the month.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import corpora

PAGE_SIZE = 10
FACET_SIZE = 10
TITLE_WEIGHT = 2.0  # newsdex weights title 2x body; the peers are given the same
INDEXED_MARK = "INDEXED"  # written when indexing is over, so the parent can split its memory samples


def peer_facets(rec: dict) -> dict[str, list[str]]:
    """The tags FTS5 and Whoosh count: Reuters places and topics (BBC: its category), month."""
    topics = rec.get("topics") or ([rec["category"]] if rec.get("category") else [])
    month = (rec.get("date") or "")[:7]
    return {"place": list(rec.get("places") or []), "topic": list(topics), "month": [month] if month else []}


def _cpu_s() -> float:
    """CPU seconds of this process and of the children it has waited for (worker pools)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


_CPU_START = 0.0


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


def query_newsdex(job: dict, data_dir: Path) -> dict:
    """Open the index in ``data_dir`` (timed) and answer the job's queries with newsdex's
    default search. Apart from :func:`run_newsdex` so that bench/scale.py can time it on
    an index that ``manage.py reindex`` built, in a fresh process."""
    from indexer import Index

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
    return dict(out, open_s=open_s)


def run_newsdex(job: dict, work: Path) -> dict:
    from indexer import reindex

    data_dir = work / "newsdex-data"
    t = time.perf_counter()
    report = reindex([job["corpus_dir"]], data_dir, full=True)
    index_s = time.perf_counter() - t
    done = _index_done(work)
    out = query_newsdex(job, data_dir)
    return dict(
        out,
        index_s=index_s,
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
    # CROSS JOIN keeps the hits as the outer loop, each looked up in the facet index: with a
    # plain JOIN SQLite's planner (no statistics on the temporary table) scans every facet
    # row instead, three times a query (p50 18 ms on Reuters, not 1.8).
    facet_sql = (
        "SELECT f.value, count(*) AS c FROM temp.hits h CROSS JOIN facet f ON f.docid = h.rowid AND f.field = ? "
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
    for n, rec in enumerate(_iter_corpus(job), 1):  # noqa: B007 (n: the count, read after the loop)
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


