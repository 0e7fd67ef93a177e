"""Story detection against known copies: do byte-identical bodies share a story id?

    python bench/stories_eval.py            # Reuters-21578 and BBC News

Each corpus's ``duplicates.tsv`` lists groups of records with byte-identical
non-empty bodies. The articles go through newsdex's JSON reader and its story
finder (5-word shingles, MinHash, LSH) in corpus order, as reindex does.
Reported: the share of listed groups kept whole (recall of exact copies), and
how many further multi-article stories the finder made (near copies, which a
person can judge from the sample printed).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import corpora

from indexer.article import Article
from indexer.build.stories import StoryFinder, signature_bytes
from indexer.ingest import read_file

CORPORA = {
    "Reuters-21578": ("reuters21578.jsonl.gz", "reuters21578/duplicates.tsv"),
    "BBC News": ("bbc_news.jsonl.gz", "bbc_news/duplicates.tsv"),
}


def groups_of(path: Path) -> list[set[str]]:
    groups = []
    for line in path.read_text().splitlines():
        if line.startswith("#") or line.startswith("same_title") or not line.strip():
            continue
        groups.append(set(line.split("\t")[1].split()))
    return groups


def evaluate(name: str, articles: list[Article], groups: list[set[str]]) -> dict:
    finder = StoryFinder()
    started = time.perf_counter()
    story = {a.id: finder.assign(a.id, signature_bytes(a), a.published) for a in articles}
    seconds = time.perf_counter() - started
    whole = sum(1 for g in groups if len({story[i] for i in g if i in story}) == 1)
    members = defaultdict(list)
    for article_id, s in story.items():
        members[s].append(article_id)
    listed = {frozenset(g) for g in groups}
    multi = [set(m) for m in members.values() if len(m) > 1]
    beyond = [m for m in multi if not any(m <= g for g in listed)]
    return {
        "corpus": name,
        "articles": len(articles),
        "groups": len(groups),
        "whole": whole,
        "stories": len(members),
        "multi": len(multi),
        "beyond": beyond,
        "rate": len(articles) / seconds,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    corpora.add_corpora_option(ap)
    ap.add_argument("--sample", type=int, default=3, help="near-copy stories to print per corpus")
    args = ap.parse_args()
    rows, results = [], []
    for name, (docs, dups) in CORPORA.items():
        with tempfile.TemporaryDirectory() as work:
            jsonl = Path(work) / "corpus.jsonl"
            corpora.write_jsonl(corpora.read_jsonl_gz(corpora.require(docs, args.corpora)), jsonl)
            articles = read_file(jsonl, Path(work)).articles
        by_id = {a.id: a for a in articles}
        result = evaluate(name, articles, groups_of(corpora.require(dups, args.corpora)))
        results.append((result, by_id))
        rows.append([
            name,
            f"{result['articles']:,}",
            f"{result['groups']}",
            f"{result['whole']} ({result['whole'] / result['groups']:.1%})",
            f"{result['multi']:,}",
            f"{len(result['beyond']):,}",
            f"{result['rate']:,.0f}",
        ])
    print(corpora.machine_line())
    print()
    print(corpora.md_table(
        ["corpus", "articles", "exact-copy groups", "kept whole (recall)", "stories with copies",
         "of them beyond the exact copies", "articles/s"],
        rows,
    ))
    for result, by_id in results:
        for story in result["beyond"][: args.sample]:
            print(f"\n{result['corpus']}: near copies grouped together:")
            for article_id in sorted(story):
                print(f"  {article_id}: {by_id[article_id].title[:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
