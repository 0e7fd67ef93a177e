"""The five seed articles as the ingest reads them: their quirks are its first test cases."""

from __future__ import annotations

import datetime as dt

import pytest
from reading import SEED_NAMES, SEEDS, paragraphs, read_one, seed

from indexer.ingest import CorpusFile, iter_corpus, read_file

pytestmark = [pytest.mark.unit]

FURNITURE = [
    "Facebook",
    "Twitter",
    "WhatsApp",
    "email address",
    "Leave a Reply",
    "Post Comment",
    "Translate",
    "Loading Now",
    "Shared with",
    "Original Source",
    "Summary",
]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_body_has_no_page_furniture(name: str) -> None:
    body = read_one(SEEDS / name).body
    assert [word for word in FURNITURE if word in body] == []


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_id_is_its_path_without_extension_and_origin_its_path(name: str) -> None:
    article = read_one(SEEDS / name)
    assert (article.id, article.origin) == (name.removesuffix(".txt"), name)


def test_seed_000_headline_is_the_first_line() -> None:
    assert (
        seed("000").title
        == "ECOWAS Condemns Bamako Terror Attacks Amidst Mali’s Move to Withdraw from Regional Bloc"
    )


def test_seed_000_section_label_next_to_the_headline_is_dropped() -> None:
    assert "ECOWAS" not in paragraphs(seed("000"))


def test_seed_000_dateline_names_the_source_and_keeps_the_place() -> None:
    article = seed("000")
    assert (article.source, article.source_name) == ("gambiaj.com", "Gambiaj.com")
    assert article.body.startswith("(ABUJA, Nigeria) – The Economic Community of West African States")


def test_seed_001_lines_broken_mid_sentence_are_rejoined() -> None:
    expected = (
        "the attackers had been the situation was under control"
        " and operations to secure the area were ongoing."
    )
    assert any(p.endswith(expected) for p in paragraphs(seed("001")))


def test_seed_001_subheadings_stay_separate_paragraphs() -> None:
    parts = paragraphs(seed("001"))
    assert "Mali's Security Narrative Under Scrutiny" in parts
    assert "Implications for Mali and the Sahel Region" in parts
    assert len(parts) == 8


def test_seed_001_names_no_source() -> None:
    article = seed("001")
    assert (article.title, article.source) == (
        "Jihadist Attack in Bamako: A New Wave of Violence in Mali",
        None,
    )


def test_seed_002_loading_banner_is_not_the_headline() -> None:
    assert seed("002").title == "Jihadist Attacks in Bamako: A Turning Point for Malian Security"


def test_seed_002_original_source_line_gives_the_source() -> None:
    article = seed("002")
    assert article.source == "actualnewsmagazine.com"
    assert article.body.endswith("amidst growing jihadist threats.")


def test_seed_003_summary_heading_is_dropped_and_summary_kept() -> None:
    first = paragraphs(seed("003"))[0]
    assert first.startswith("An al-Qaeda-affiliated group has claimed responsibility for a deadly attack")


def test_seed_003_source_drops_www() -> None:
    article = seed("003")
    assert (article.source, article.source_name) == ("ghanaweb.com", "ghanaweb.com")


def test_seed_004_without_a_headline_takes_its_title_from_the_first_sentence() -> None:
    article = seed("004")
    assert (
        article.title
        == "On September 17, 2024, Bamako, Mali’s capital suffered the biggest terrorist attack within…"
    )
    assert article.body.startswith("On September 17, 2024, Bamako")


def test_seed_004_is_dated_by_the_first_full_date_in_its_text() -> None:
    assert seed("004").published == dt.date(2024, 9, 17)


def test_seed_004_related_articles_footer_is_dropped() -> None:
    body = seed("004").body
    assert "Illegal Miners" not in body
    assert body.endswith("an alarmingly high chance of emerging.")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_seed_without_a_full_date_is_undated(prefix: str) -> None:
    assert seed(prefix).published is None


def test_every_seed_is_found_and_read_cleanly() -> None:
    files = list(iter_corpus([SEEDS]))
    assert [f.rel for f in files if isinstance(f, CorpusFile)] == SEED_NAMES
    reads = [read_file(f.path, f.root) for f in files if isinstance(f, CorpusFile)]
    assert [len(r.articles) for r in reads] == [1] * 5
    assert [p for r in reads for p in r.problems] == []
