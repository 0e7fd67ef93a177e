"""The scale benchmark's corpus: distinct news articles recombined from the real ones.

Repeating Reuters + BBC + TIME (bench/perf.py --repeat-to) gives exact copies, which
newsdex folds into stories and which compress and match unlike a real collection. Here
every article is new text, made from one seeded stream, so that the corpus of N articles
is the first N of it (100,000 is a prefix of 1,000,000) and one generator serves all sizes:

- a base article is drawn from Reuters-21578 (articles with a body), BBC News and TIME,
  uniformly over all 22,427, so the three come in their proportions;
- the new article keeps the base's title (half the time with one word swapped for a word
  from another title of its group) and first paragraph; as many paragraphs as the base has
  after that one (one at least, so no body is its base's) come each from another article
  of the same source and group: Reuters' first topic (else its first place), BBC's
  category, TIME as one group. Reuters' sign-off ("Reuter") stays last;
- paragraphs are the corpora's: split on blank lines or on a line break followed by an
  indent (Reuters); an article with one paragraph (TIME) is cut every three sentences;
- a date from 2015-01-01 to 2025-12-31: each day weighted by its weekday (weekends about
  half) and by a seeded news volume of its own (lognormal), the hour mostly in office
  hours;
- an outlet from 40 real names with a Zipf-like skew (weight 1/rank^1.1), its URL, and 70%
  of the time an author from a pool of 576 made-up names;
- 3% are syndicated copies of one of the last 2,000 originals: the same title and body with
  one line changed (a word dropped), another outlet, published 0-2 days later
  (``syndicated_from`` names the original), so that story grouping has work to do.

Records carry the keys newsdex reads (id, title, body, source, url, date, authors) and the
tags SQLite FTS5 counts as facets in bench/perf_systems.py (Reuters ``topics`` and
``places``, BBC ``category``). Each corpus is written once under the work folder as JSONL
shards of 25,000, with the 100 articles that follow it in the stream (the incremental
update) in a file beside them, and reused while size, seed and this generator match.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import re
import shutil
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import corpora
from perf import SCALE_SOURCES, SHARD_SIZE

VERSION = 1  # of the generator: a cached corpus of another version is made again
UPDATE_ARTICLES = 100  # the new file of the incremental update
SYNDICATED = 0.03  # share of articles that are a near copy of a recent one
RECENT = 2_000  # originals a syndicated copy may copy
TITLE_VARIED = 0.5  # share of titles with one word swapped
WITH_AUTHOR = 0.7
FIRST_DAY, LAST_DAY = dt.date(2015, 1, 1), dt.date(2025, 12, 31)
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.95, 0.55, 0.45)  # Monday first
OUTLETS = (  # (name, domain), most frequent first
    ("Reuters", "reuters.com"), ("Associated Press", "apnews.com"), ("BBC News", "bbc.co.uk"),
    ("The Guardian", "theguardian.com"), ("The New York Times", "nytimes.com"), ("Bloomberg", "bloomberg.com"),
    ("CNN", "cnn.com"), ("The Washington Post", "washingtonpost.com"), ("Al Jazeera", "aljazeera.com"),
    ("Financial Times", "ft.com"), ("The Wall Street Journal", "wsj.com"), ("NPR", "npr.org"),
    ("The Independent", "independent.co.uk"), ("Deutsche Welle", "dw.com"), ("France 24", "france24.com"),
    ("The Times of India", "timesofindia.indiatimes.com"), ("South China Morning Post", "scmp.com"),
    ("The Sydney Morning Herald", "smh.com.au"), ("The Globe and Mail", "theglobeandmail.com"),
    ("Los Angeles Times", "latimes.com"), ("The Irish Times", "irishtimes.com"), ("ABC News", "abcnews.go.com"),
    ("CBS News", "cbsnews.com"), ("NBC News", "nbcnews.com"), ("Sky News", "news.sky.com"),
    ("Euronews", "euronews.com"), ("The Economist", "economist.com"), ("Politico", "politico.com"),
    ("The Hindu", "thehindu.com"), ("The Straits Times", "straitstimes.com"), ("Nikkei Asia", "asia.nikkei.com"),
    ("The Japan Times", "japantimes.co.jp"), ("Toronto Star", "thestar.com"), ("USA Today", "usatoday.com"),
    ("The Telegraph", "telegraph.co.uk"), ("Chicago Tribune", "chicagotribune.com"),
    ("The Atlantic", "theatlantic.com"), ("Newsweek", "newsweek.com"), ("Time", "time.com"),
    ("Mail & Guardian", "mg.co.za"),
)
FIRST_NAMES = """Anna Ben Carlos Dana Elif Farid Grace Hiro Ines James Kofi Lena Maria Nikhil Olga Pedro
    Quinn Rosa Sam Tariq Uma Victor Wen Yusuf""".split()
LAST_NAMES = """Adeyemi Brennan Costa Dubois Eriksen Fischer Garcia Hassan Ivanova Jensen Kim Lopez Mensah
    Novak Okafor Patel Quist Rossi Schmidt Tanaka Ueda Varga Walsh Zhang""".split()

PARAGRAPH = re.compile(r"\n[ \t]*\n|\n(?=[ \t]+\S)")  # a blank line, or Reuters' indented line
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
SIGN_OFF = re.compile(r"\n\s*(Reuter|REUTER)\s*$")
TITLE_WORD = re.compile(r"[A-Za-z]{4,}")


@dataclass(frozen=True)
class Base:
    """A real article as material: its paragraphs, its group, the tags FTS5 counts."""

    title: str
    paragraphs: tuple[str, ...]
    group: str
    sign_off: str
    tags: dict


@dataclass(frozen=True)
class Corpus:
    """The cached corpus of ``size`` articles: ``articles/`` (the shards), ``update.jsonl``
    and ``manifest.json`` (written last: a folder without it is unfinished)."""

    size: int
    folder: Path

    @property
    def articles(self) -> Path:
        return self.folder / "articles"

    @property
    def update(self) -> Path:
        return self.folder / "update.jsonl"

    def shards(self) -> list[Path]:
        return sorted(self.articles.glob("*.jsonl"))

    def manifest(self) -> dict:
        path = self.folder / "manifest.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    def titles(self, limit: int) -> list[str]:
        """The titles of the first ``limit`` articles (TIME's empty ones included)."""
        records = (r for shard in self.shards() for r in corpora.read_jsonl(shard))
        return [r["title"] for r in itertools.islice(records, limit)]


def paragraphs(body: str) -> list[str]:
    parts = [p.strip() for p in PARAGRAPH.split(body) if p.strip()]
    if len(parts) > 1:
        return parts
    sentences = SENTENCE.split(body.strip())
    return [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]


def load_bases(corpora_opt: str | None) -> list[Base]:
    bases = []
    for name in SCALE_SOURCES:
        for rec in corpora.read_jsonl_gz(corpora.require(name, corpora_opt)):
            body = (rec.get("body") or "").strip()
            if not body:
                continue
            sign_off = SIGN_OFF.search(body)
            if sign_off:
                body = body[: sign_off.start()]
            topics, places, category = rec.get("topics") or [], rec.get("places") or [], rec.get("category")
            group = f"{name}:{(topics or ['place ' + p for p in places] or [category or ''])[0]}"
            tags = {"topics": topics, "places": places} if "places" in rec else {"category": category} if category else {}
            title = " ".join((rec.get("title") or "").split())
            bases.append(Base(title, tuple(paragraphs(body)), group, sign_off.group(1) if sign_off else "", tags))
    return bases


class Generator:
    """The stream: article ``n`` depends only on the seed and the articles before it."""

    def __init__(self, bases: list[Base], seed: int) -> None:
        self.rng = random.Random(seed)
        self.bases = bases
        self.groups: dict[str, list[Base]] = {}
        for b in bases:
            self.groups.setdefault(b.group, []).append(b)
        volume = random.Random(seed + 1)
        self.days = [FIRST_DAY + dt.timedelta(d) for d in range((LAST_DAY - FIRST_DAY).days + 1)]
        weights = [WEEKDAY_WEIGHT[d.weekday()] * volume.lognormvariate(0, 0.3) for d in self.days]
        self.day_cum = list(itertools.accumulate(weights))
        self.outlet_cum = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(OUTLETS))))
        self.authors = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        self.recent: deque[dict] = deque(maxlen=RECENT)

    def __iter__(self) -> Iterator[dict]:
        for n in itertools.count():
            if self.recent and self.rng.random() < SYNDICATED:
                yield self._copy(n, self.rng.choice(self.recent))
            else:
                article = self._original(n)
                self.recent.append(article)
                yield article

    def _original(self, n: int) -> dict:
        rng = self.rng
        base = rng.choice(self.bases)
        group = self.groups[base.group]
        body = [base.paragraphs[0]]
        for _ in range(max(1, len(base.paragraphs) - 1)):
            donor = rng.choice(group).paragraphs
            body.append(rng.choice(donor[1:] or donor))
        if base.sign_off:
            body.append(base.sign_off)
        when = dt.datetime.combine(rng.choices(self.days, cum_weights=self.day_cum)[0], dt.time())
        when += dt.timedelta(minutes=int(rng.triangular(5, 24, 11) * 60))
        title = self._title(base.title, group)
        article = {"id": f"scale-{n:08d}", "title": title, "body": "\n\n".join(body)}
        article.update(self._outlet(n, title, when))
        return dict(article, **base.tags)

    def _title(self, title: str, group: list[Base]) -> str:
        words = list(TITLE_WORD.finditer(title))
        if not words or self.rng.random() >= TITLE_VARIED:
            return title
        others = TITLE_WORD.findall(self.rng.choice(group).title)
        if not others:
            return title
        word = self.rng.choice(words)
        return title[: word.start()] + self.rng.choice(others) + title[word.end() :]

    def _outlet(self, n: int, title: str, when: dt.datetime, unlike: str = "") -> dict:
        """Outlet, URL, date and authors of article ``n`` (an outlet other than ``unlike``)."""
        name, domain = unlike, ""
        while name == unlike:
            name, domain = self.rng.choices(OUTLETS, cum_weights=self.outlet_cum)[0]
        slug = "-".join(TITLE_WORD.findall(title.lower())[:8]) or "story"
        authors = [self.rng.choice(self.authors)] if self.rng.random() < WITH_AUTHOR else []
        return {
            "source": name,
            "url": f"https://www.{domain}/{when:%Y/%m/%d}/{slug}-{n}",
            "date": f"{when:%Y-%m-%dT%H:%M:00Z}",
            "authors": authors,
        }

    def _copy(self, n: int, original: dict) -> dict:
        lines = original["body"].split("\n")
        long_lines = [i for i, line in enumerate(lines) if len(line.split()) >= 4]
        if long_lines:
            i = self.rng.choice(long_lines)
            words = lines[i].split()
            del words[self.rng.randrange(len(words))]
            lines[i] = " ".join(words)
        when = dt.datetime.fromisoformat(original["date"]) + dt.timedelta(days=self.rng.randint(0, 2))
        copy = dict(original, id=f"scale-{n:08d}", body="\n".join(lines), syndicated_from=original["id"])
        copy.update(self._outlet(n, original["title"], when, unlike=original["source"]))
        return copy


def prepare(sizes: list[int], seed: int, work: Path, corpora_opt: str | None) -> dict[int, Corpus]:
    """The corpus of each size, made where it is not cached in ``work`` already (all the
    missing ones in one pass over the stream)."""
    found = {n: Corpus(n, work / f"corpus-{n}-seed{seed}") for n in sizes}
    missing = [c for c in found.values() if c.manifest().get("version") != VERSION]
    if missing:
        _write(missing, seed, load_bases(corpora_opt))
    return found


class _Out:
    """The files one corpus is being written to, while the stream passes by."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.partial = corpus.folder.with_name(corpus.folder.name + ".partial")
        shutil.rmtree(self.partial, ignore_errors=True)
        (self.partial / "articles").mkdir(parents=True)
        self.shard: IO[str] | None = None
        self.update = (self.partial / "update.jsonl").open("w", encoding="utf-8")
        self.syndicated = 0
        self.update_ids: list[str] = []

    def add(self, n: int, article: dict, line: str) -> None:
        if n < self.corpus.size:
            if n % SHARD_SIZE == 0:
                self._close_shard()
                self.shard = (self.partial / "articles" / f"part-{n // SHARD_SIZE:03d}.jsonl").open("w", encoding="utf-8")
            assert self.shard is not None
            self.shard.write(line)
            self.syndicated += "syndicated_from" in article
        elif n < self.corpus.size + UPDATE_ARTICLES:
            self.update.write(line)
            self.update_ids.append(article["id"])

    def _close_shard(self) -> None:
        if self.shard:
            self.shard.close()

    def finish(self, seed: int) -> None:
        self._close_shard()
        self.update.close()
        manifest = {
            "version": VERSION,
            "size": self.corpus.size,
            "seed": seed,
            "syndicated": self.syndicated,
            "jsonl_bytes": corpora.dir_size(self.partial / "articles"),
            "update_ids": self.update_ids,
        }
        (self.partial / "manifest.json").write_text(json.dumps(manifest, indent=1))
        shutil.rmtree(self.corpus.folder, ignore_errors=True)
        self.partial.rename(self.corpus.folder)


def _write(targets: list[Corpus], seed: int, bases: list[Base]) -> None:
    outs = [_Out(c) for c in targets]
    end = max(c.size for c in targets) + UPDATE_ARTICLES
    print(f"[scale] writing corpora of {', '.join(f'{c.size:,}' for c in targets)} articles ...", file=sys.stderr, flush=True)
    for n, article in zip(range(end), Generator(bases, seed)):
        line = json.dumps(article, ensure_ascii=False) + "\n"
        for out in outs:
            out.add(n, article, line)
        if n and n % 100_000 == 0:
            print(f"[scale] corpus: {n:,} of {end:,} articles", file=sys.stderr, flush=True)
    for out in outs:
        out.finish(seed)
