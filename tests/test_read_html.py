"""Saved HTML pages: the article's text and metadata, the page around it dropped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from reading import only_problem, paragraphs, read_one, write

from indexer.ingest import read_file

pytestmark = [pytest.mark.unit]

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
