"""Metadata from raw strings: outlets, dates and derived titles."""

from __future__ import annotations

import datetime as dt

import pytest

from indexer.ingest.metadata import (
    TITLE_MAX_CHARS,
    derive_title,
    first_date_in_text,
    normalise_source,
    parse_date,
    source_from_url,
)

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("www.ghanaweb.com", ("ghanaweb.com", "ghanaweb.com")),
        ("Gambiaj.com", ("gambiaj.com", "Gambiaj.com")),
        ("  actualnewsmagazine.com ", ("actualnewsmagazine.com", "actualnewsmagazine.com")),
        ("BBC News", ("bbc-news", "BBC News")),
        ("Le  Télégramme", ("le-telegramme", "Le Télégramme")),
        ("https://www.bbc.co.uk/news/world", ("bbc.co.uk", "bbc.co.uk")),
    ],
)
def test_normalise_source_gives_key_and_display(raw: str, expected: tuple[str, str]) -> None:
    assert normalise_source(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "—", "x" * 500])
def test_normalise_source_rejects_what_is_not_an_outlet(raw: str) -> None:
    assert normalise_source(raw) is None


def test_host_and_its_www_form_share_a_key() -> None:
    assert normalise_source("www.GhanaWeb.com") == ("ghanaweb.com", "GhanaWeb.com")


def test_source_from_url_is_the_host_without_www() -> None:
    assert source_from_url("https://www.graphic.com.gh/news/x.html?id=1") == (
        "graphic.com.gh",
        "graphic.com.gh",
    )


@pytest.mark.parametrize("url", ["", "not a url", "https://localhost/x", "http://[::1"])
def test_source_from_url_without_a_public_host_is_none(url: str) -> None:
    assert source_from_url(url) is None


@pytest.mark.parametrize(
    "value",
    [
        "2024-09-17",
        "2024-09-17T15:01:01",
        "2024-09-17T23:30:00-05:00",
        "September 17, 2024",
        "17 September 2024",
        "Sept. 17, 2024",
        "Tue, 17 Sep 2024 10:00:00 GMT",
    ],
)
def test_parse_date_reads_common_forms(value: str) -> None:
    assert parse_date(value) == dt.date(2024, 9, 17)


def test_parse_date_reads_reuters_timestamps() -> None:
    assert parse_date("1987-02-26T15:01:01") == dt.date(1987, 2, 26)


@pytest.mark.parametrize(
    "value", ["March 2016", "2024", "12", "2024-09", "tomorrow", "", "2024-02-30", "1:30"]
)
def test_parse_date_refuses_incomplete_or_impossible_dates(value: str) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["0001-01-01", "1066-10-14", "9999-12-31"])
def test_parse_date_rejects_absurd_years(value: str) -> None:
    assert parse_date(value) is None


def test_first_date_in_text_finds_a_date_written_in_prose() -> None:
    text = "On September 17, 2024, Bamako suffered the biggest attack in a decade."
    assert first_date_in_text(text) == dt.date(2024, 9, 17)


@pytest.mark.parametrize(
    "text",
    [
        "Talks opened on 17 September 2024 in Accra.",
        "Filed 2024-09-17 by staff.",
        "On the 17th of September 2024 it rained.",
    ],
)
def test_first_date_in_text_reads_day_month_and_iso_forms(text: str) -> None:
    assert first_date_in_text(text) == dt.date(2024, 9, 17)


def test_first_date_in_text_ignores_bare_years_and_months() -> None:
    text = "The last attack came in March 2016, years after the 2012 rebellion."
    assert first_date_in_text(text) is None


def test_first_date_in_text_takes_the_first_valid_date() -> None:
    text = "Not February 30, 2024, but March 3, 2024, and later April 4, 2024."
    assert first_date_in_text(text) == dt.date(2024, 3, 3)


def test_derived_title_is_the_first_sentence_when_short() -> None:
    assert derive_title("Rain flooded Accra. Roads were closed.") == "Rain flooded Accra."


def test_derived_title_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    sentence = (
        "On September 17, 2024, Bamako, Mali's capital, suffered the worst attack in a decade and more."
    )
    title = derive_title(sentence)
    assert title.endswith("…")
    assert len(title) <= TITLE_MAX_CHARS + 1
    assert sentence.startswith(title[:-1])
    assert sentence[len(title) - 1] == " "


def test_derived_title_of_no_text_is_empty() -> None:
    assert derive_title("  \n ") == ""
