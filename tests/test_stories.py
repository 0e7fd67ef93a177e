"""Story ids: copies of one story share an id; different stories and recurring templates do not."""

import datetime as dt
import random
import zlib

import numpy as np
import pytest
from datasketch import MinHash

from indexer.analysis import terms
from indexer.article import Article
from indexer.build.stories import NUM_PERM, SHINGLE, Indexed, StoryFinder, band_run, signature, signature_bytes

pytestmark = [pytest.mark.unit]

WIRE = (
    "Flood waters rose on Monday along the Niger river near Niamey, forcing thousands of "
    "families from their homes. The government said relief teams were on their way and the "
    "United Nations offered help to the regions worst hit by the rains."
)


def article(article_id: str, body: str, day: dt.date | None = None) -> Article:
    return Article(id=article_id, title="", body=body, published=day)


def assign(finder: StoryFinder, a: Article) -> str:
    return finder.assign(a.id, signature_bytes(a), a.published)


def indexed(rows: list[tuple[str, bytes, dt.date | None]]) -> StoryFinder:
    """A finder of articles indexed with these stories, signatures and dates, as reindex makes one."""
    names = sorted({story for story, _, _ in rows})
    signatures = np.array([np.frombuffer(sig, np.uint32) for _, sig, _ in rows]).reshape(-1, NUM_PERM)
    part = Indexed(
        signatures,
        band_run(signatures),
        np.ones(len(rows), bool),
        np.array([names.index(story) for story, _, _ in rows]),
        np.array([day.toordinal() if day else 0 for _, _, day in rows]),
    )
    return StoryFinder.indexed(names, [part])


def test_exact_and_lightly_edited_copies_share_the_first_copy_story():
    finder = StoryFinder()
    day = dt.date(2024, 8, 5)
    assert assign(finder, article("a", WIRE, day)) == "a"
    assert assign(finder, article("b", WIRE, day)) == "a"
    edited = "NIAMEY (Sahel Daily) - " + WIRE + " Reporting by staff; editing by desk."
    assert assign(finder, article("c", edited, day + dt.timedelta(days=1))) == "a"


def test_a_different_story_gets_its_own_id():
    finder = StoryFinder()
    assign(finder, article("a", WIRE))
    other = "The junta suspended political parties and called the measure temporary, citing order."
    assert assign(finder, article("b", other)) == "b"


def test_a_recurring_template_weeks_apart_is_not_one_story():
    finder = StoryFinder()
    first = WIRE + " Ships loading: 12 vessels, 300,000 tonnes."
    later = WIRE + " Ships loading: 9 vessels, 250,000 tonnes."
    assert assign(finder, article("a", first, dt.date(1987, 2, 26))) == "a"
    assert assign(finder, article("b", later, dt.date(1987, 4, 9))) == "b"
    # the very same text reprinted weeks later still is the same story
    assert assign(finder, article("c", first, dt.date(1987, 4, 9))) == "a"


def test_stored_signatures_carry_stories_across_runs():
    first_run = StoryFinder()
    sig = signature_bytes(article("a", WIRE))
    first_run.assign("a", sig, None)
    next_run = indexed([("a", sig, None)])
    assert assign(next_run, article("b", WIRE)) == "a"


def test_an_indexed_copy_deleted_since_is_no_ones_story():
    sig = signature_bytes(article("a", WIRE))
    part = Indexed(
        np.frombuffer(sig, np.uint32)[None, :], band_run(np.frombuffer(sig, np.uint32)[None, :]),
        np.array([False]), np.array([0]), np.array([0]),
    )  # fmt: skip
    assert assign(StoryFinder.indexed(["a"], [part]), article("b", WIRE)) == "b"
    assert assign(StoryFinder.indexed(["a"], [part._replace(usable=np.array([True]))]), article("b", WIRE)) == "a"


def test_a_finder_of_indexed_articles_assigns_as_if_it_had_assigned_them():
    rng = random.Random(3)
    words = WIRE.split()
    texts = [" ".join(rng.sample(words, len(words) - rng.randint(0, 3))) for _ in range(40)] + [WIRE] * 5
    days = [dt.date(1987, 3, 1) + dt.timedelta(days=rng.randint(0, 9)) for _ in texts]
    one_run, seen = StoryFinder(), []
    for i, (text, day) in enumerate(zip(texts, days)):
        sig = signature_bytes(article(f"a{i}", text, day))
        seen.append((one_run.assign(f"a{i}", sig, day), sig, day))
    next_run = indexed(seen)
    later = [article(f"b{i}", text, day) for i, (text, day) in enumerate(zip(texts, days))]
    assert [assign(next_run, a) for a in later] == [assign(one_run, a) for a in later]
    assert len({story for story, _, _ in seen}) < len(texts)  # some texts shared a story


@pytest.mark.parametrize("text", ["", "one", "four words only here", WIRE, WIRE * 3])
def test_signatures_are_datasketch_minhashes_of_the_shingles(text):
    # Signatures are stored in the index: they must stay what datasketch computes, so that
    # indexes written before keep matching (and another implementation could read them).
    words = terms(text)
    hashes = [zlib.crc32(w.encode("utf-8")) for w in words]
    shingles = []
    for i in range(max(1, len(words) - SHINGLE + 1)):
        h = 0
        for x in hashes[i : i + SHINGLE]:
            h = (h * 0x9E3779B1 + x) & 0xFFFFFFFF
        shingles += [h] if hashes else []
    expected = MinHash(num_perm=NUM_PERM, scheme="affine32", hashfunc=lambda v: v)
    expected.update_batch(shingles)
    assert signature(words) == expected.hashvalues.astype(np.uint32).tobytes()
