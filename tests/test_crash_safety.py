"""Crash safety: ``kill -9`` of ``manage.py reindex`` at many points, disk full, unwritable data.

After a kill the index opens and answers with the last committed state (all of the
old corpus or all of the new one, never a mix), and the next reindex completes and
matches a clean rebuild made in another data directory. Kill points are named
places in the code (see killpoints.py) plus seeded random moments; the count of
points and their results are summarised in bench/README.md ("Reliability").
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer import Index, IndexNotFound, reindex
from indexer.store import current_generation

# reindexes in processes of their own, killed or starved
pytestmark = [pytest.mark.reliability, pytest.mark.index, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
KILLPOINTS = Path(__file__).resolve().parent / "killpoints.py"
V1_ARTICLES = 120
SOURCES = ("sahelwatch.org", "wirenews.com", "bbc.co.uk")
BIRDS = ("heron", "kestrel", "plover", "curlew", "dunlin")
QUERIES = ("heron", "kestrel OR plover", "revised", "title:curlew", "actor:CMA", "dunlin -heron", "wag*")
WHOOSH_WRITER = "indexer.engine.whoosh.engine:WhooshWriter"

# (kill point, the state the index must be in afterwards: old, new or either)
INCREMENTAL_POINTS = [
    (f"before@{WHOOSH_WRITER}.delete_by_key#1", "old"),  # deleting the removed files' articles
    (f"before@{WHOOSH_WRITER}.add#1", "old"),
    (f"before@{WHOOSH_WRITER}.add#70", "old"),  # midway through the changed files
    (f"before@{WHOOSH_WRITER}.commit#1", "old"),
    ("after@indexer.engine.whoosh.flat_postings:write#1", "old"),  # segment and its flat postings written
    ("before@whoosh.filedb.filestore:FileStorage.rename_file#1", "old"),  # segment written, no new TOC
    ("before@whoosh.index:clean_files#1", "new"),  # new TOC in place, old files not yet removed
    ("after@whoosh.index:clean_files#1", "new"),
    (f"after@{WHOOSH_WRITER}.commit#1", "new"),
    ("before@indexer.store:write_meta#1", "old"),  # the corpus roots and learned aliases
]
FULL_POINTS = [
    ("before@shutil:rmtree#1", "old"),  # removing an unfinished generation left by an earlier crash
    ("before@indexer.store:new_generation#1", "old"),
    (f"before@{WHOOSH_WRITER}.add#50", "old"),
    (f"after@{WHOOSH_WRITER}.commit#1", "old"),  # new generation complete, not yet live
    ("before@indexer.store:_fsync_tree#1", "old"),  # about to sync the new generation to disk
    ("before@indexer.store:_fsync_dir#2", "new"),  # CURRENT replaced, not yet synced
    ("before@indexer.store:prune#2", "new"),  # switched, old generations not yet removed
    ("after@shutil:rmtree#2", "new"),  # the oldest generation removed
]
RANDOM_KILLS = 5  # seeded random moments during an incremental update (at least 2 must land: timing varies)


# --- the corpus: v1, then v2 (added, changed and deleted files) in the same folder ---


def _article(i: int, revised: bool = False) -> dict:
    rng = random.Random(i)
    birds = rng.sample(BIRDS, 2)
    word = "revised" if revised else "original"
    return {
        "id": f"a{i:04d}",
        "title": f"{birds[0].title()} count {i} ({word})",
        "body": f"Volunteers counted the {birds[0]} and the {birds[1]} near the lake, the {word} report says. "
        + ("A wagtail was seen too. " if i % 7 == 0 else ""),
        "source": SOURCES[i % len(SOURCES)],
        "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
    }


def write_v1(corpus: Path) -> None:
    corpus.mkdir(parents=True)
    for i in range(V1_ARTICLES):
        (corpus / f"a{i:04d}.json").write_text(json.dumps(_article(i)), "utf-8")


def change_to_v2(corpus: Path) -> None:
    """80 files added, 30 changed, 20 deleted; an acronym defined (a learned alias)."""
    for i in range(V1_ARTICLES, V1_ARTICLES + 80):
        (corpus / f"a{i:04d}.json").write_text(json.dumps(_article(i)), "utf-8")
    for i in range(0, 30):
        (corpus / f"a{i:04d}.json").write_text(json.dumps(_article(i, revised=True)), "utf-8")
    for i in range(V1_ARTICLES - 20, V1_ARTICLES):
        (corpus / f"a{i:04d}.json").unlink()
    cma = {
        "id": "cma",
        "title": "Rebels count herons near Kidal",
        "body": "The Coordination of Azawad Movements (CMA) said its fighters counted a heron near Kidal.",
        "source": "sahelwatch.org",
    }
    (corpus / "cma.json").write_text(json.dumps(cma), "utf-8")
    (corpus / "cma2.json").write_text(
        json.dumps({"id": "cma2", "title": "CMA talks", "body": "A CMA spokesman said talks would resume."}), "utf-8"
    )


def state(data: Path) -> dict:
    """What searches see: every id, and the ids and totals of a few searches and facets."""
    with Index.open(data) as index:
        ids: set[str] = set()
        page = 1
        while True:
            result = index.search("", page=page, page_size=100, collapse=False)
            ids |= {h.id for h in result.hits}
            if page >= result.pages:
                break
            page += 1
        assert len(ids) == result.total
        out: dict = {"ids": ids}
        for q in QUERIES:
            result = index.search(q, page_size=100, collapse=False, match="all")
            out[q] = (result.total, {h.id for h in result.hits})
        facets = index.search("", collapse=False).facets
        out["facets"] = {f: {v.label: v.count for v in facets[f].values} for f in ("source", "date")}
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The corpus (now at v2), a data directory holding v1, and both states to compare with."""
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    write_v1(corpus)
    template = root / "data-v1"
    reindex([corpus], template)
    reindex([corpus], template, full=True)  # two generations: a rebuild removes the older one
    old = state(template)
    change_to_v2(corpus)
    clean = root / "data-clean"
    reindex([corpus], clean, full=True)
    new = state(clean)
    assert old["ids"] != new["ids"] and old["revised"] != new["revised"]
    return {"root": root, "corpus": corpus, "template": template, "old": old, "new": new}


def _fresh_data(world: dict, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(world["template"], data)
    return data


def _killed_at(point: str, data: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, str(KILLPOINTS), point, "--", "--data", str(data), "reindex", "--quiet", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, f"{point} was not reached: {proc.returncode} {proc.stderr}"
    return proc


def _check_after_kill(world: dict, data: Path, expected: str) -> None:
    """The index opens with the old or the new state, whole; the next run completes it."""
    seen = state(data)
    assert seen in (world["old"], world["new"]), "a mix of the old and new corpus is visible"
    if expected != "either":
        assert seen == world[expected], f"expected the {expected} state"
    report = reindex([], data)  # the next run, with the corpus of the last one
    assert state(data) == world["new"], "the run after the kill does not match a clean rebuild"
    assert report.articles == len(world["new"]["ids"])
    again = reindex([], data)  # and it is stable
    assert again.added == again.updated == again.deleted == 0


@pytest.mark.parametrize("point,expected", INCREMENTAL_POINTS, ids=[p for p, _ in INCREMENTAL_POINTS])
def test_incremental_update_killed(world, tmp_path, point, expected):
    data = _fresh_data(world, tmp_path)
    _killed_at(point, data, str(world["corpus"]))
    _check_after_kill(world, data, expected)


@pytest.mark.parametrize("point,expected", FULL_POINTS, ids=[p for p, _ in FULL_POINTS])
def test_full_rebuild_killed(world, tmp_path, point, expected):
    data = _fresh_data(world, tmp_path)
    first = current_generation(data)
    (data / "gen-000009").mkdir()  # an unfinished generation from an earlier crash
    _killed_at(point, data, "--full", str(world["corpus"]))
    if expected == "old":
        assert current_generation(data) == first
    _check_after_kill(world, data, expected)


def _start_update(data: Path, corpus: Path) -> tuple[subprocess.Popen, float]:
    """Start ``manage.py reindex``; return it once it holds the lock (its work begins), and when."""
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "--data", str(data), "reindex", "--quiet", str(corpus)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if f"pid {proc.pid}," in (data / "reindex.lock").read_text():
                break
        except OSError:
            pass
        time.sleep(0.002)
    return proc, time.monotonic()


def test_incremental_update_killed_at_random_moments(world, tmp_path):
    """Kills at seeded random fractions of the time the same update takes when not killed."""
    data = tmp_path / "data-calibrate"
    shutil.copytree(world["template"], data)
    proc, locked = _start_update(data, world["corpus"])
    assert proc.wait(timeout=120) == 0
    work = time.monotonic() - locked
    _check_after_kill(world, data, "new")
    rng = random.Random(21578)
    killed = 0
    for n in range(RANDOM_KILLS):
        data = tmp_path / f"data-{n}"
        shutil.copytree(world["template"], data)
        proc, locked = _start_update(data, world["corpus"])
        time.sleep(max(0.0, locked + rng.uniform(0.05, 0.95) * work - time.monotonic()))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        _check_after_kill(world, data, "either")
    print(f"{killed} of {RANDOM_KILLS} updates killed (the work takes {work:.2f} s unkilled)")
    assert killed >= 2, f"only {killed} of {RANDOM_KILLS} updates were killed before they ended"


def test_a_new_corpus_killed_after_its_commit_is_completed_by_the_next_run(world, tmp_path):
    """``reindex B`` over an index of A, killed just after its commit: a plain ``reindex``
    must go on with B (the corpus the index now holds), not go back to A."""
    other = tmp_path / "other"
    write_v1(other)
    data = tmp_path / "data"
    reindex([other], data)
    _killed_at(f"after@{WHOOSH_WRITER}.commit#1", data, str(world["corpus"]))
    reindex([], data)
    assert state(data) == world["new"]


def test_the_first_build_killed_leaves_no_index_and_the_next_run_builds_it(world, tmp_path):
    data = tmp_path / "data"
    _killed_at(f"before@{WHOOSH_WRITER}.commit#1", data, str(world["corpus"]))
    with pytest.raises(IndexNotFound):
        Index.open(data)
    reindex([world["corpus"]], data)
    assert state(data) == world["new"]


# --- disk full, file too large, unwritable data directory --------------------------


def _bulky(corpus: Path, n: int = 1500) -> Path:
    corpus.mkdir()
    for i in range(n):
        article = {"id": f"b{i}", "title": f"Heron {i}", "body": f"Heron number {i} flew over lake {i * 7}. " * 5}
        (corpus / f"b{i:04d}.json").write_text(json.dumps(article), "utf-8")
    return corpus


def _snapshot(data: Path) -> tuple:
    """The live index as searches and the file system see it."""
    generation = current_generation(data)
    # (less the facet columns that the first search saves beside the index it opens)
    files = sorted(p.name for p in generation.iterdir() if p.name != "newsdex.json" and not p.match("columns-*.npz"))
    gens = sorted(p.name for p in data.glob("gen-*"))
    with Index.open(data) as index:
        found = {q: [h.id for h in index.search(q, collapse=False).hits] for q in ("guterres", "bamako", "heron")}
    return generation.name, gens, files, found


def _manage(data: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess:
    script = f"import sys\n{prelude}\nfrom indexer.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    return subprocess.run(
        [sys.executable, "-c", script, "--data", str(data), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _assert_refused_cleanly(proc: subprocess.CompletedProcess, data: Path, reason: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert f"error: cannot write the index in {data}: {reason}" in proc.stderr, proc.stderr


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 1 MB tmpfs (needs root, or CAP_SYS_ADMIN: skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        gc.collect()  # a closed Index's segment files stay mapped until their cycle is collected
        if subprocess.run(["umount", str(mount)]).returncode:
            subprocess.run(["umount", "--lazy", str(mount)], check=True)


def test_disk_full_is_a_clear_error_and_the_live_index_untouched(tiny_disk, tmp_path, corpus):
    data = tiny_disk / "data"
    reindex([corpus], data)
    before = _snapshot(data)
    bulky = _bulky(tmp_path / "bulky")

    for args in (["--full"], []):  # a rebuild beside the live index, then an update in it
        proc = _manage(data, "reindex", "--quiet", *args, str(bulky))
        _assert_refused_cleanly(proc, data, "No space left on device")
        assert "searches still use gen-000001" in proc.stderr
        assert _snapshot(data) == before  # what failed was removed: the space is free again
    assert shutil.disk_usage(tiny_disk).used < 400 * 1024
    reindex([corpus], data, full=True)  # and the next run works
    assert _snapshot(data)[3] == before[3]


def test_a_file_size_limit_is_a_clear_error_and_the_live_index_untouched(tmp_path, corpus):
    """Where no tmpfs can be mounted this is the disk-full test: writes fail with EFBIG."""
    data = tmp_path / "data"
    reindex([corpus], data)
    before = _snapshot(data)
    bulky = _bulky(tmp_path / "bulky")
    limit = (
        "import resource, signal\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"  # fail the write instead of killing the process
        "resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))\n"
    )
    for args in (["--full"], []):
        proc = _manage(data, "reindex", "--quiet", *args, str(bulky), prelude=limit)
        _assert_refused_cleanly(proc, data, "File too large")
        assert _snapshot(data) == before


def test_a_read_only_data_directory_is_a_clear_error(tiny_disk, corpus):
    data = tiny_disk / "data"
    reindex([corpus], data)
    before = _snapshot(data)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    try:
        proc = _manage(data, "reindex", "--quiet", str(corpus))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert f"error: cannot use the data directory {data}: Read-only file system" in proc.stderr
        assert _snapshot(data) == before  # still searchable
        search = _manage(data, "search", "guterres")
        assert search.returncode == 0 and "2 results" in search.stdout, search.stderr
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tiny_disk)], check=True)


def test_a_data_directory_that_is_a_file_is_a_clear_error(tmp_path, corpus):
    data = tmp_path / "data"
    data.write_text("not a folder")
    proc = _manage(data, "reindex", "--quiet", str(corpus))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"error: the data directory {data} is a file, not a folder" in proc.stderr
    search = _manage(data, "search", "guterres")
    assert search.returncode == 2 and "Traceback" not in search.stderr, search.stderr


# --- worker processes -----------------------------------------------------------------


def _session(sid: int) -> list[int]:
    """The processes of session ``sid`` that are still alive (not zombies)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _parallel_reindex(point: str, data: Path, corpus: Path) -> subprocess.Popen:
    """A full rebuild in worker processes (10 articles make a parallel run), armed at ``point``."""
    return subprocess.Popen(
        [
            sys.executable, str(KILLPOINTS), point, "indexer.build.pipeline:PARALLEL_FROM=10",
            "--", "--data", str(data), "reindex", "--quiet", "--full", str(corpus),
        ],
        cwd=REPO,
        start_new_session=True,  # its workers share its session id: its pid
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _left_behind(proc: subprocess.Popen) -> list[int]:
    """The processes of ``proc``'s session still running a few seconds after it ended (killed)."""
    deadline = time.monotonic() + 5
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _session(proc.pid)
    for pid in left:  # the test's own processes: clean up before failing
        os.kill(pid, signal.SIGKILL)
    return left


def test_a_parallel_reindex_killed_leaves_no_worker_processes(world, tmp_path):
    data = _fresh_data(world, tmp_path)
    # killed while it writes documents: its workers find actors, or wait for more
    proc = _parallel_reindex(f"before@{WHOOSH_WRITER}.add#5", data, world["corpus"])
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    left = _left_behind(proc)
    assert not left, f"{len(left)} processes of the killed reindex are still running"
    _check_after_kill(world, data, "old")


def test_a_worker_killed_fails_the_reindex_with_a_clear_error_and_the_index_as_it_was(world, tmp_path):
    data = _fresh_data(world, tmp_path)
    proc = _parallel_reindex("before@indexer.build.pipeline:_find_actors#1", data, world["corpus"])  # in a worker
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "a worker process ended before its work was done" in err and "searches still use gen-" in err
    assert "Traceback" not in err
    assert not _left_behind(proc)
    _check_after_kill(world, data, "old")
