"""The engine contract: what build and search ask of an engine, held against both engines.

Every test runs on the Whoosh engine (an index on disk) and on the in-memory
engine. The documents are the seeds, prepared by the build layer as a reindex
prepares them, so the engines are asked exactly what newsdex asks of them; the
last tests run the whole API (reindex, then searches) over each engine and
compare the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, analysis, reindex
from indexer.actors import ActorExtractor
from indexer.build.document import Document
from indexer.build.pipeline import prepare
from indexer.engine import Engine, EngineBusy, EngineError, EngineIndex, EngineReader
from indexer.engine.memory import MemoryEngine
from indexer.engine.schema import BYTES_COLUMNS, STORED_FIELDS, TEXT_COLUMNS, TEXT_FIELDS
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.ingest import read_file

pytestmark = [pytest.mark.index]

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
ENGINES: dict[str, Callable[[], Engine]] = {"whoosh": WhooshEngine, "memory": MemoryEngine}


@pytest.fixture(scope="module")
def documents(extractor: ActorExtractor) -> list[Document]:
    """The seeds as the build layer makes them into documents, two to a file key."""
    docs = []
    for i, path in enumerate(SEEDS):
        for article in read_file(path, REPO / "seeds").articles:
            ready = prepare(extractor, article)
            story, key = f"story-{i % 3}", f"file-{i // 2}"
            docs.append(Document(article, ready.actors, story, key, f"hash{i}", ready.signature, ready.analysed))
    return docs


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> Engine:
    return ENGINES[request.param]()


def _index(engine: Engine, path: Path, docs: list[Document]) -> EngineIndex:
    index = engine.create(path)
    writer = index.writer()
    for doc in docs:
        writer.add(doc.fields(), doc.analysed)
    writer.commit()
    return index


@pytest.fixture
def reader_of(engine: Engine, tmp_path: Path) -> Iterator[Callable[[list[Document]], EngineReader]]:
    readers: list[EngineReader] = []

    def make(docs: list[Document]) -> EngineReader:
        readers.append(_index(engine, tmp_path / f"ix{len(readers)}", docs).reader())
        return readers[-1]

    yield make
    for r in readers:
        r.close()


def _live(reader: EngineReader) -> dict[str, int]:
    """Live article id -> document number."""
    ids = reader.column("id")
    return {ids[d]: int(d) for d in reader.live_docnums()}


def _terms(doc: Document, field: str) -> list[str]:
    return doc.analysed[field].terms.decode("utf-8").split("\x00")


def test_a_new_index_is_empty_and_each_commit_is_a_new_version(engine: Engine, tmp_path: Path, documents) -> None:
    index = engine.create(tmp_path / "ix")
    reader = index.reader()
    assert (reader.doc_count, len(reader.live_docnums())) == (0, 0)
    assert len(reader.postings("body", "mali")[0]) == 0
    before = index.version()
    writer = index.writer()
    writer.add(documents[0].fields(), documents[0].analysed)
    writer.commit()
    assert index.version() != before
    assert index.reader().version == index.version()


def test_stored_fields_and_columns_come_back_as_written(reader_of, documents) -> None:
    reader = reader_of(documents)
    assert reader.doc_count == len(documents)
    live = _live(reader)
    text_columns = {name: reader.column(name) for name in TEXT_COLUMNS}
    bytes_columns = {name: reader.column_bytes(name) for name in BYTES_COLUMNS}
    for doc in documents:
        fields = doc.fields()
        d = reader.docnum_of(doc.article.id)
        assert d == live[doc.article.id]
        assert reader.stored(d) == {k: v for k, v in fields.items() if k in STORED_FIELDS}
        for name, values in text_columns.items():
            assert values[d] == fields.get(name, ""), name
        for name, values in bytes_columns.items():
            assert values[d] == fields.get(name, b""), name
    assert reader.docnum_of("no-such-id") is None


def test_postings_lengths_and_term_statistics_follow_the_analysed_fields(reader_of, documents) -> None:
    reader = reader_of(documents)
    live = _live(reader)
    for field in TEXT_FIELDS:
        lengths = reader.field_lengths(field)
        frequencies = dict(reader.term_frequencies(field))
        for doc in documents:
            d = live[doc.article.id]
            fp = doc.analysed[field]
            if fp.length <= 10:  # (Whoosh keeps longer lengths rounded to a byte)
                assert lengths[d] == fp.length
            for term, count in zip(_terms(doc, field), np.frombuffer(fp.freqs, np.uint32).tolist()):
                docs, tfs = reader.postings(field, term)
                assert list(docs) == sorted(docs) and d in docs.tolist()
                assert tfs[docs.tolist().index(d)] == count
                assert frequencies[term] == len(docs)
        assert list(frequencies) == sorted(frequencies)


def test_phrases_match_words_in_a_row_only(reader_of, documents) -> None:
    reader = reader_of(documents)
    doc = documents[0]
    pair = analysis.terms(doc.article.body)[3:5]
    found = reader.phrase_docs("body", pair)
    assert _live(reader)[doc.article.id] in found.tolist()
    assert reader.phrase_docs("body", ["zzzunknown", pair[0]]).tolist() == []
    for d in reader.live_docnums().tolist():  # found exactly where the analysed text has them in a row
        seq = analysis.terms(reader.stored(d)["body"])
        assert (d in found.tolist()) == any(seq[i : i + 2] == pair for i in range(len(seq) - 1))


def test_prefixes_expand_to_terms_in_order_up_to_the_limit(reader_of, documents) -> None:
    reader = reader_of(documents)
    every = [t for t, _ in reader.term_frequencies("body")]
    expected = [t for t in every if t.startswith("ma")]
    assert reader.expand_prefix("body", "ma", 1000) == expected and expected
    assert reader.expand_prefix("body", "ma", 2) == expected[:2]
    assert reader.expand_prefix("body", "zzzz", 10) == []


def test_deleting_by_file_key_takes_the_files_documents_out_at_the_commit(engine: Engine, tmp_path: Path, documents) -> None:
    index = _index(engine, tmp_path / "ix", documents)
    before = index.reader()
    writer = index.writer()
    gone = {d.article.id for d in documents if d.file_key == "file-0"}
    assert writer.delete_by_key("file_key", "file-0") == len(gone)
    assert writer.delete_by_key("file_key", "no-such-file") == 0
    writer.commit()
    after = index.reader()
    assert set(_live(after)) == {d.article.id for d in documents} - gone
    assert after.doc_count == len(documents) - len(gone)
    for article_id in gone:
        assert after.docnum_of(article_id) is None
    assert set(_live(before)) == {d.article.id for d in documents}  # a reader keeps its commit


def test_a_cancelled_writer_leaves_the_index_as_it_was(engine: Engine, tmp_path: Path, documents) -> None:
    index = _index(engine, tmp_path / "ix", documents[:2])
    version = index.version()
    writer = index.writer()
    writer.add(documents[2].fields(), documents[2].analysed)
    writer.delete_by_key("file_key", "file-0")
    assert set(_live(index.reader())) == {d.article.id for d in documents[:2]}  # nothing seen before the commit
    writer.cancel()
    assert index.version() == version
    assert set(_live(index.reader())) == {d.article.id for d in documents[:2]}
    index.writer().cancel()  # the write lock was released


def test_one_writer_at_a_time(engine: Engine, tmp_path: Path) -> None:
    index = engine.create(tmp_path / "ix")
    writer = index.writer()
    with pytest.raises(EngineBusy):
        index.writer()
    writer.cancel()


def test_segments_cover_the_documents_and_give_their_columns(engine: Engine, tmp_path: Path, documents, monkeypatch) -> None:
    """A reader's segments follow each other over every document number, and a segment's
    column is the reader's for its numbers; a segment the writer tells of holds the
    documents added, in order, from its ``start``, and one it tells was merged of some
    of those holds theirs in turn."""
    from indexer.engine.whoosh import bulk_merge, internals

    monkeypatch.setattr(internals, "SEGMENT_POSTINGS", 100)  # (Whoosh: a segment written a document,
    monkeypatch.setattr(bulk_merge, "GROUP_DOCS", 2)  # merged two by two)
    told: list = []
    merged: list = []
    index = engine.create(tmp_path / "ix")
    writer = index.writer(on_segment=told.append, on_merged=lambda segment, parts: merged.append((segment, parts)))
    for doc in documents:
        writer.add(doc.fields(), doc.analysed)
    writer.commit()
    reader = index.reader()
    try:
        segments = reader.segments()
        assert [s.start for s in segments] == [0, *np.cumsum([s.size for s in segments[:-1]]).tolist()]
        assert sum(s.size for s in segments) == reader.docnum_limit == len(documents)
        ids, signatures = reader.column("id"), reader.column_bytes("signature")
        for segment in segments:
            numbers = slice(segment.start, segment.start + segment.size)
            assert reader.column("id", segment) == ids[numbers]
            assert reader.column_bytes("signature", segment) == signatures[numbers]
        added = [d.article.id for d in documents]
        for segment, parts in merged:
            assert all(p in told for p in parts) and parts[0].start == segment.start
            assert [p.start for p in parts[1:]] == [p.start + p.size for p in parts[:-1]]
            assert sum(p.size for p in parts) == segment.size
        final = [s for s in told if s.key in {k.key for k in segments}] + [s for s, _ in merged]
        for segment in final:  # (Whoosh tells of each; the memory engine, whose commit rewrites all, of none)
            in_segment = {s.key: s for s in segments}[segment.key]
            assert reader.column("id", in_segment) == added[segment.start : segment.start + segment.size]
        assert engine.name == "memory" or (sum(s.size for s in final) == len(documents) and len(told) > len(merged) > 1)
    finally:
        reader.close()


def test_opening_a_missing_index_is_an_engine_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="no index"):
        engine.open(tmp_path / "nothing-here")


# -- the whole API over each engine -------------------------------------------------------

QUERIES = ["", "bamako", "mali junta", '"military junta"', "actor:JNIM", "mal*", "Guterez~", "attack NOT mali", "date:2024"]


def _answers(index: Index) -> list[tuple]:
    out = []
    for q in QUERIES:
        r = index.search(q, page_size=20)
        out.append(
            (
                q,
                r.total,
                sorted(h.id for h in r.hits),
                {name: [(v.value, v.count) for v in f.values] for name, f in r.facets.items()},
                {h.id: h.snippet for h in r.hits},
                r.parsed,
                r.warnings,
            )
        )
    return out


def test_reindex_and_search_give_the_same_answers_over_either_engine(tmp_path: Path) -> None:
    memory = MemoryEngine()
    reindex([REPO / "seeds"], tmp_path / "whoosh")
    report = reindex([REPO / "seeds"], tmp_path / "memory", engine=memory)
    assert report.added == 5 and not report.problems
    with Index.open(tmp_path / "whoosh") as on_disk, Index.open(tmp_path / "memory", engine=memory) as in_memory:
        assert _answers(in_memory) == _answers(on_disk)
        a = on_disk.search("bamako").hits[0].id
        assert in_memory.article(a) == on_disk.article(a)
        assert [h.id for h in in_memory.more_like_this(a)] == [h.id for h in on_disk.more_like_this(a)]


def test_an_update_over_the_memory_engine_applies_changes_as_over_whoosh(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS:
        (corpus / path.name).write_bytes(path.read_bytes())
    memory = MemoryEngine()
    reindex([corpus], tmp_path / "whoosh")
    reindex([corpus], tmp_path / "memory", engine=memory)
    (corpus / SEEDS[0].name).unlink()
    (corpus / "new.txt").write_text("Bamako airport reopens\n\nThe airport in Bamako reopened on Monday after the attack.\n")
    on_disk = reindex([corpus], tmp_path / "whoosh")
    in_memory = reindex([corpus], tmp_path / "memory", engine=memory)
    counts = [(r.added, r.deleted, r.unchanged) for r in (on_disk, in_memory)]
    assert counts == [(1, 1, 4), (1, 1, 4)]
    with Index.open(tmp_path / "whoosh") as a, Index.open(tmp_path / "memory", engine=memory) as b:
        assert _answers(a) == _answers(b)
