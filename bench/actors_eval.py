"""Actor extraction: seed gold scores, Reuters-21578 reference coverage, speed.

    python bench/actors_eval.py                # seeds, then Reuters (exit 2 if absent)
    python bench/actors_eval.py --seeds-only   # the seed gold only
    python bench/actors_eval.py --readme       # also rewrite "## Actors" in bench/README.md

Seeds: the five seed articles as the reader gives them, against the hand gold
in ``tests/data/actors_gold.json``; names compare by ``actor_key`` of their
canonical form, so aliases and spellings merge. Precision, recall and F1 per
article come from ``nltk.metrics``; the totals are micro-averaged.

Reuters (``reuters21578.jsonl.gz`` from the corpora folder): the hand-assigned
``people`` and ``orgs`` tags are the reference. A tagged person counts when its
surname (last part of the tag, capitalised) is in the text; the extractor finds
it when one of its actors has that surname as a word. A tagged organisation
counts when one of its names (``actors_reuters_orgs.tsv``) is in the text; it is
found when an actor is that organisation. Extraction runs as reindex runs it:
a first pass learns acronym definitions, a second extracts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

from corpora import (
    REPO,
    add_corpora_option,
    machine_line,
    md_table,
    read_jsonl_gz,
    require,
)
from nltk.metrics import f_measure, precision, recall

from indexer.actors import (
    ActorExtractor,
    AliasTable,
    actor_key,
    collect_definitions,
    load_aliases,
)
from indexer.ingest import read_file

GOLD = REPO / "tests" / "data" / "actors_gold.json"
ORGS = Path(__file__).with_name("actors_reuters_orgs.tsv")
README = Path(__file__).with_name("README.md")
REUTERS = "reuters21578.jsonl.gz"


def trained(
    articles: list[tuple[str, str]],
) -> tuple[ActorExtractor, AliasTable, float]:
    """An extractor that knows the corpus' acronym definitions, and the learn pass time."""
    first = ActorExtractor()
    start = time.perf_counter()
    definitions = collect_definitions(
        first.learn(title, body) for title, body in articles
    )
    elapsed = time.perf_counter() - start
    table = load_aliases().with_learned(definitions)
    return ActorExtractor(table), table, elapsed


def seed_scores() -> tuple[list[list[str]], str]:
    """Per-article rows and the total row for the seed gold, plus notes on the errors
    and the extraction speed on these long articles."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["articles"]
    seeds = {
        p.stem: read_file(p, p.parent).articles[0]
        for p in sorted((REPO / "seeds").glob("*.txt"))
    }
    extractor, table, _ = trained([(a.title, a.body) for a in seeds.values()])
    rows, notes = [], []
    all_ref: set[tuple[str, str]] = set()
    all_test: set[tuple[str, str]] = set()
    for stem, names in gold.items():
        article = seeds[stem]
        found = {
            actor_key(a.name): a.name
            for a in extractor.extract(article.title, article.body)
        }
        ref = {actor_key(table.canonical(n)): n for n in names}
        all_ref |= {(stem, k) for k in ref}
        all_test |= {(stem, k) for k in found}
        p, r, f = (
            precision(set(ref), set(found)),
            recall(set(ref), set(found)),
            f_measure(set(ref), set(found)),
        )
        rows.append(
            [stem, str(len(ref)), str(len(found)), f"{p:.2f}", f"{r:.2f}", f"{f:.2f}"]
        )
        missed = sorted(ref[k] for k in set(ref) - set(found))
        extra = sorted(found[k] for k in set(found) - set(ref))
        if missed or extra:
            notes.append(
                f"- {stem}: missed {missed or 'none'}; extra {extra or 'none'}"
            )
    p, r, f = (
        precision(all_ref, all_test),
        recall(all_ref, all_test),
        f_measure(all_ref, all_test),
    )
    rows.append(
        [
            "**all (micro)**",
            str(len(all_ref)),
            str(len(all_test)),
            f"{p:.2f}",
            f"{r:.2f}",
            f"{f:.2f}",
        ]
    )
    cpu = time.process_time()
    for _ in range(20):
        for article in seeds.values():
            extractor.extract(article.title, article.body)
    cpu = (time.process_time() - cpu) / (20 * len(seeds))
    chars = sum(len(a.title) + len(a.body) for a in seeds.values()) / len(seeds)
    notes.append(
        f"\nSpeed on these longer articles ({chars:,.0f} characters on average): "
        f"{cpu * 1e3:.2f} ms CPU per article."
    )
    if len(notes) == 1:
        notes.insert(0, "- every gold actor found, nothing extra")
    return rows, "\n".join(notes)


def _org_names() -> dict[str, list[str]]:
    names = {}
    for line in ORGS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, _, spellings = line.partition("\t")
            names[code] = spellings.split("|")
    return names


def _where(names: list[str], title: str, body: str) -> str:
    """ "body" if one of ``names`` is in the body, "headline" if only in the title, else ""."""
    patterns = [rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in names]
    if any(re.search(p, body) for p in patterns):
        return "body"
    return (
        "headline" if any(re.search(p, title, re.IGNORECASE) for p in patterns) else ""
    )


def reuters_scores(path: Path, limit: int | None) -> dict[str, object]:
    """Reference coverage, top actors and speed on Reuters-21578."""
    records = list(read_jsonl_gz(path))[:limit]
    articles = [(r.get("title") or "", r.get("body") or "") for r in records]
    extractor, table, learn_time = trained(articles)
    start, cpu = time.perf_counter(), time.process_time()
    results = [extractor.extract(title, body) for title, body in articles]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    load = os.getloadavg()[0]
    org_names = _org_names()
    # (kind, where the name is) -> [tags named there, tags found]
    counts = {(k, w): [0, 0] for k in ("people", "orgs") for w in ("body", "headline")}
    top: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    for record, (title, body), actors in zip(records, articles, results):
        keys = {actor_key(a.name) for a in actors}
        words = {w for k in keys for w in k.split()}
        for a in actors:
            top[a.name] += 1
            kinds.setdefault(a.name, a.kind)
        for tag in record.get("people") or []:
            surname = tag.split("-")[-1]
            where = _where([surname.capitalize()], title, body)
            if where:
                counts["people", where][0] += 1
                counts["people", where][1] += actor_key(surname) in words
        for tag in record.get("orgs") or []:
            names = org_names.get(tag, [])
            where = _where(names, title, body)
            if where:
                counts["orgs", where][0] += 1
                counts["orgs", where][1] += any(
                    actor_key(table.canonical(n)) in keys for n in names
                )
    return {
        "articles": len(articles),
        "counts": counts,
        "top": [(name, kinds[name], n) for name, n in top.most_common(30)],
        "learn_rate": len(articles) / learn_time,
        "rate": len(articles) / wall,
        "cpu_ms": cpu / len(articles) * 1e3,
        "chars": sum(len(t) + len(b) for t, b in articles) / len(articles),
        "load": load,
    }


def render(
    seed_rows: list[list[str]], seed_notes: str, reuters: dict[str, object] | None
) -> str:
    """The "## Actors" section of bench/README.md."""
    out = [
        "## Actors",
        "",
        f"`python bench/actors_eval.py --readme`, {machine_line()}.",
        "",
        "### Seed gold (`tests/data/actors_gold.json`)",
        "",
        "The five seeds as the reader gives them; names compare by the key of their canonical",
        "name, so aliases and spellings merge. The rules were written while reading these",
        "articles, so this is a training-set score: Reuters below is the unseen test.",
        "",
        md_table(
            ["article", "gold", "extracted", "precision", "recall", "F1"], seed_rows
        ),
        "",
        seed_notes,
    ]
    if reuters is None:
        return "\n".join(out) + "\n"
    counts = reuters["counts"]

    def share(kinds: tuple[str, ...], places: tuple[str, ...]) -> str:
        named = sum(counts[k, w][0] for k in kinds for w in places)  # type: ignore[index]
        found = sum(counts[k, w][1] for k in kinds for w in places)  # type: ignore[index]
        return f"{found:,} of {named:,} ({found / max(named, 1):.1%})"

    rows = [
        [
            label,
            share(kinds, ("body", "headline")),
            share(kinds, ("body",)),
            share(kinds, ("headline",)),
        ]
        for label, kinds in [
            ("people", ("people",)),
            ("organisations", ("orgs",)),
            ("all", ("people", "orgs")),
        ]
    ]
    out += [
        "",
        f"### Reuters-21578 ({reuters['articles']:,} articles)",
        "",
        "Reference: the hand-assigned `people` and `orgs` tags whose name is in the text",
        "(a person's surname; an organisation's usual name or acronym, see",
        "`bench/actors_reuters_orgs.tsv`), and how many of them the extractor finds,",
        "by where the name is: in the body, or only in the headline (Reuters",
        "headlines are in capitals, and 1,798 items are a headline alone).",
        "",
        md_table(
            [
                "tags named in the text",
                "found",
                "named in the body",
                "only in the headline",
            ],
            rows,
        ),
        "",
        (
            f"Speed, one process: {reuters['rate']:,.0f} articles/s for extraction "
            f"({reuters['cpu_ms']:.3f} ms CPU per article of {reuters['chars']:,.0f} "
            "characters on average); the first pass that learns acronym definitions "
            f"runs at {reuters['learn_rate']:,.0f} articles/s. Load average "
            f"{reuters['load']:.1f} on the machine at the end of the run: other "
            "work slows the wall-clock rate more than the CPU time."
        ),
        "",
        "Top 30 actors by number of articles:",
        "",
        md_table(
            ["actor", "kind", "articles"],
            [[n, k, f"{c:,}"] for n, k, c in reuters["top"]],
        ),  # type: ignore[attr-defined]
    ]
    return "\n".join(out) + "\n"


def write_readme(section: str) -> None:
    """Replace (or add) the "## Actors" section of bench/README.md, leaving the rest alone."""
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Actors\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    README.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_corpora_option(parser)
    parser.add_argument(
        "--seeds-only", action="store_true", help="score the seed gold only"
    )
    parser.add_argument(
        "--limit", type=int, help="use only the first N Reuters articles"
    )
    parser.add_argument(
        "--readme", action="store_true", help='rewrite "## Actors" in bench/README.md'
    )
    args = parser.parse_args(argv)
    seed_rows, seed_notes = seed_scores()
    if args.seeds_only:
        print(render(seed_rows, seed_notes, None))
        return 0
    print(render(seed_rows, seed_notes, None), flush=True)
    reuters = reuters_scores(require(REUTERS, args.corpora), args.limit)
    section = render(seed_rows, seed_notes, reuters)
    print(section[section.index("### Reuters") :])
    if args.readme:
        write_readme(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
