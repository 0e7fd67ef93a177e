"""The bulk segment writer writes what Whoosh's own writer writes.

The same documents are indexed twice: through Whoosh's ``add_document`` (its
analysis through newsdex's analyzer, its posting pool, its codec calls) and
through newsdex's writer (text analysed beforehand, postings written in bulk).
Every term, term statistic, posting, position, stored field and length must be
the same, so Whoosh (phrase matching, its own searcher) reads newsdex's segments
as its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer

from indexer import analysis
from indexer.article import Article
from indexer.build.document import Document
from indexer.engine.base import EngineError
from indexer.engine.postings import field_postings
from indexer.engine.whoosh import bulk_merge, flat_merge, internals, merging, w3_blocks
from indexer.engine.whoosh.engine import INDEX_NAME, WhooshEngine, WhooshIndex, make_schema

pytestmark = [pytest.mark.index]


class NewsTokenizer(Tokenizer):
    """newsdex's analysis as a Whoosh analyzer, for Whoosh's own writer to index the same
    documents with (newsdex's engine takes them analysed)."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, **kwargs: object) -> Iterator[Token]:  # type: ignore[override]
        t = Token(positions, chars, removestops=bool(kwargs.get("removestops", True)), mode=str(kwargs.get("mode", "")))
        for term, pos, start, end in analysis.analyse(value):
            t.text, t.boost, t.stopped = term, 1.0, False
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start, end
            yield t


WORDS = "mali niger junta attack attacks bamako wagner Goïta al-Qaeda Jama'at army airport".split()


def _articles(n: int, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 60)))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        published = dt.date(2024, 1, 1 + i % 28) if i % 4 else None  # (some without: gaps in the column)
        out.append(Article(f"a{i:04d}", title, body, source=f"s{i % 3}.com", published=published, origin=f"{i}.txt"))
    return out


def _document(a: Article, i: int) -> Document:
    actors = tuple(sorted({w for w in a.title.split() if w[0].isupper()}))
    analysed = {"title": field_postings(analysis.terms(a.title)), "body": field_postings(analysis.terms(a.body))}
    signature = bytes([i % 256]) * 8 if i % 5 else b""
    return Document(a, actors, f"story{i // 2}", f"/corpus/{i % 40}.txt", "h", signature, analysed)


def _index_with_whoosh(path: Path, docs: list[Document], commits: int = 1) -> None:
    """``docs`` in ``commits`` commits of Whoosh's own writer (merging as newsdex's commits do)."""
    path.mkdir()
    ix = whoosh_index.create_in(str(path), make_schema(NewsTokenizer()), indexname=INDEX_NAME)
    for part in _parts(docs, commits):
        writer = ix.writer()
        for doc in part:
            writer.add_document(**doc.fields())
        writer.commit(mergetype=merging.tiered)


def _index_with_newsdex(path: Path, docs: list[Document], commits: int = 1) -> None:
    engine = WhooshEngine().create(path)
    for part in _parts(docs, commits):
        writer = engine.writer()
        for doc in part:
            writer.add(doc.fields(), doc.analysed)
        writer.commit()


def _parts(docs: list[Document], n: int) -> list[list[Document]]:
    size = -(-len(docs) // n)
    return [docs[i : i + size] for i in range(0, len(docs), size)]


def _contents(path: Path) -> dict:
    """What Whoosh reads of an index: the key fields' terms and postings, stored fields,
    lengths, columns; and the text fields' postings (from Whoosh's term index in one
    Whoosh wrote, from the flat file in one newsdex wrote: they must be the same)."""
    ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
    with ix.searcher() as s:
        r = s.reader()
        terms = {}
        for field, term in r.all_terms():
            if field in TEXT_FIELDS:
                continue
            ti = r.term_info(field, term)
            m = r.postings(field, term)
            items = []
            while m.is_active():
                items.append((m.id(), m.weight(), m.value()))
                m.next()
            stats = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(),
                     ti.min_id(), ti.max_id())
            terms[field, term] = (stats, items)
        stored = [s.stored_fields(d) for d in range(s.doc_count_all())]
        lengths = {f: [r.doc_field_length(d, f) for d in range(s.doc_count_all())] for f in ("title", "body")}
        columns = {f: list(r.column_reader(f)) for f in COLUMNS if r.has_column(f)}
        whooshs = {(f, t.decode()): _whoosh_postings(r, f, t) for f, t in r.all_terms() if f in TEXT_FIELDS}
    return {"terms": terms, "stored": stored, "lengths": lengths, "columns": columns, "text": whooshs or _flat(path)}


def _whoosh_postings(r, field: str, term: bytes) -> tuple[int, list[tuple[int, float]]]:
    m = r.postings(field, term)
    items = []
    while m.is_active():
        items.append((m.id(), m.weight()))
        m.next()
    return r.doc_frequency(field, term), items


def _flat(path: Path) -> dict:
    """The text fields' postings as newsdex's engine reads them (from the flat files)."""
    reader = WhooshIndex.open(path).reader()
    try:
        return {
            (f, term): (df, list(zip(*(a.tolist() for a in reader.postings(f, term)))))
            for f in TEXT_FIELDS
            for term, df in reader.term_frequencies(f)
        }
    finally:
        reader.close()


TEXT_FIELDS = ("title", "body")


COLUMNS = ("id", "source", "published", "story", "file_key", "file_hash", "signature", "actor_list")


@pytest.mark.parametrize(
    "n,chunk",
    [(1, 100_000), (300, 100_000), (300, 50)],  # 300: common terms span several 128-posting blocks;
)  # a chunk of 50 postings: the lists are made a few terms at a time, a long term alone
def test_bulk_segments_hold_exactly_what_whoosh_writes(tmp_path: Path, monkeypatch, n: int, chunk: int) -> None:
    monkeypatch.setattr(w3_blocks, "CHUNK_POSTINGS", chunk)
    docs = [_document(a, i) for i, a in enumerate(_articles(n))]
    _index_with_whoosh(tmp_path / "whoosh", docs)
    _index_with_newsdex(tmp_path / "newsdex", docs)
    theirs, ours = _contents(tmp_path / "whoosh"), _contents(tmp_path / "newsdex")
    assert ours["terms"].keys() == theirs["terms"].keys()
    for key in theirs["terms"]:
        assert ours["terms"][key] == theirs["terms"][key], key
    assert ours["text"].keys() == theirs["text"].keys() and ours["text"]
    for key in theirs["text"]:
        assert ours["text"][key] == theirs["text"][key], key
    assert n == 1 or ours["columns"].keys() == set(COLUMNS)  # (the one document has no date)
    assert ours == theirs


def test_segments_merged_into_a_commit_hold_what_whoosh_merges(tmp_path: Path) -> None:
    """A commit that merges small segments into its own: their documents come after the
    commit's new ones, in every column, length and stored field."""
    docs = [_document(a, i) for i, a in enumerate(_articles(60))]
    _index_with_whoosh(tmp_path / "whoosh", docs, commits=12)  # 5 documents each: the 11th commit merges the ten before it
    _index_with_newsdex(tmp_path / "newsdex", docs, commits=12)
    ours = _contents(tmp_path / "newsdex")
    assert [s["id"] for s in ours["stored"]] != [d.article.id for d in docs]  # merged, so reordered
    assert ours == _contents(tmp_path / "whoosh")


PHRASES = ["mali junta", "junta mali", "attacks attack", "al-Qaeda army", "Bamako Wagner Goïta", "airport"]


def _has_phrase(terms: list[str], phrase: list[str]) -> bool:
    return any(terms[i : i + len(phrase)] == phrase for i in range(len(terms)))


@pytest.mark.parametrize("commits,deleted", [(1, ()), (12, ()), (12, ("/corpus/3.txt", "/corpus/17.txt"))])
def test_phrases_are_matched_on_the_flat_positions(tmp_path: Path, monkeypatch, commits: int, deleted) -> None:
    """In several segments of one run, in small segments merged into later ones, and in
    segments with deleted documents merged into one (an optimising commit)."""
    monkeypatch.setattr(internals, "SEGMENT_POSTINGS", 1_000)
    monkeypatch.setattr(flat_merge, "CHUNK_POSTINGS", 50)
    articles = _articles(205)
    articles[43] = dataclasses.replace(articles[43], body=articles[43].body + " zanzibar ferry")  # (43: /corpus/3.txt)
    docs = [_document(a, i) for i, a in enumerate(articles)]
    _index_with_newsdex(tmp_path / "ix", docs[:200], commits)
    engine = WhooshIndex.open(tmp_path / "ix")
    if deleted:
        writer = engine.writer()
        for key in deleted:
            writer.delete_by_key("file_key", key)
        for doc in docs[200:]:
            writer.add(doc.fields(), doc.analysed)
        writer.commit(optimize=True)
        assert len(whoosh_index.open_dir(str(tmp_path / "ix"), indexname=INDEX_NAME)._segments()) == 1
    indexed = [d for d in docs[:200] if d.file_key not in deleted] + (docs[200:] if deleted else [])
    reader = engine.reader()
    try:
        ids, live = reader.column("id"), set(reader.live_docnums().tolist())
        assert sorted(ids[n] for n in live) == sorted(d.article.id for d in indexed)
        assert len(reader.postings("body", "zanzibar")[0]) == (0 if deleted else 1)
        assert ("zanzibar" in dict(reader.term_frequencies("body"))) != bool(deleted)  # gone with its only document
        for text in PHRASES:
            phrase = analysis.terms(text)
            expected = {d.article.id for d in indexed if _has_phrase(analysis.terms(d.article.body), phrase)}
            assert expected, text
            assert {ids[n] for n in reader.phrase_docs("body", phrase) if n in live} == expected, text
    finally:
        reader.close()


@pytest.mark.parametrize("group_docs", [1, 120, 1_000])
def test_a_large_run_is_written_in_segments_merged_in_bulk_into_what_whoosh_writes(
    tmp_path: Path, monkeypatch, group_docs: int
) -> None:
    """Segments of a bounded size as the run goes (memory), merged at its commit into
    groups of up to ``GROUP_DOCS`` documents (1: none merged; 1,000: all into one) by
    copying their columns and postings; each document, term and posting as Whoosh's own
    writer would have written them into one segment."""
    monkeypatch.setattr(internals, "SEGMENT_POSTINGS", 500)
    monkeypatch.setattr(bulk_merge, "GROUP_DOCS", group_docs)
    monkeypatch.setattr(flat_merge, "CHUNK_POSTINGS", 50)  # (postings put in place a few terms at a time)
    docs = [_document(a, i) for i, a in enumerate(_articles(300))]
    _index_with_whoosh(tmp_path / "whoosh", docs)
    _index_with_newsdex(tmp_path / "newsdex", docs)
    segments = whoosh_index.open_dir(str(tmp_path / "newsdex"), indexname=INDEX_NAME)._segments()
    assert len(segments) == {1: 9, 120: 3, 1_000: 1}[group_docs]  # (9 written, of about 33 documents)
    assert sorted(p.name for p in (tmp_path / "newsdex").glob("*.npp")) == sorted(s.make_filename(".npp") for s in segments)
    theirs, ours = _contents(tmp_path / "whoosh"), _contents(tmp_path / "newsdex")
    assert ours["stored"] == theirs["stored"]
    assert ours["lengths"] == theirs["lengths"]
    assert ours["columns"] == theirs["columns"]
    postings = lambda c: {k: [(d, w) for d, w, _ in items] for k, (_, items) in c["terms"].items()}  # noqa: E731
    assert postings(ours) == postings(theirs)
    assert ours["text"] == theirs["text"]


def test_segments_of_one_run_read_as_one_segment_of_whoosh_would(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(internals, "SEGMENT_POSTINGS", 1_000)  # several segments, several files
    monkeypatch.setattr(bulk_merge, "GROUP_DOCS", 100)  # (merged into several)
    docs = [_document(a, i) for i, a in enumerate(_articles(300))]
    _index_with_newsdex(tmp_path / "ix", docs)
    _index_with_whoosh(tmp_path / "whoosh", docs)
    ix = whoosh_index.open_dir(str(tmp_path / "ix"), indexname=INDEX_NAME)
    assert len(list((tmp_path / "ix").glob("*.npp"))) == len(ix._segments()) > 1
    assert _flat(tmp_path / "ix") == _contents(tmp_path / "whoosh")["text"]
    reader = WhooshIndex.open(tmp_path / "ix").reader()
    try:
        every = [t for t, _ in reader.term_frequencies("body")]
        assert reader.expand_prefix("body", "a", 1000) == [t for t in every if t.startswith("a")]
        assert reader.expand_prefix("body", "a", 2) == [t for t in every if t.startswith("a")][:2]
    finally:
        reader.close()


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_segment_whose_flat_postings_cannot_be_read_is_an_error_that_says_to_rebuild(tmp_path: Path, damage) -> None:
    """They are the only copy of the text postings: searching without them would find nothing."""
    docs = [_document(a, i) for i, a in enumerate(_articles(50))]
    _index_with_newsdex(tmp_path / "ix", docs)
    (npp,) = (tmp_path / "ix").glob("*.npp")
    if damage == "missing":
        npp.unlink()
    else:
        npp.write_bytes(npp.read_bytes()[:100])
    with pytest.raises(EngineError, match=r"\.npp: the segment's postings cannot be read \("):
        WhooshIndex.open(tmp_path / "ix").reader()


def test_the_bulk_writer_refuses_whooshs_own_document_path(tmp_path: Path) -> None:
    """(Its text postings would come without the positions the flat file keeps.)"""
    (tmp_path / "ix").mkdir()
    writer = internals.BulkSegmentWriter(whoosh_index.create_in(str(tmp_path / "ix"), make_schema(), indexname=INDEX_NAME))
    with pytest.raises(TypeError, match="add_analysed"):
        writer.add_document(id="x", title="Mali", body="Bamako")
    writer.cancel()


@pytest.mark.parametrize("terms", [[], [b"a"], [b"", b"ab"], sorted({b"mali", b"bamako", b"b", "caf\u00e9".encode(), b"zz" * 9})])
def test_a_segments_terms_are_found_by_bisection_where_they_lie(terms: list[bytes]) -> None:
    from indexer.engine.whoosh.flat_postings import SortedTerms

    blob = np.frombuffer(b"\x00".join(terms), np.uint8)
    for found in (SortedTerms(blob), SortedTerms(blob, SortedTerms.starts_of(terms))):  # (starts found, or as written)
        assert list(found) == terms and len(found) == len(terms)
        assert [found.index_of(t) for t in terms] == list(range(len(terms)))
        assert found.index_of(b"nowhere") is None and found.index_of(b"\xff") is None


def test_a_readers_cache_of_posting_lists_stays_within_its_bytes(tmp_path: Path, monkeypatch) -> None:
    from indexer.engine.whoosh import engine

    docs = [_document(a, i) for i, a in enumerate(_articles(300))]
    _index_with_newsdex(tmp_path / "ix", docs)
    reader = WhooshIndex.open(tmp_path / "ix").reader()
    try:
        terms = [t for t, _ in reader.term_frequencies("body")][:200]
        uncached = {t: reader._read_postings("body", t) for t in terms}
        monkeypatch.setattr(engine, "POSTINGS_CACHE_BYTES", 2_000)  # a few lists at a time
        for t in terms * 2:
            docs_of, weights = reader.postings("body", t)
            assert np.array_equal(docs_of, uncached[t][0]) and np.array_equal(weights, uncached[t][1])
            assert sum(a.nbytes + b.nbytes for a, b in reader._postings.values()) <= 2_000 + docs_of.nbytes + weights.nbytes
    finally:
        reader.close()
