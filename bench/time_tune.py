"""Would tuning newsdex's ranking on the TIME collection carry over to unseen queries?

    python bench/time_tune.py             # the grid below, then 2- and 5-fold cross-validation
    python bench/time_tune.py --quick     # a 16-setting grid, to try the script

Scores every setting of a grid over BM25F's k1 and body b and the pseudo-relevance
feedback knobs per query (average precision, as in ``time_eval.py``), then
cross-validates: the best setting on part of the queries is scored on the rest.
If the cross-validated MAP is below the shipped setting's, tuning only fits noise.
The settings are module constants of ``indexer.search.matching``, set here for the run.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import tempfile
from pathlib import Path

import corpora
import time_eval

GRID = {
    "K1": (0.9, 1.2, 1.6),
    "body_b": (0.6, 0.75, 0.9),
    "FEEDBACK_DOCS": (3, 5, 10),
    "FEEDBACK_TERMS": (10, 20, 30),
    "FEEDBACK_WEIGHT": (0.5, 1.0),
}
QUICK_GRID = {
    "K1": (0.9, 1.2),
    "body_b": (0.75, 0.9),
    "FEEDBACK_DOCS": (3, 5),
    "FEEDBACK_TERMS": (10, 20),
    "FEEDBACK_WEIGHT": (1.0,),
}

Setting = tuple  # values in GRID's key order
PerQuery = dict[str, float]  # query id -> average precision


def apply(setting: dict) -> None:
    from indexer.search import matching

    matching.K1 = setting["K1"]
    body = matching.FIELD_WEIGHTS["body"]
    matching.FIELD_WEIGHTS["body"] = matching.FieldWeight(body.weight, setting["body_b"])
    for name in ("FEEDBACK_DOCS", "FEEDBACK_TERMS", "FEEDBACK_WEIGHT"):
        setattr(matching, name, setting[name])


def shipped() -> dict:
    from indexer.search import matching

    return {
        "K1": matching.K1,
        "body_b": matching.FIELD_WEIGHTS["body"].b,
        **{n: getattr(matching, n) for n in ("FEEDBACK_DOCS", "FEEDBACK_TERMS", "FEEDBACK_WEIGHT")},
    }


def score_grid(grid: dict, corpora_opt: str | None) -> tuple[PerQuery, dict[Setting, PerQuery]]:
    """Average precision per query of the shipped setting and of every grid setting."""
    from indexer import Index, SearchRequest, reindex
    from indexer.search.runner import run_search

    docs, queries, qrels, _ = time_eval.load(corpora_opt)
    work = Path(tempfile.mkdtemp(prefix="newsdex-tune-"))
    try:
        articles = ({"id": str(d["id"]), "title": d.get("title") or "", "body": d["body"]} for d in docs)
        corpora.write_jsonl(articles, work / "c" / "time.jsonl")
        reindex([work / "c"], work / "data", full=True)
        with Index.open(work / "data") as index:
            snap = index.snapshot

            def per_query() -> PerQuery:
                snap.__dict__.pop("field_norms", None)  # b is baked into the cached norms
                aps = {}
                for qid, rel in qrels.items():
                    request = SearchRequest(
                        q=queries[qid].lower(),
                        page_size=time_eval.DEPTH,
                        snippets=False,
                        collapse=False,
                        match="any",
                    )
                    ranking = [h.id for h in run_search(snap, request).hits]
                    aps[qid] = time_eval.average_precision(ranking, rel)
                return aps

            base = per_query()
            scored = {}
            for values in itertools.product(*grid.values()):
                apply(dict(zip(grid, values)))
                scored[values] = per_query()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return base, scored


def cross_validate(scored: dict[Setting, PerQuery], folds: int) -> tuple[float, list[Setting]]:
    """MAP over all queries, each scored with the setting best on the other folds."""
    qids = sorted(next(iter(scored.values())), key=int)
    held_out: list[float] = []
    chosen = []
    for k in range(folds):
        test = qids[k::folds]
        train = [q for q in qids if q not in test]
        best = max(scored, key=lambda s: statistics.mean(scored[s][q] for q in train))
        chosen.append(best)
        held_out += [scored[best][q] for q in test]
    return statistics.mean(held_out), chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    corpora.add_corpora_option(ap)
    ap.add_argument("--quick", action="store_true", help="a 16-setting grid")
    args = ap.parse_args(argv)
    grid = QUICK_GRID if args.quick else GRID
    default = shipped()
    base, scored = score_grid(grid, args.corpora)
    best = max(scored, key=lambda s: statistics.mean(scored[s].values()))
    names = list(grid)
    print(f"TIME collection, {len(scored)} settings of {', '.join(names)}. Ran {corpora.machine_line()}.\n")
    rows = [
        [f"shipped {tuple(default[n] for n in names)}", f"{statistics.mean(base.values()):.3f}"],
        [f"best of the grid, training score {best}", f"{statistics.mean(scored[best].values()):.3f}"],
    ]
    for folds in (2, 5):
        cv, chosen = cross_validate(scored, folds)
        rows.append([f"{folds}-fold cross-validation (chosen: {', '.join(map(str, chosen))})", f"{cv:.3f}"])
    print(corpora.md_table(["setting", "MAP"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
