"""JSON and JSON lines: every field read, and each bad record or line reported by itself."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from reading import only_problem, read_one, write

from indexer.article import Article, Problem
from indexer.ingest import read_file
from indexer.ingest.decoding import MAX_LINE_BYTES

pytestmark = [pytest.mark.unit]


def test_json_article_reads_every_field(tmp_path: Path) -> None:
    record = {
        "id": "business-001",
        "title": "Markets rally",
        "body": "Shares rose on Monday.",
        "source": "BBC News",
        "url": "https://www.bbc.co.uk/news/business-001",
        "published": "2024-06-03T08:15:00Z",
        "authors": ["Ama Owusu", "John Doe"],
    }
    article = read_one(write(tmp_path / "a.json", json.dumps(record)))
    assert article == Article(
        id="business-001",
        title="Markets rally",
        body="Shares rose on Monday.",
        source="bbc-news",
        source_name="BBC News",
        url="https://www.bbc.co.uk/news/business-001",
        published=dt.date(2024, 6, 3),
        authors=("Ama Owusu", "John Doe"),
        origin="a.json",
    )


def test_json_reuters_record_keeps_its_id_and_date(tmp_path: Path) -> None:
    record = {
        "id": "12",
        "title": "COCOA EXPORTS",
        "body": "Showers continued.",
        "date": "1987-02-26T15:01:01",
        "dateline": "SALVADOR, Feb 26 -",
        "places": ["brazil"],
        "people": [],
    }
    article = read_one(write(tmp_path / "reut.json", json.dumps(record)))
    assert (article.id, article.published, article.source) == ("12", dt.date(1987, 2, 26), None)


def test_json_null_date_is_undated_without_a_problem(tmp_path: Path) -> None:
    record = {"id": "business-001", "title": "T", "body": "B.", "source": "BBC News", "date": None}
    assert read_one(write(tmp_path / "a.json", json.dumps(record))).published is None


def test_json_alternative_keys_are_read(tmp_path: Path) -> None:
    record = {"id": 7, "title": "T", "content": "C.", "published_at": "2024-01-02", "author": "Ama Owusu"}
    article = read_one(write(tmp_path / "a.json", json.dumps(record)))
    assert (article.id, article.body, article.published, article.authors) == (
        "7",
        "C.",
        dt.date(2024, 1, 2),
        ("Ama Owusu",),
    )


def test_json_without_id_is_named_by_its_path(tmp_path: Path) -> None:
    path = write(tmp_path / "world" / "story.json", json.dumps({"title": "T", "text": "B."}))
    assert read_one(path, tmp_path).id == "world/story"


def test_json_list_items_without_ids_are_numbered(tmp_path: Path) -> None:
    path = write(
        tmp_path / "batch.json", json.dumps([{"title": "A", "body": "a."}, {"title": "B", "body": "b."}])
    )
    assert [a.id for a in read_file(path, tmp_path).articles] == ["batch:1", "batch:2"]


def test_json_without_source_takes_the_url_host(tmp_path: Path) -> None:
    record = {"title": "T", "body": "B.", "url": "https://www.myjoyonline.com/x"}
    assert read_one(write(tmp_path / "a.json", json.dumps(record))).source == "myjoyonline.com"


def test_json_body_given_as_a_list_of_strings_is_joined_in_paragraphs(tmp_path: Path) -> None:
    record = {"title": "T", "body": ["First.", "  ", "Second."]}
    assert read_one(write(tmp_path / "a.json", json.dumps(record))).body == "First.\n\nSecond."


def test_json_without_title_derives_one_from_the_body(tmp_path: Path) -> None:
    assert read_one(write(tmp_path / "a.json", '{"body": "Rain fell. Roads shut."}')).title == "Rain fell."


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": 12, "body": "B."}, "title must be a string, got int"),
        ({"title": "T", "body": {"text": "B."}}, "body must be a string or a list of strings, got dict"),
        ({"title": "T", "body": ["a", 1]}, "body must be a string or a list of strings, got list"),
        ({"title": "T", "body": "B.", "source": 3.5}, "source must be a string, got float"),
        ({"title": "T", "body": "B.", "id": [1]}, "id must be a string or an integer, got list"),
        (
            {"title": "T", "body": "B.", "authors": [{"name": "X"}]},
            "authors must be a string or a list of strings, got list",
        ),
        ({"title": "  ", "body": ""}, "no title and no body"),
    ],
)
def test_json_object_with_wrong_types_is_a_problem(tmp_path: Path, record: dict, reason: str) -> None:
    assert only_problem(read_file(write(tmp_path / "a.json", json.dumps(record)), tmp_path)).reason == reason


def test_json_invalid_date_keeps_the_article_undated_and_says_so(tmp_path: Path) -> None:
    read = read_file(
        write(tmp_path / "a.json", '{"title": "T", "body": "B.", "date": "31/31/2024"}'), tmp_path
    )
    assert read.articles[0].published is None
    assert [p.reason for p in read.problems] == ["date ignored: date '31/31/2024' is not a valid date"]


def test_json_deeply_nested_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path / "deep.json", "[" * 10_000 + "]" * 10_000)
    assert only_problem(read_file(path, tmp_path)).reason == "invalid JSON: nested too deeply"


def test_json_syntax_error_names_its_line(tmp_path: Path) -> None:
    problem = only_problem(read_file(write(tmp_path / "a.json", '{\n"title": "T",\n"body": }'), tmp_path))
    assert problem.line == 3 and problem.reason.startswith("invalid JSON")


@pytest.mark.parametrize(("content", "got"), [("42", "int"), ("[]", "an empty list"), ('"text"', "str")])
def test_json_without_article_objects_is_a_problem(tmp_path: Path, content: str, got: str) -> None:
    reason = only_problem(read_file(write(tmp_path / "a.json", content), tmp_path)).reason
    assert reason == f"expected an object or a list of objects, got {got}"


def test_json_list_item_that_is_not_an_object_is_a_problem_for_that_item(tmp_path: Path) -> None:
    read = read_file(write(tmp_path / "a.json", '[{"title": "A"}, "B", {"title": "C"}]'), tmp_path)
    assert [a.id for a in read.articles] == ["a:1", "a:3"]
    assert read.problems == [Problem("a.json", "item 2: expected an object, got str")]


# --- JSON lines -----------------------------------------------------------------------------


def jsonl(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_jsonl_bad_lines_are_problems_and_good_lines_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "feed.jsonl",
        jsonl(
            '{"title": "One", "body": "1."}',
            "{not json",
            "",
            "[1, 2]",
            '{"title": 5}',
            '{"title": "Six", "body": "6."}',
        ),
    )
    read = read_file(path, tmp_path)
    assert [(a.id, a.line, a.origin) for a in read.articles] == [
        ("feed:1", 1, "feed.jsonl"),
        ("feed:6", 6, "feed.jsonl"),
    ]
    assert [(p.line, p.reason.split(":")[0]) for p in read.problems] == [
        (2, "invalid JSON"),
        (4, "expected an object, got list"),
        (5, "title must be a string, got int"),
    ]


def test_jsonl_deeply_nested_line_is_a_problem_for_that_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.jsonl", jsonl('{"title": "A", "body": "a."}', '{"a":' * 10_000 + "1" + "}" * 10_000)
    )
    read = read_file(path, tmp_path)
    assert [a.title for a in read.articles] == ["A"]
    assert read.problems == [Problem("f.jsonl", "invalid JSON: nested too deeply", 2)]


def test_jsonl_cp1252_lines_are_noted_once(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", b'{"title": "Caf\xe9"}\n{"title": "\x93Hi\x94"}\n')
    read = read_file(path, tmp_path)
    assert [a.title for a in read.articles] == ["Café", "“Hi”"]
    assert read.notes == ["decoded as cp1252: not valid UTF-8"]


def test_jsonl_in_utf16_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", jsonl('{"title": "Côte"}', '{"title": "Ghana"}').encode("utf-16"))
    assert [a.title for a in read_file(path, tmp_path).articles] == ["Côte", "Ghana"]


def test_jsonl_line_over_the_size_limit_is_a_problem_for_that_line(tmp_path: Path) -> None:
    huge = b'{"title": "' + b"a" * MAX_LINE_BYTES + b'"}\n'
    path = write(tmp_path / "f.jsonl", huge + b'{"title": "Small"}\n')
    read = read_file(path, tmp_path)
    assert [a.title for a in read.articles] == ["Small"]
    assert read.problems == [Problem("f.jsonl", "line too large (20.0 MB > 20 MB)", 1)]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"\n \n", "no text (only whitespace)"), (b"\x00\x01\x02", "binary file")],
)
def test_jsonl_without_usable_text_is_a_problem(tmp_path: Path, content: bytes, reason: str) -> None:
    assert only_problem(read_file(write(tmp_path / "f.jsonl", content), tmp_path)).reason == reason
