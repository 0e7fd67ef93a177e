"""The ingest layer: corpus files → articles, with what goes wrong reported, not raised."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from indexer.article import Article, FileRead, Problem
from indexer.readers import SUPPORTED_SUFFIXES, CorpusFile, iter_corpus, read_file
from indexer.readers.decoding import MAX_FILE_BYTES, MAX_LINE_BYTES

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))
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


def seed(prefix: str) -> Article:
    (name,) = [n for n in SEED_NAMES if n.startswith(prefix)]
    read = read_file(SEEDS / name, SEEDS)
    assert not read.problems
    (article,) = read.articles
    return article


def read_one(path: Path, root: Path | None = None) -> Article:
    read = read_file(path, root or path.parent)
    assert not read.problems, read.problems
    (article,) = read.articles
    return article


def only_problem(read: FileRead) -> Problem:
    assert not read.articles
    (problem,) = read.problems
    return problem


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def paragraphs(article: Article) -> list[str]:
    return article.body.split("\n\n")


# --- the seeds -------------------------------------------------------------------------


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


# --- scraped text and decoding ------------------------------------------------------------


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


# --- JSON -------------------------------------------------------------------------------------


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


# --- HTML ---------------------------------------------------------------------------------------

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Floods Hit Accra as Rains Continue | Daily Graphic</title>
<meta property="og:site_name" content="Daily Graphic">
<meta property="og:title" content="Floods Hit Accra as Rains Continue">
<meta property="og:url" content="https://www.graphic.com.gh/news/floods-hit-accra.html">
<link rel="canonical" href="https://www.graphic.com.gh/news/floods-hit-accra.html">
<meta name="author" content="Kwame Mensah">
<meta property="article:published_time" content="2024-06-03T08:15:00+00:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sports">Sports</a></li><li><a href="/business">Business</a></li></ul></nav></header>
<main><article>
<h1>Floods Hit Accra as Rains Continue</h1>
<div class="share-buttons"><a href="https://facebook.com/share">Facebook</a>
<a href="https://twitter.com/share">Twitter</a> <a href="https://wa.me/">WhatsApp</a></div>
<div class="entry-content">
<p>Heavy rains on Monday flooded several parts of Accra, leaving hundreds of residents stranded
and cutting off major roads in the capital, officials said.</p>
<p>The National Disaster Management Organisation said its teams had rescued more than forty people
from rooftops in Kaneshie and Odawna, where water rose above the height of parked cars.</p>
<p>Forecasters expect the downpours to continue through the week, and the agency urged residents
of low-lying areas to move to higher ground until the waters recede.</p>
</div></article>
<div id="comments" class="comments-area"><h3 id="reply-title">Leave a Reply</h3>
<form id="commentform"><p>Your email address will not be published. Required fields are marked *</p>
<textarea name="comment"></textarea><input type="submit" value="Post Comment"></form></div>
</main>
<footer><p>© 2024 Daily Graphic. All rights reserved.</p><a href="/privacy">Privacy Policy</a></footer>
</body></html>
"""


def test_html_page_keeps_the_article_text_in_paragraphs(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "news" / "floods.html", NEWS_PAGE), tmp_path)
    parts = paragraphs(article)
    assert len(parts) == 3
    assert parts[0].startswith("Heavy rains on Monday flooded several parts of Accra")
    assert parts[2].endswith("until the waters recede.")


def test_html_page_drops_navigation_share_buttons_and_comment_form(tmp_path: Path) -> None:
    body = read_one(write(tmp_path / "floods.html", NEWS_PAGE)).body
    leftovers = ["Home", "Sports", "Facebook", "WhatsApp", "Leave a Reply", "email address", "Privacy", "©"]
    assert [word for word in leftovers if word in body] == []


def test_html_page_metadata_is_read(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "news" / "floods.htm", NEWS_PAGE), tmp_path)
    assert article.id == "news/floods"
    assert article.title == "Floods Hit Accra as Rains Continue"
    assert (article.source, article.source_name) == ("daily-graphic", "Daily Graphic")
    assert article.url == "https://www.graphic.com.gh/news/floods-hit-accra.html"
    assert article.published == dt.date(2024, 6, 3)
    assert article.authors == ("Kwame Mensah",)


def test_html_page_in_its_declared_charset_is_decoded(tmp_path: Path) -> None:
    page = (
        NEWS_PAGE.replace("utf-8", "windows-1251").replace("Heavy rains", "Сильные дожди").replace("©", "(c)")
    )
    read = read_file(write(tmp_path / "ru.html", page.encode("cp1251")), tmp_path)
    assert read.notes == ["decoded as windows-1251: not valid UTF-8"]
    assert read.articles[0].body.startswith("Сильные дожди on Monday")


def test_html_page_without_article_text_is_a_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path / "empty.html",
        '<html><head><title>Nothing</title></head><body><img src="a.png"></body></html>',
    )
    assert only_problem(read_file(path, tmp_path)).reason == "no article text found in the page"


# --- walking the corpus -----------------------------------------------------------------------------


def walk(*paths: Path) -> list[tuple[str, str] | Problem]:
    return [(e.rel, e.root.name) if isinstance(e, CorpusFile) else e for e in iter_corpus(list(paths))]


def test_corpus_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    for rel in ["b.txt", "a/z.json", "a/b/c.jsonl", "A.html", "c.htm"]:
        write(tmp_path / "corpus" / rel, "x")
    assert [rel for rel, _ in walk(tmp_path / "corpus")] == [
        "A.html",
        "a/b/c.jsonl",
        "a/z.json",
        "b.txt",
        "c.htm",
    ]


def test_corpus_walk_skips_hidden_entries_and_unsupported_types(tmp_path: Path) -> None:
    for rel in ["keep.txt", ".hidden.txt", ".git/x.txt", "photo.jpg", "README"]:
        write(tmp_path / rel, "x")
    assert walk(tmp_path) == [("keep.txt", tmp_path.name)]


def test_file_given_directly_is_read_from_its_folder(tmp_path: Path) -> None:
    path = write(tmp_path / "sub" / "notes.md", "x")
    assert list(iter_corpus([path])) == [CorpusFile(path, path.parent, "notes.md")]


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert list(iter_corpus([missing])) == [Problem(str(missing), "no such file or directory")]


def test_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "sub" / "a.txt", "x")
    (tmp_path / "corpus" / "sub" / "loop").symlink_to(tmp_path / "corpus", target_is_directory=True)
    assert walk(tmp_path / "corpus") == [
        ("sub/a.txt", "corpus"),
        Problem("sub/loop", "symlink loop: not followed"),
    ]


def test_symlinked_folder_outside_the_corpus_is_followed(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere" / "b.txt", "x")
    write(tmp_path / "corpus" / "a.txt", "x")
    (tmp_path / "corpus" / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert walk(tmp_path / "corpus") == [("a.txt", "corpus"), ("more/b.txt", "corpus")]


def test_broken_symlink_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "dead.txt").symlink_to(tmp_path / "missing.txt")
    assert walk(tmp_path) == [Problem("dead.txt", "broken symlink")]


def test_special_file_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    assert walk(tmp_path) == [Problem("pipe.txt", "not a regular file")]


def test_file_vanishing_during_the_walk_is_a_problem(tmp_path: Path) -> None:
    for name in ["a.txt", "b.txt", "c.txt"]:
        write(tmp_path / name, "x")
    entries = iter_corpus([tmp_path])
    first = next(entries)
    (tmp_path / "b.txt").unlink()
    assert [first, *entries] == [
        CorpusFile(tmp_path / "a.txt", tmp_path, "a.txt"),
        Problem("b.txt", "vanished during the walk"),
        CorpusFile(tmp_path / "c.txt", tmp_path, "c.txt"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_is_a_problem(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    write(locked / "a.txt", "x")
    locked.chmod(0)
    try:
        assert walk(tmp_path) == [Problem("locked", "cannot read: Permission denied")]
    finally:
        locked.chmod(0o755)


def test_every_seed_is_found_and_read_cleanly() -> None:
    files = list(iter_corpus([SEEDS]))
    assert [f.rel for f in files if isinstance(f, CorpusFile)] == SEED_NAMES
    reads = [read_file(f.path, f.root) for f in files if isinstance(f, CorpusFile)]
    assert [len(r.articles) for r in reads] == [1] * 5
    assert [p for r in reads for p in r.problems] == []


def test_supported_suffixes() -> None:
    assert {".txt", ".json", ".jsonl", ".html", ".htm"} == SUPPORTED_SUFFIXES
