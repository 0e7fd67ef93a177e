"""Which segments a commit merges (:mod:`indexer.engine.whoosh.merging`): an update's
merge work is bounded, whatever the index's size, and small segments do not pile up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.engine.whoosh.engine import INDEX_NAME, WhooshEngine
from indexer.engine.whoosh.merging import FLOOR, MAX_MERGED, PER_TIER, to_merge
from tests.test_segments import _articles, _document

pytestmark = [pytest.mark.index]


@dataclass(eq=False)
class Seg:
    """What the policy reads of a Whoosh segment: its documents, live and deleted."""

    all: int
    deleted: int = 0

    def doc_count_all(self) -> int:
        return self.all

    def doc_count(self) -> int:
        return self.all - self.deleted

    def deleted_count(self) -> int:
        return self.deleted


def test_a_full_rebuilds_segments_are_never_merged_by_an_update() -> None:
    rebuild = [Seg(22_000) for _ in range(45)]  # a million articles
    assert to_merge([*rebuild, Seg(100)]) == []


def test_ten_small_segments_are_merged_the_smallest_first() -> None:
    small = [Seg(100 + i) for i in range(12)]
    big = [Seg(22_000) for _ in range(5)]
    assert to_merge(big + small) == small[:PER_TIER]
    assert to_merge(big + small[:PER_TIER - 1]) == []


def test_a_merge_writes_at_most_max_merged_live_documents() -> None:
    tier = [Seg(FLOOR * 3) for _ in range(PER_TIER)]
    merged = to_merge(tier)
    assert 2 <= len(merged) < PER_TIER and sum(s.doc_count() for s in merged) <= MAX_MERGED
    assert to_merge([Seg(MAX_MERGED // 2 + 1) for _ in range(PER_TIER)]) == []  # past half: final


def test_a_mostly_deleted_segment_is_merged_even_alone() -> None:
    gutted, kept = Seg(22_000, deleted=15_000), Seg(22_000, deleted=100)
    assert to_merge([kept, gutted]) == [gutted]
    assert to_merge([Seg(22_000, deleted=22_000)]) != []  # (nothing live: merged away)
    too_big = Seg(3 * MAX_MERGED, deleted=MAX_MERGED)
    assert to_merge([too_big]) == []


def test_many_small_updates_keep_few_segments_and_every_document(tmp_path: Path) -> None:
    docs = [_document(a, i) for i, a in enumerate(_articles(120))]
    index = WhooshEngine().create(tmp_path / "ix")
    for start in range(0, len(docs), 3):  # 40 updates of three articles
        writer = index.writer()
        for doc in docs[start : start + 3]:
            writer.add(doc.fields(), doc.analysed)
        writer.commit()
    segments = whoosh_index.open_dir(str(tmp_path / "ix"), indexname=INDEX_NAME)._segments()
    assert len(segments) <= PER_TIER
    reader = index.reader()
    try:
        assert sorted(reader.column("id")) == sorted(d.article.id for d in docs)
    finally:
        reader.close()
