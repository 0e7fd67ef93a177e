"""Ranking quality on the TIME test collection: newsdex beside BM25 baselines, in one run.

    python bench/time_eval.py               # the table
    python bench/time_eval.py --per-query   # also average precision per query
    python bench/time_eval.py --json FILE   # also the raw numbers

423 TIME magazine articles (1963), 83 natural-language queries, binary
judgments (qrels doc ids are TEXT numbers, as in docs.jsonl). Every system
treats a query as a bag of words, any of which may match (newsdex:
``match="any"``), and ranks every document it matches:

- newsdex: its full pipeline (``reindex``, then ``run_search`` with
  ``collapse=False``); the query text as given, and lower-cased (upper-case
  AND/OR/NOT are operators in its query language, and the queries are in
  upper case).
- BM25: written here, ~40 lines: ``[a-z0-9]+`` tokens, the collection's
  TIME.STP stop words removed, NLTK Porter stems; k1=1.2, b=0.75, Lucene idf,
  each query term counted once.
- bm25s (if installed): the same tokens, ``bm25s.BM25(k1=1.2, b=0.75)``.
- SQLite FTS5: ``tokenize='porter unicode61'``, the query's tokens less
  TIME.STP ORed, ranked by ``bm25()`` (k1=1.2, b=0.75 built in).
- plain Whoosh: BM25F, ``StemmingAnalyzer`` (its own stop list), the
  lower-cased query through ``QueryParser`` with ``OrGroup``.

Metrics (binary relevance, over each system's full ranking, cut at 1000):
MAP (precision averaged over *all* relevant documents, unretrieved ones
counting 0), nDCG@10, P@10, recall@100.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import corpora

DOCS, QUERIES, QRELS, STOPS = "time/docs.jsonl.gz", "time/queries.jsonl.gz", "time/qrels.tsv", "time/TIME.STP"
DEPTH = 1000
K1, B = 1.2, 0.75
TOKEN = re.compile(r"[a-z0-9]+")

Ranking = list[str]  # doc ids, best first


# --- metrics ------------------------------------------------------------------


def average_precision(ranking: Ranking, relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranking[:DEPTH], 1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant) if relevant else 0.0


def ndcg_at(ranking: Ranking, relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], 1) if doc in relevant)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def precision_at(ranking: Ranking, relevant: set[str], k: int = 10) -> float:
    return sum(1 for doc in ranking[:k] if doc in relevant) / k


def recall_at(ranking: Ranking, relevant: set[str], k: int = 100) -> float:
    return sum(1 for doc in ranking[:k] if doc in relevant) / len(relevant) if relevant else 0.0


METRICS: dict[str, Callable[[Ranking, set[str]], float]] = {
    "MAP": average_precision,
    "nDCG@10": ndcg_at,
    "P@10": precision_at,
    "R@100": recall_at,
}


def evaluate(runs: dict[str, Ranking], qrels: dict[str, set[str]]) -> dict:
    per_query = {m: {q: f(runs.get(q, []), rel) for q, rel in qrels.items()} for m, f in METRICS.items()}
    means = {m: sum(v.values()) / len(v) for m, v in per_query.items()}
    means["retrieved"] = sum(len(runs.get(q, [])[:DEPTH]) for q in qrels) / len(qrels)
    return {"mean": means, "AP": per_query["MAP"]}


# --- the collection -----------------------------------------------------------


def load(corpora_opt: str | None) -> tuple[list[dict], dict[str, str], dict[str, set[str]], frozenset[str]]:
    paths = {name: corpora.require(name, corpora_opt) for name in (DOCS, QUERIES, QRELS, STOPS)}
    docs = list(corpora.read_jsonl_gz(paths[DOCS]))
    queries = {str(q["id"]): q["text"] for q in corpora.read_jsonl_gz(paths[QUERIES])}
    qrels: dict[str, set[str]] = defaultdict(set)
    for line in paths[QRELS].read_text().splitlines():
        if line.strip():
            qid, doc, rel = line.split("\t")
            if int(rel) > 0:
                qrels[qid].add(doc)
    stops = frozenset(w.strip().lower() for w in paths[STOPS].read_text().split() if w.strip())
    return docs, queries, dict(qrels), stops


class Tokens:
    """``[a-z0-9]+`` tokens, TIME.STP removed, Porter stems: the baselines' analysis."""

    def __init__(self, stops: frozenset[str]) -> None:
        from nltk.stem.porter import PorterStemmer

        self.stops = stops
        self.stem = lru_cache(maxsize=None)(PorterStemmer().stem)

    def words(self, text: str) -> list[str]:
        return [w for w in TOKEN.findall(text.lower()) if w not in self.stops]

    def __call__(self, text: str) -> list[str]:
        return [self.stem(w) for w in self.words(text)]


# --- the systems --------------------------------------------------------------


class BM25:
    """Okapi BM25 (Lucene's idf), k1=1.2, b=0.75, over pre-tokenised documents."""

    def __init__(self, docs: list[list[str]], k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in docs]
        self.len = [len(d) for d in docs]
        self.avg = sum(self.len) / len(docs)
        df = Counter(t for d in self.tf for t in d)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.tf):
            for t in d:
                self.postings[t].append(i)

    def scores(self, query: list[str]) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for t in set(query):
            for i in self.postings.get(t, ()):
                tf = self.tf[i][t]
                norm = self.k1 * (1 - self.b + self.b * self.len[i] / self.avg)
                out[i] += self.idf[t] * tf * (self.k1 + 1) / (tf + norm)
        return out


def run_bm25(docs: list[dict], queries: dict[str, str], tok: Tokens, work: Path) -> dict[str, Ranking]:
    ids = [d["id"] for d in docs]
    bm25 = BM25([tok(d["title"] + "\n" + d["body"]) for d in docs])
    runs = {}
    for qid, text in queries.items():
        scores = bm25.scores(tok(text))
        runs[qid] = [ids[i] for i in sorted(scores, key=lambda i: (-scores[i], i))]
    return runs


def run_bm25s(docs: list[dict], queries: dict[str, str], tok: Tokens, work: Path) -> dict[str, Ranking]:
    import bm25s
    import numpy as np

    ids = [d["id"] for d in docs]
    retriever = bm25s.BM25(k1=K1, b=B)
    retriever.index([tok(d["title"] + "\n" + d["body"]) for d in docs], show_progress=False)
    vocab = set(retriever.vocab_dict)
    runs = {}
    for qid, text in queries.items():
        terms = list(dict.fromkeys(t for t in tok(text) if t in vocab))
        if not terms:
            runs[qid] = []
            continue
        scores = np.asarray(retriever.get_scores(terms))
        order = np.lexsort((np.arange(len(ids)), -scores))
        runs[qid] = [ids[i] for i in order if scores[i] > 0]
    return runs


def run_fts5(docs: list[dict], queries: dict[str, str], tok: Tokens, work: Path) -> dict[str, Ranking]:
    import sqlite3

    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, tokenize='porter unicode61')")
    con.executemany("INSERT INTO docs VALUES (?, ?)", [(d["id"], d["title"] + "\n" + d["body"]) for d in docs])
    runs = {}
    for qid, text in queries.items():
        words = list(dict.fromkeys(tok.words(text)))
        match = " OR ".join(f'"{w}"' for w in words)
        rows = con.execute(
            f"SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs), rowid LIMIT {DEPTH}", (match,)
        ).fetchall() if words else []
        runs[qid] = [r[0] for r in rows]
    return runs


def run_whoosh(docs: list[dict], queries: dict[str, str], tok: Tokens, work: Path) -> dict[str, Ranking]:
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import OrGroup, QueryParser
    from whoosh.scoring import BM25F

    folder = work / "whoosh"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), Schema(id=ID(stored=True), body=TEXT(analyzer=StemmingAnalyzer())))
    writer = ix.writer()
    for d in docs:
        writer.add_document(id=d["id"], body=d["title"] + "\n" + d["body"])
    writer.commit()
    parser = QueryParser("body", ix.schema, group=OrGroup)
    runs = {}
    with ix.searcher(weighting=BM25F(K1=K1, B=B)) as searcher:
        for qid, text in queries.items():
            results = searcher.search(parser.parse(text.lower()), limit=DEPTH)
            runs[qid] = [hit["id"] for hit in results]
    return runs


def newsdex_runner(lower: bool) -> Callable[..., dict[str, Ranking]]:
    def run(docs: list[dict], queries: dict[str, str], tok: Tokens, work: Path) -> dict[str, Ranking]:
        from indexer import Index, SearchRequest, reindex
        from indexer.search.runner import run_search

        if "match" not in {f.name for f in dataclasses.fields(SearchRequest)}:
            raise RuntimeError("newsdex's SearchRequest has no 'match' field yet (needed for match='any')")
        data = work / "newsdex-data"
        if not data.exists():
            corpus = work / "corpus"
            corpora.write_jsonl(
                ({"id": d["id"], "title": d["title"], "body": d["body"], "date": d.get("date")} for d in docs),
                corpus / "time.jsonl",
            )
            report = reindex([corpus], data, full=True)
            if report.articles != len(docs):
                print(f"[time] note: newsdex indexed {report.articles} of {len(docs)} docs", file=sys.stderr)
        runs = {}
        with Index.open(data) as index:
            for qid, text in queries.items():
                request = SearchRequest(
                    q=text.lower() if lower else text,
                    page_size=DEPTH,
                    snippets=False,
                    collapse=False,
                    match="any",
                )
                runs[qid] = [hit.id for hit in run_search(index.snapshot, request).hits]
        return runs

    return run


SYSTEMS: list[tuple[str, Callable[..., dict[str, Ranking]]]] = [
    ("newsdex (query as given)", newsdex_runner(lower=False)),
    ("newsdex (query lower-cased)", newsdex_runner(lower=True)),
    ("BM25 (here, Porter, TIME.STP)", run_bm25),
    ("bm25s (same tokens)", run_bm25s),
    ("SQLite FTS5 bm25", run_fts5),
    ("plain Whoosh BM25F", run_whoosh),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    corpora.add_corpora_option(ap)
    ap.add_argument("--per-query", action="store_true", help="also print average precision per query")
    ap.add_argument("--json", metavar="FILE", help="write the raw numbers to FILE")
    args = ap.parse_args(argv)

    docs, queries, qrels, stops = load(args.corpora)
    for d in docs:
        d["id"], d["title"] = str(d["id"]), d.get("title") or ""
    unknown = {doc for rel in qrels.values() for doc in rel} - {d["id"] for d in docs}
    if unknown:
        print(f"[time] warning: {len(unknown)} judged doc ids are not in docs: {sorted(unknown)[:5]}", file=sys.stderr)
    tok = Tokens(stops)
    results: dict[str, dict] = {}
    work = Path(tempfile.mkdtemp(prefix="newsdex-time-"))
    try:
        for name, run in SYSTEMS:
            t = time.perf_counter()
            try:
                runs = run(docs, queries, tok, work)
            except ImportError as error:
                results[name] = {"error": f"not available ({error})"}
                continue
            except Exception as error:  # a failing system is reported, not fatal
                results[name] = {"error": f"{type(error).__name__}: {error}"}
                continue
            results[name] = evaluate(runs, qrels)
            results[name]["seconds"] = time.perf_counter() - t
            results[name]["top10"] = {q: r[:10] for q, r in runs.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    judged = sum(len(r) for r in qrels.values())
    print(
        f"TIME collection: {len(docs)} docs, {len(queries)} queries, {judged} relevant judgments "
        f"({len(qrels)} queries judged). Bag-of-words (OR) queries; metrics over the top {DEPTH}.\n"
        f"Ran {corpora.machine_line()}.\n"
    )
    header = ["system", *METRICS, "mean retrieved", "time (s)"]
    rows = []
    for name, r in results.items():
        if "error" in r:
            rows.append([name, *(["—"] * (len(METRICS) + 2))])
            continue
        m = r["mean"]
        rows.append([name, *(f"{m[k]:.3f}" for k in METRICS), f"{m['retrieved']:.0f}", f"{r['seconds']:.1f}"])
    print(corpora.md_table(header, rows))
    for name, r in results.items():
        if "error" in r:
            print(f"\n- {name}: {r['error']}")
    if args.per_query:
        ok = [n for n, r in results.items() if "error" not in r]
        print("\nAverage precision per query:\n")
        print(
            corpora.md_table(
                ["query", *ok],
                [[q, *(f"{results[n]['AP'][q]:.3f}" for n in ok)] for q in sorted(qrels, key=int)],
            )
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": corpora.machine(), "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
