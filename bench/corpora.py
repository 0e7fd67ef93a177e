"""Helpers shared by the benchmark scripts: find the corpora, read them, hand them to newsdex.

The corpora live in ``shared/corpora`` next to the repository (see its
SOURCES.md). The folder is, in order of precedence: the ``--corpora DIR``
option, the ``NEWSDEX_CORPORA`` environment variable, or
``<repo>/../shared/corpora``. A missing file is reported with the file and the
folder looked in, and the script exits with status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import resource
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
ENV_VAR = "NEWSDEX_CORPORA"
EXIT_MISSING = 2

if str(REPO) not in sys.path:  # so the scripts can `import indexer` when run as bench/x.py
    sys.path.insert(0, str(REPO))


def add_corpora_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpora",
        metavar="DIR",
        help=f"folder holding the corpora (default: ${ENV_VAR}, else ../shared/corpora beside the repo)",
    )


def corpora_dir(option: str | None = None) -> tuple[Path, str]:
    """The corpora folder and where that choice came from (for error messages)."""
    if option:
        return Path(option).expanduser(), "--corpora"
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser(), f"${ENV_VAR}"
    return DEFAULT_CORPORA, "default: ../shared/corpora beside the repository"


def require(rel: str, option: str | None = None) -> Path:
    """The path of corpus file ``rel``; exits with status 2 saying what is missing and where."""
    folder, origin = corpora_dir(option)
    path = folder / rel
    if not path.is_file():
        print(
            f"error: corpus file '{rel}' is absent: looked for {path} "
            f"(corpora folder {folder}, from {origin}). "
            f"Pass --corpora DIR or set ${ENV_VAR} to the folder holding the corpora "
            f"(see its SOURCES.md).",
            file=sys.stderr,
        )
        sys.exit(EXIT_MISSING)
    return path


def read_jsonl_gz(path: Path) -> Iterator[dict]:
    """The JSON objects of a gzip-compressed JSONL file, one per non-blank line."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def write_jsonl(records: Iterable[dict], path: Path) -> int:
    """Write records as uncompressed JSONL (what newsdex reads); returns how many."""
    n = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False))
            f.write("\n")
            n += 1
    return n


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def dir_size(path: Path) -> int:
    """Bytes of all regular files under ``path`` (or of ``path`` itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark in MiB.

    Linux's ``VmHWM`` of the current address space. Not ``ru_maxrss``: a child
    started by fork + exec inherits its parent's ``ru_maxrss``, so a child of a
    big parent would report the parent's peak (``RUSAGE_CHILDREN`` likewise
    keeps the largest child so far, not each one's).
    """
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, str | int]:
    """What the numbers were measured on."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model or "unknown",
        "cores": os.cpu_count() or 0,
        "memory": mem,
        "python": platform.python_version(),
        "sqlite": __import__("sqlite3").sqlite_version,
    }


def git_commit() -> str:
    """The repository's commit, ``-dirty`` after it when tracked files differ from it
    (numbers measured on uncommitted code say so); ``unknown`` without git."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=7"], cwd=REPO, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def machine_line(m: dict | None = None) -> str:
    m = m or machine()
    return (
        f"{m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory']}, "
        f"Python {m['python']}, SQLite {m['sqlite']}"
    )


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub markdown table; the first column left-aligned, the rest right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
