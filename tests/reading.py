"""Reading corpus files in tests: the seeds, one article from a file, a file's one problem."""

from __future__ import annotations

from pathlib import Path

from indexer.article import Article, FileRead, Problem
from indexer.ingest import read_file

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))


def seed(prefix: str) -> Article:
    (name,) = [n for n in SEED_NAMES if n.startswith(prefix)]
    read = read_file(SEEDS / name, SEEDS)
    assert not read.problems
    (article,) = read.articles
    return article


def read_one(path: Path, root: Path | None = None) -> Article:
    read = read_file(path, root or path.parent)
    assert not read.problems, read.problems
    (article,) = read.articles
    return article


def only_problem(read: FileRead) -> Problem:
    assert not read.articles
    (problem,) = read.problems
    return problem


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def paragraphs(article: Article) -> list[str]:
    return article.body.split("\n\n")
