"""The HTML pages through Flask's test client: search, article, about, errors, safety."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from indexer import Index, StoreError, reindex
from indexer.search import runner as search
from indexer.store import current_generation
from web import create_app

pytestmark = [pytest.mark.index, pytest.mark.web]

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DATED = "004_04d21494b0b19014"  # the one seed with a publication date (2024-09-17)
HOSTILE = [
    {
        "id": "hostile",
        "title": "<script>alert(1)</script> Hostile headline",
        "body": "Before <script>alert(1)</script> and <img src=x onerror=alert(1)> after. Bamako market.",
        "source": "<script>alert(1)</script>",
        "url": "javascript:alert(1)",
        "published": "2024-09-20",
        "authors": ["<b>Mallory</b>"],
    },
    {  # a syndicated copy of the ghanaweb.com seed
        "id": "wire-copy",
        "title": "Group claims Bamako attack",
        "body": (SEEDS / "003_bb0a0735def43244.txt").read_text("utf-8").split("\n", 3)[3],
        "source": "wire.example",
    },
]  # beside the seeds, for conftest's hostile_client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.content_type.startswith("text/html")
    return response.get_data(as_text=True)


def total(html: str) -> int:
    match = re.search(r'<div class="summary" role="status">\s*<p><strong>(\d+)</strong>', html)
    assert match, "no result count on the page"
    return int(match.group(1))


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


# --- the search page ---------------------------------------------------------------


def test_home_page_welcomes_with_corpus_and_latest_articles(client):
    html = page(client, "/")
    assert "Search the news" in html
    assert "5 articles from 3 sources" in html
    assert "Latest articles" in html and "Search tips" in html
    assert total(html) == 5


def test_search_keeps_query_and_marks_snippets(client):
    html = page(client, "/?q=bamako")
    assert 'value="bamako"' in html
    assert re.search(r'<p class="snippet">[^<]*(?:<mark>[^<]*</mark>[^<]*)+', html)
    assert "<mark>Bamako</mark>" in html
    assert total(html) == 5
    assert re.search(r"\d+\.\d ms", html)  # query time
    for sort in ("Relevance", "Newest", "Oldest"):
        assert f">{sort}</a>" in html
    assert 'href="/articles/004_04d21494b0b19014?q=bamako"' in html


def test_facet_sidebar_checkboxes_and_drill_down(client):
    html = page(client, "/?q=bamako")
    boxes = [a for a in Tags(html).all("input") if a.get("type") == "checkbox"]
    assert {a["name"] for a in boxes} == {"source", "actor"}
    assert any(a["value"] == "ghanaweb.com" for a in boxes)
    html = page(client, "/?q=bamako&source=ghanaweb.com")
    assert total(html) == 1
    checked = [a for a in Tags(html).all("input") if "checked" in a]
    assert [a["value"] for a in checked] == ["ghanaweb.com"]
    assert 'class="chip removable" href="/?q=bamako"' in html  # the chip removes the filter
    # two sources OR together; an actor narrows further
    assert total(page(client, "/?q=bamako&source=ghanaweb.com&source=gambiaj.com")) == 2
    assert total(page(client, "/?actor=Wagner+Group")) < 5


def test_actor_chips_on_hits_drill_down(client):
    html = page(client, "/?q=guterres")
    assert 'href="/?q=guterres&amp;actor=Ant%C3%B3nio+Guterres"' in html


def test_date_histogram_bars_filter_by_period(client):
    html = page(client, "/")
    bars = re.findall(r'<a class="bar[^"]*" href="([^"]+)"', html)
    assert bars == ["/?date=2024-09-17"]
    assert 'class="chip" href="/?date=undated"' in html  # undated is a separate toggle
    assert "<svg" in html and "<rect" in html
    html = page(client, "/?date=2024-09-17")
    assert total(html) == 1
    assert 'class="bar selected"' in html
    assert "Date:</span>" in html and "17 Sep 2024" in html
    assert total(page(client, "/?date=undated")) == 4


def test_date_range_form(client):
    html = page(client, "/?from=2024-09-01&to=2024-09-30")
    assert total(html) == 1
    assert 'name="from" value="2024-09-01"' in html and 'name="to" value="2024-09-30"' in html
    assert "From:</span>" in html
    assert total(page(client, "/?to=2020-01-01")) == 0


def test_sorting_and_collapsing(client):
    newest = page(client, "/?q=bamako&sort=newest")
    assert newest.index(DATED) < newest.index("000_b8f73cc12de43a77")
    assert 'aria-current="true" class="current">Newest' in newest
    html = page(client, "/?q=bamako&all=1")
    assert "Group copies of a story" in html


def test_paging_with_total(client):
    html = page(client, "/?size=2&page=2")
    assert "page 2 of 3" in html
    assert '<ol class="hits" start="3">' in html
    assert 'rel="prev" href="/?size=2"' in html and 'rel="next" href="/?size=2&amp;page=3"' in html
    assert 'aria-current="page"' in html
    html = page(client, "/?size=2&page=9")
    assert "There are only 3 pages" in html


def test_expand_shows_every_facet_value(client):
    html = page(client, "/?q=bamako")
    assert "Show all (" in html
    short = len(re.findall(r'name="actor"', html))
    expanded = page(client, "/?q=bamako&expand=actor")
    assert len(re.findall(r'name="actor"', expanded)) > short
    assert "Show fewer" in expanded


def test_empty_state_helps(client):
    html = page(client, "/?q=zzqxqzz")
    assert "No articles match" in html and "Check the spelling" in html
    html = page(client, "/?q=bamako&source=nowhere.example")
    assert "Search without the filters" in html


def test_did_you_mean_link(client):
    html = page(client, "/?q=Bamakko")
    assert 'Did you mean <a href="/?q=Bamako">Bamako</a>?' in html


def test_every_state_is_a_get_url_and_forms_use_get(client):
    html = page(client, "/?q=bamako&source=ghanaweb.com&sort=newest")
    forms = Tags(html).all("form")
    assert forms and all(f.get("method") == "get" for f in forms)
    hidden = {(a["name"], a["value"]) for a in Tags(html).all("input") if a.get("type") == "hidden"}
    assert ("sort", "newest") in hidden and ("source", "ghanaweb.com") in hidden


# --- the article and about pages ----------------------------------------------------


def test_article_page(client):
    html = page(client, f"/articles/{DATED}")
    assert "Mali’s capital suffered" in html
    assert "17 Sep 2024" in html
    assert 'href="/?actor=JNIM"' in html  # actors link to an actor-filtered search
    assert "More like this" in html and "Other outlets with this story" in html
    assert "<mark>" not in html
    marked = page(client, f"/articles/{DATED}?q=bamako")
    assert "<mark>Bamako</mark>" in marked
    assert "Back to results for" in marked


def test_article_with_slash_in_id_and_hostile_text(hostile_client):
    html = page(hostile_client, "/")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hostile headline" in html
    assert "By &lt;b&gt;Mallory&lt;/b&gt;" in page(hostile_client, "/?q=hostile")  # bylines on hits
    html = page(hostile_client, "/articles/hostile?q=bamako")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert 'href="javascript:' not in html  # a hostile URL is shown, never linked
    assert "<mark>Bamako</mark>" in html


def test_collapsed_stories_show_other_outlets(hostile_client):
    html = page(hostile_client, "/?q=jnim+airport")
    assert "1 other outlet</summary>" in html
    assert 'href="/articles/wire-copy?q=jnim+airport"' in html or 'href="/articles/003_bb0a0735def43244?q=jnim+airport"' in html
    assert "<strong>2</strong> stories (3 articles) · page 1 of 1" in html
    assert "1 more:" not in html  # every other copy is listed


def test_a_story_carried_widely_lists_a_few_outlets_and_links_to_all(hostile_client, monkeypatch):
    monkeypatch.setattr(search, "OTHER_OUTLETS", 0)
    html = page(hostile_client, "/?q=jnim+airport")
    assert "1 other outlet</summary>" in html
    assert re.search(r'and 1 more: <a href="/articles/[^"#]+\?q=jnim\+airport#copies-heading">all outlets', html)
    html = page(hostile_client, "/articles/wire-copy")
    section = html[html.index("Other outlets with this story") : html.index("More like this")]
    assert "/articles/003_bb0a0735def43244" in section
    section = page(hostile_client, "/articles/wire-copy?copies_page=2").split('id="copies-heading"')[1]
    assert "There is only one page of copies: " in section and "Newer" not in section


def test_an_article_page_lists_the_copies_of_its_story_a_page_at_a_time(wide_story_data):
    client = create_app(wide_story_data).test_client()
    html = page(client, "/articles/wide-00")
    section = html[html.index('id="copies-heading"') : html.index("More like this")]
    assert "Other outlets with this story <span class=\"muted\">(44)</span>" in section
    assert re.findall(r'href="/articles/(wide-\d+)"', section) == [f"wide-{i}" for i in range(44, 24, -1)]
    assert "1–20 of 44" in section and "Newer" not in section
    assert 'href="/articles/wide-00?copies_page=2#copies-heading">Older' in section

    section = page(client, "/articles/wide-00?q=bamako&copies_page=3").split('id="copies-heading"')[1]
    assert re.findall(r'href="/articles/(wide-\d+)\?q=bamako"', section) == ["wide-02", "wide-01", "wide-08", "wide-07"]
    assert "41–44 of 44" in section and "Older" not in section
    assert 'href="/articles/wide-00?q=bamako&amp;copies_page=2#copies-heading">' in section

    section = page(client, "/articles/wide-00?copies_page=9").split('id="copies-heading"')[1]
    assert 'There are only 3 pages of copies: <a href="/articles/wide-00#copies-heading">the first</a>.' in section
    assert 'href="/articles/wide-00?copies_page=3#copies-heading">' in section  # newer: the last page
    html = page(client, "/articles/wide-00?copies_page=0", status=400)
    assert "copies_page" in html


def test_hostile_query_is_escaped(client):
    html = page(client, "/?q=%3Cscript%3Ealert(1)%3C/script%3E%22%3E")
    assert "<script>alert" not in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;"' in html


def test_unknown_article_is_a_404_page(client):
    html = page(client, "/articles/no-such-article", status=404)
    assert "Not found" in html and "Traceback" not in html


def test_about_page(client, seeds_index):
    stats = seeds_index.stats()
    html = page(client, "/about")
    assert "About this index" in html
    assert stats.generation in html and ">5</dd>" in html
    assert "17 Sep 2024 – 17 Sep 2024" in html
    assert "Gambiaj.com" in html
    assert "Not read" not in html


def test_about_page_counts_the_files_the_reindex_could_not_read(corpus, tmp_path):
    (corpus / "broken.json").write_text("{nope", "utf-8")
    (corpus / "feed.jsonl").write_text('{"id": "ok", "body": "Bamako was calm."}\n[1]\n', "utf-8")
    reindex([corpus], tmp_path / "data")
    html = page(create_app(tmp_path / "data").test_client(), "/about")
    assert "<dt>Not read</dt><dd>2 corpus files, in part or whole" in html
    assert "broken.json" not in html  # which files, and why, is for the server's owner


# --- errors, no index, new generations ----------------------------------------------


def test_bad_parameter_is_a_400_page_naming_it(client):
    html = page(client, "/?page=0", status=400)
    assert "<code>page</code>" in html and "Traceback" not in html
    html = page(client, "/?from=17-09-2024", status=400)
    assert "from: &#39;17-09-2024&#39; is not an ISO date" in html
    page(client, "/?q=" + "x" * 1001, status=400)
    page(client, "/?size=101", status=400)


def test_crash_is_a_500_page_without_details(client, monkeypatch):
    def boom(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Index, "search", boom)
    html = page(client, "/?q=x", status=500)
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_no_index_yet_is_a_friendly_503_until_reindex(tmp_path):
    client = create_app(tmp_path / "data").test_client()
    html = page(client, "/", status=503)
    assert "manage.py reindex" in html and "Traceback" not in html
    reindex([SEEDS], tmp_path / "data")
    assert total(page(client, "/")) == 5  # no restart needed


@pytest.mark.parametrize("damage", ["older schema", "flat postings truncated"])
def test_an_index_that_cannot_be_used_is_a_503_that_says_to_rebuild_it(tmp_path, corpus, damage):
    data = tmp_path / "data"
    reindex([corpus], data)
    client = create_app(data).test_client()
    assert total(page(client, "/?q=junta")) >= 1
    if damage == "older schema":  # (a new generation, made as an older newsdex would have)
        reindex([corpus], data, full=True)
        meta = current_generation(data) / "newsdex.json"
        meta.write_text(json.dumps({**json.loads(meta.read_text("utf-8")), "schema_version": 1}), "utf-8")
    else:
        live = current_generation(data)
        for npp in live.glob("*.npp"):
            npp.write_bytes(npp.read_bytes()[:100])
        extra = {"id": "extra", "title": "Zanzibar ferry", "body": "A ferry reached Zanzibar.", "source": "x.example"}
        (corpus / "extra.json").write_text(json.dumps(extra), "utf-8")
        with pytest.raises(StoreError):
            reindex([corpus], data)  # (an update refuses it: it cannot be read either)
    # a server that follows the older generation, and one that starts on either (a server that
    # has the damaged file open keeps the commit it has, as the file was when opened)
    for fresh in ([client] if damage == "older schema" else []) + [create_app(data).test_client()]:
        for url in ("/?q=junta", "/api/search?q=junta"):
            response = fresh.get(url)
            text = response.get_data(as_text=True)
            assert response.status_code == 503, url
            assert "reindex --full" in text and "Traceback" not in text and str(tmp_path) not in text


def test_new_generation_is_picked_up_without_restart(tmp_path, corpus):
    reindex([corpus], tmp_path / "data")
    client = create_app(tmp_path / "data").test_client()
    assert total(page(client, "/?q=zanzibar")) == 0
    extra = {"id": "extra", "title": "Zanzibar ferry", "body": "A ferry reached Zanzibar.", "source": "x.example"}
    (corpus / "extra.json").write_text(json.dumps(extra), "utf-8")
    reindex([corpus], tmp_path / "data", full=True)
    assert total(page(client, "/?q=zanzibar")) == 1


# --- headers, markup hygiene, accessibility -----------------------------------------


@pytest.mark.parametrize("url", ["/", "/?q=bamako&size=2", f"/articles/{DATED}?q=mali", "/about", "/nope"])
def test_pages_are_strict_csp_clean_and_labelled(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    tags = Tags(response.get_data(as_text=True))
    assert all(a.get("src") for a in tags.all("script")), "inline script"
    for tag, attrs in tags.tags:
        assert "style" not in attrs and tag != "style", f"inline style on <{tag}>"
        assert not any(name.startswith("on") for name in attrs), f"event handler on <{tag}>"
    assert tags.all("html")[0].get("lang") == "en"
    assert tags.all("main") and tags.all("header") and tags.all("nav")
    labels = {a.get("for") for a in tags.all("label")}
    for attrs in tags.all("input"):
        if attrs.get("type") not in ("hidden", "submit"):
            assert attrs.get("id") in labels, f"input without a label: {attrs}"
    assert any(m.get("name") == "viewport" for m in tags.all("meta"))
    ids = [a["id"] for _, a in tags.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_static_assets_and_opensearch_link(client):
    html = page(client, "/")
    assert 'rel="search" type="application/opensearchdescription+xml"' in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    for asset in ("style.css", "app.js", "favicon.svg"):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200
        response.close()
