"""Reindex: incremental, atomic, locked, and honest about bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer import Index, StoreError, reindex
from indexer.search.snapshot import Snapshot
from indexer.store import ReindexLock, current_generation

pytestmark = [pytest.mark.index]

REPO = Path(__file__).resolve().parent.parent


def search_ids(data: Path, q: str) -> list[str]:
    with Index.open(data) as index:
        return sorted(h.id for h in index.search(q, page_size=100, collapse=False).hits)


def write_article(folder: Path, name: str, title: str, body: str) -> Path:
    path = folder / name
    path.write_text(json.dumps({"title": title, "body": body}), "utf-8")
    return path


def test_first_run_indexes_everything(corpus, tmp_path):
    report = reindex([corpus], tmp_path / "data")
    assert (report.added, report.updated, report.deleted, report.failed) == (5, 0, 0, 0)
    assert report.full and report.articles == 5


def test_second_run_skips_unchanged_files(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    report = reindex([corpus], data)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 5)
    assert not report.full


def test_a_run_that_finds_nothing_changed_makes_no_commit(corpus, tmp_path):
    """A server keeps its snapshot (nothing to reopen) and the columns are not built again."""
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        before = index.snapshot.version
        columns = sorted(p.name for p in data.glob("gen-*/columns-*.npz"))
        reindex([corpus], data)
        assert not index.refresh()
        assert index.snapshot.version == before
    assert sorted(p.name for p in data.glob("gen-*/columns-*.npz")) == columns
    write_article(corpus, "new.json", "Guterres in Bamako", "Guterres spoke in Bamako.")
    reindex([corpus], data)  # a change is committed as before
    with Index.open(data) as index:
        assert index.snapshot.version != before
        assert index.search("Guterres").total > 0


def test_added_changed_and_deleted_files_are_applied(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    write_article(corpus, "new.json", "Zanzibar ferry", "A ferry reached Zanzibar.")
    (corpus / "001_ee7b54f222b51b12.txt").write_text("Changed headline\nThe quokka story.\n", "utf-8")
    (corpus / "002_f906829c3a93a056.txt").unlink()

    report = reindex([], data)  # the corpus of the last run

    assert (report.added, report.updated, report.deleted, report.unchanged) == (1, 1, 1, 3)
    assert search_ids(data, "zanzibar") == ["new"]
    assert search_ids(data, "quokka") == ["001_ee7b54f222b51b12"]
    assert search_ids(data, "hideouts") == []
    assert report.articles == 5


def test_full_rebuild_switches_while_a_reader_holds_the_old_index(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    old = current_generation(data)
    with Index.open(data) as reader:
        assert reader.search("Guterres").total == 2
        write_article(corpus, "extra.json", "Guterres speaks", "Guterres spoke again.")
        report = reindex([corpus], data, full=True)
        assert report.full and current_generation(data) != old
        # the open index still answers, then follows the new generation by itself
        assert reader.search("Guterres").total == 3
    assert search_ids(data, "Guterres")[-1] == "extra"


def test_a_pinned_index_answers_from_one_version_until_the_block_ends(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        with index.pinned() as pinned:
            write_article(corpus, "extra.json", "Guterres speaks", "Guterres spoke again.")
            reindex([corpus], data)  # an incremental commit while the block runs
            assert pinned.search("Guterres").total == 2
            assert pinned.stats().articles == pinned.report().stats.articles == 5
            assert pinned.refresh() is False and pinned.search("Guterres").total == 2
        assert index.search("Guterres").total == 3 and index.stats().articles == 6


def test_an_index_is_opened_warm_and_switches_only_to_a_warm_generation(corpus, tmp_path):
    """What every search needs of a generation (facet columns, length norms) is built when
    it is opened, not by the first search that comes after."""
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        first = index.snapshot
        assert {"columns", "field_norms"} <= vars(first).keys()
        write_article(corpus, "extra.json", "Guterres speaks", "Guterres spoke again.")
        reindex([corpus], data, full=True)
        assert index.refresh() and not index.refresh()  # switched once
        assert index.snapshot is not first
        assert {"columns", "field_norms"} <= vars(index.snapshot).keys()
        assert index.snapshot.columns.live.sum() == 6


def test_searches_answer_from_the_open_generation_while_a_new_one_is_opened(corpus, tmp_path, monkeypatch):
    """Opening a new generation (and building its facet columns: seconds on a large index)
    does not hold up searches on other threads: they answer from the one already open."""
    data = tmp_path / "data"
    reindex([corpus], data)
    with Index.open(data) as index:
        write_article(corpus, "extra.json", "Guterres speaks", "Guterres spoke again.")
        reindex([corpus], data, full=True)
        opening, opened = threading.Event(), threading.Event()
        warm = Snapshot.warm

        def slow_warm(snapshot: Snapshot) -> None:  # the real warm-up, held until the search is done
            opening.set()
            opened.wait(30)
            warm(snapshot)

        monkeypatch.setattr(Snapshot, "warm", slow_warm)
        switching = threading.Thread(target=index.refresh)
        switching.start()
        assert opening.wait(10)
        totals: list[int] = []
        searching = threading.Thread(target=lambda: totals.append(index.search("Guterres").total))
        searching.start()
        searching.join(10)
        opened.set()
        switching.join(30)
        assert totals == [2]  # answered at once, from the generation already open
        assert index.search("Guterres").total == 3  # then the new one


def test_closing_an_index_releases_its_files(corpus, tmp_path):
    """After ``close`` nothing of the data directory is open or memory-mapped."""
    data = tmp_path / "data"
    reindex([corpus], data)

    def held() -> list[str]:
        mapped = [line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()]
        opened = [os.readlink(fd) for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink()]
        return [p for p in mapped + opened if p.startswith(str(data))]

    index = Index.open(data)
    index.search("Bamako")
    assert held()
    index.close()
    assert held() == []


def actor_labels(data: Path) -> set[str]:
    with Index.open(data) as index:
        return {v.label for v in index.search("", facet_size=100).facets["actor"].values}


def test_a_changed_aliases_file_rebuilds_the_index_with_a_note(corpus, tmp_path):
    """Unchanged files are not read again, so only a rebuild gives every article the
    actors the new aliases name; an unchanged aliases file rebuilds nothing."""
    data = tmp_path / "data"
    reindex([corpus], data)
    assert "Wagner Group" in actor_labels(data)
    data.joinpath("aliases.toml").write_text('["Wagner"]\naliases = ["Wagner Group", "Africa Corps"]\n', "utf-8")
    report = reindex([corpus], data)
    assert report.full and report.added == 5
    assert any("aliases.toml changed since the index was built; rebuilding it" in n for n in report.notes)
    labels = actor_labels(data)
    assert "Wagner" in labels and "Wagner Group" not in labels
    again = reindex([corpus], data)
    assert not again.full and again.unchanged == 5 and not again.notes


def test_a_broken_aliases_file_is_named_and_the_index_is_left_as_it_was(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    before = search_ids(data, "Bamako")
    aliases = data / "aliases.toml"
    aliases.write_text("[JNIM\naliases = []", "utf-8")
    write_article(corpus, "new.json", "Guterres in Bamako", "Guterres spoke in Bamako.")
    with pytest.raises(StoreError, match="not valid TOML") as info:
        reindex([corpus], data)
    assert str(aliases) in str(info.value) and "the index was not changed" in str(info.value)
    assert search_ids(data, "Bamako") == before
    cli = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "--data", str(data), "reindex", str(corpus)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert cli.returncode == 2 and "not valid TOML" in cli.stderr and "Traceback" not in cli.stderr


def test_a_second_reindex_at_once_is_refused(corpus, tmp_path):
    data = tmp_path / "data"
    with ReindexLock(data):
        with pytest.raises(StoreError, match=r"another reindex is running .*pid"):
            reindex([corpus], data)


def test_an_empty_corpus_makes_an_empty_index_that_searches_answer(tmp_path):
    (tmp_path / "empty").mkdir()
    report = reindex([tmp_path / "empty"], tmp_path / "data")
    assert report.articles == 0
    with Index.open(tmp_path / "data") as index:
        for q in ("mali", '"military junta"', "bomb*", "Guteres~", ""):
            result = index.search(q)
            assert result.total == 0 and result.hits == ()
        assert index.stats().generation == f"{report.generation}.1"  # its commit, though no segment
    # one snapshot served every search: its facet columns were saved once, under that commit
    assert [p.name for p in (tmp_path / "data" / report.generation).glob("columns-*")] == ["columns-v1-1.npz"]


def test_a_lock_left_by_a_dead_process_is_recovered(corpus, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "reindex.lock").write_text("pid 999999, started long ago")
    assert reindex([corpus], data).added == 5


def test_bad_files_are_reported_and_the_rest_indexed(corpus, tmp_path):
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "latin.txt").write_bytes("Caf\xe9 talks\n\nThe caf\xe9 owner met the mayor.".encode("cp1252"))
    lines = [json.dumps({"id": "good1", "title": "Good one", "body": "First good line."}),
             "{not json",
             json.dumps({"id": "good2", "title": "Good two", "body": "Second good line."})]
    (corpus / "feed.jsonl").write_text("\n".join(lines) + "\n", "utf-8")

    report = reindex([corpus], tmp_path / "data")

    reasons = {(p.path, p.line): p.reason for p in report.problems}
    assert any(path == "binary.txt" for path, _ in reasons)
    assert any(path == "empty.txt" for path, _ in reasons)
    assert ("feed.jsonl", 2) in reasons
    assert any("cp1252" in note for note in report.notes)
    assert search_ids(tmp_path / "data", "café") == ["latin"]
    assert search_ids(tmp_path / "data", "good") == ["good1", "good2"]
    assert report.articles == 5 + 3


def test_problems_of_an_unchanged_file_are_reported_on_every_run(corpus, tmp_path):
    """A file with good and bad lines is not read again while unchanged, but its bad lines
    are still reported (so ``--strict`` keeps failing until the file is fixed)."""
    feed = corpus / "feed.jsonl"
    good = json.dumps({"id": "good1", "title": "Good one", "body": "First good line."})
    feed.write_text(good + "\n{not json\n", "utf-8")
    data = tmp_path / "data"
    first = reindex([corpus], data)
    again = reindex([corpus], data)
    assert again.unchanged == first.articles and again.added == 0
    assert [(p.path, p.line) for p in again.problems] == [("feed.jsonl", 2)] and again.failed == 1

    feed.write_text(good + "\n", "utf-8")
    assert not reindex([corpus], data).problems
    assert not reindex([corpus], data).problems


def test_an_older_schema_is_rebuilt_with_an_explanation(corpus, tmp_path):
    data = tmp_path / "data"
    reindex([corpus], data)
    meta_path = current_generation(data) / "newsdex.json"
    meta = json.loads(meta_path.read_text())
    meta["schema_version"] = 0
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(StoreError, match="older newsdex"):
        Index.open(data)
    report = reindex([], data)
    assert report.full and any("rebuilding" in n for n in report.notes)
    assert search_ids(data, "Guterres")


@pytest.mark.reliability
@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.1, 0.5, 1.0])
def test_a_rebuild_killed_midway_leaves_the_old_index_searchable(tmp_path, kill_after):
    corpus, data = tmp_path / "big", tmp_path / "data"
    corpus.mkdir()
    write_article(corpus, "first.json", "Kestrel", "A kestrel story.")
    reindex([corpus], data)
    for i in range(8000):
        write_article(corpus, f"a{i:05d}.json", f"Heron {i}", f"Heron number {i} flew over the lake.")

    proc = subprocess.Popen(
        [sys.executable, "manage.py", "--data", str(data), "reindex", "--full", "--quiet", str(corpus)],
        cwd=REPO,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (data / "gen-000002").exists():
        time.sleep(0.02)
    time.sleep(kill_after)
    assert proc.poll() is None, "the rebuild finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert search_ids(data, "kestrel") == ["first"]
    assert search_ids(data, "heron") == []

    report = reindex([], data)
    assert report.articles == 8001
    assert len(search_ids(data, "kestrel OR heron")) == 100  # one page of 100


def test_an_article_moved_to_another_file_is_kept_not_taken_for_a_duplicate(tmp_path):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(json.dumps({"id": "one", "title": "Ferry", "body": "A ferry sailed."}) + "\n", "utf-8")
    (corpus / "b.jsonl").write_text(json.dumps({"id": "two", "title": "Quokka", "body": "A quokka smiled."}) + "\n", "utf-8")
    reindex([corpus], data)
    # "two" moves from b (read after a) into a
    (corpus / "a.jsonl").write_text(
        "".join(json.dumps(a) + "\n" for a in [
            {"id": "one", "title": "Ferry", "body": "A ferry sailed."},
            {"id": "two", "title": "Quokka", "body": "A quokka smiled."},
        ]),
        "utf-8",
    )
    (corpus / "b.jsonl").write_text(json.dumps({"id": "three", "title": "Wombat", "body": "A wombat dug."}) + "\n", "utf-8")
    report = reindex([], data)
    assert not report.problems
    assert search_ids(data, "quokka") == ["two"]
    assert report.articles == 3


def test_a_copy_added_in_a_later_run_joins_the_story_already_indexed(tmp_path):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    wire = "Floodwaters rose along the river on Tuesday as rescuers moved families from low-lying districts, " * 3
    article = {"id": "wire", "title": "Flood", "body": wire, "source": "wire.example"}
    (corpus / "a.jsonl").write_text(json.dumps(article) + "\n", "utf-8")
    reindex([corpus], data)
    copy = {"id": "copy", "title": "River flood", "body": wire, "source": "daily.example"}
    (corpus / "b.jsonl").write_text(json.dumps(copy) + "\n", "utf-8")
    report = reindex([], data)
    assert (report.added, report.unchanged) == (1, 1)
    with Index.open(data) as index:
        assert [a.id for a in index.story_copies("copy")] == ["wire"]
        hit = index.search("floodwaters").hits[0]
        assert hit.other_outlet_count == 1


@pytest.mark.parametrize("damage", ["table of contents removed", "flat postings truncated"])
def test_an_index_that_cannot_be_opened_is_an_error_that_says_to_rebuild(tmp_path: Path, damage: str) -> None:
    """A live generation damaged so that the engine cannot open it: searches and updates
    refuse it with a message that says to rebuild (not a traceback from the engine, nor
    that searches still use it); a full reindex rebuilds it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Bamako airport reopens\n\nThe airport in Bamako reopened on Monday.\n", "utf-8")
    data = tmp_path / "data"
    reindex([corpus], data)
    live = current_generation(data)
    if damage == "table of contents removed":
        for toc in live.glob("_MAIN_*.toc"):
            toc.unlink()
    else:
        for npp in live.glob("*.npp"):
            npp.write_bytes(npp.read_bytes()[:100])
    with pytest.raises(StoreError, match=r"cannot be opened .*: run 'manage.py reindex --full' to rebuild it$"):
        Index.open(data)
    (corpus / "b.txt").write_text("Niamey talks resume\n\nTalks in Niamey resumed on Tuesday.\n", "utf-8")
    with pytest.raises(StoreError, match=r"^cannot update the index in .*; run 'manage.py reindex --full' to rebuild it$"):
        reindex([corpus], data)
    assert reindex([corpus], data, full=True).articles == 2
    with Index.open(data) as index:
        assert index.search("bamako").total == 1


def test_a_corpus_path_that_is_not_there_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    """A typo, or a disk not mounted: the run is refused, naming the path, and the articles
    indexed from it stay (a missing root used to read as a corpus with no files)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Bamako airport reopens\n\nThe airport in Bamako reopened on Monday.\n", "utf-8")
    data = tmp_path / "data"
    reindex([corpus], data)
    with pytest.raises(StoreError, match=r"/no/such/path: no such file or directory; the index was not changed"):
        reindex(["/no/such/path"], data)
    monkeypatch.chdir(tmp_path / "data")  # the corpus of the last run is stored absolute
    assert reindex([], data).unchanged == 1
    corpus.rename(tmp_path / "unmounted")
    with pytest.raises(StoreError, match=r"corpus: no such file or directory"):
        reindex([], data)
    with Index.open(data) as index:
        assert index.search("bamako").total == 1


def test_bad_files_read_in_many_small_rounds_are_reported_once_and_the_rest_indexed(corpus, tmp_path, monkeypatch):
    """Files beyond the first round are read twice (the first walk learns acronyms): their
    problems are reported once, and what a bad file does hold is indexed as in one round."""
    from indexer.build import rounds

    (corpus / "empty.jsonl").write_text("", "utf-8")
    (corpus / "latin1.txt").write_bytes("Caf\xe9 in Bamako\n\nThe caf\xe9 owners in Bamako met the mayor.".encode("latin-1"))
    (corpus / "half.jsonl").write_text('{"id": "h1", "title": "Mopti", "body": "Mopti market."}\n{broken\n', "utf-8")
    one = reindex([corpus], tmp_path / "one", full=True)
    monkeypatch.setattr(rounds.Budget, "SMALLEST", 1)  # every article a round of its own
    many = reindex([corpus], tmp_path / "many", full=True, memory=1)
    assert (many.added, many.failed, sorted(map(str, many.problems))) == (one.added, one.failed, sorted(map(str, one.problems)))
    assert len(many.problems) == len(set(map(str, many.problems)))  # each once
    with Index.open(tmp_path / "many") as index:
        assert index.stats().articles == one.articles
        assert index.search("cafe").total == 1 and index.search("Mopti").total >= 1
