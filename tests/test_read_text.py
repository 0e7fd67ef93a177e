"""Scraped plain text: headlines, page furniture, decoding, and files that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest
from reading import only_problem, paragraphs, read_one, write

from indexer.article import Problem
from indexer.ingest import read_file
from indexer.ingest.decoding import MAX_FILE_BYTES

pytestmark = [pytest.mark.unit]


def test_category_label_above_the_headline_is_dropped(tmp_path: Path) -> None:
    article = read_one(
        write(tmp_path / "a.txt", "Politics\nGhana votes in a tight race\nVoters queued from dawn.")
    )
    assert (article.title, article.body) == ("Ghana votes in a tight race", "Voters queued from dawn.")


def test_headline_in_a_script_without_case_is_found(tmp_path: Path) -> None:
    assert (
        read_one(write(tmp_path / "a.txt", "مالي تعلن الطوارئ\n\nأعلنت الحكومة.")).title
        == "مالي تعلن الطوارئ"
    )


def test_lone_label_far_from_the_headline_is_kept(tmp_path: Path) -> None:
    text = "Floods in Accra\n\nRains fell all week in the capital.\n\nAccra\n\nResidents were moved."
    assert "Accra" in paragraphs(read_one(write(tmp_path / "a.txt", text)))


def test_short_heading_ending_in_a_capital_letter_is_not_joined(tmp_path: Path) -> None:
    text = "Budget talks\n\nThe plan was tabled.\nPlan A\nThe first option cuts spending."
    assert "Plan A" in paragraphs(read_one(write(tmp_path / "a.txt", text)))


def test_wordpress_share_block_above_the_headline_is_dropped(tmp_path: Path) -> None:
    text = "Share this:\nTwitter\nFacebook\nLike this:\nLike Loading...\nMali junta extends rule\nIt said so."
    article = read_one(write(tmp_path / "a.txt", text))
    assert (article.title, article.body) == ("Mali junta extends rule", "It said so.")


def test_timeline_list_inside_the_body_is_kept(tmp_path: Path) -> None:
    text = "Mali timeline\n- First coup - August 18, 2020\n- Second coup - May 24, 2021\nIt has ruled since."
    assert "- First coup - August 18, 2020" in read_one(write(tmp_path / "a.txt", text)).body


def test_cp1252_text_is_decoded_and_the_fallback_noted(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"Caf\xe9 owners protest\n\nThey were \x93quoted\x94 at length.\n")
    read = read_file(path, tmp_path)
    assert read.notes == ["decoded as cp1252: not valid UTF-8"]
    assert read.articles[0].title == "Café owners protest"
    assert read.articles[0].body == "They were “quoted” at length."


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Côte d’Ivoire votes\n\nPolls opened early.".encode("utf-16"))
    article = read_one(path)
    assert (article.title, article.body) == ("Côte d’Ivoire votes", "Polls opened early.")


def test_utf8_byte_order_mark_is_stripped(tmp_path: Path) -> None:
    assert read_one(write(tmp_path / "a.txt", "\ufeffHeadline\n\nBody.")).title == "Headline"


def test_windows_line_endings_are_read(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "a.txt", "Headline\r\n\r\nFirst.\r\nSecond.\r\n"))
    assert paragraphs(article) == ["First.", "Second."]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        (bytes(range(1, 32)) * 20, "binary file"),
        (b"", "empty file"),
        (b" \n\t\r\n  ", "no text (only whitespace)"),
        (b"Facebook\nTwitter\nLeave a Reply\n", "no text (only page furniture)"),
    ],
)
def test_text_file_without_usable_text_is_a_problem(tmp_path: Path, content: bytes, reason: str) -> None:
    assert only_problem(read_file(write(tmp_path / "a.txt", content), tmp_path)) == Problem("a.txt", reason)


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    reason = only_problem(read_file(path, tmp_path)).reason
    assert reason == f"file too large (20.0 MB > {MAX_FILE_BYTES // 2**20} MB)"


def test_unsupported_file_type_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "doc.pdf", b"%PDF-1.4")
    assert only_problem(read_file(path, tmp_path)).reason == "unsupported file type (.pdf)"


def test_file_that_vanished_is_a_problem(tmp_path: Path) -> None:
    assert only_problem(read_file(tmp_path / "gone.txt", tmp_path)).reason.startswith("cannot read")
