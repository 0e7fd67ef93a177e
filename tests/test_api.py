"""The JSON API, the Atom feed, the CSV export and OpenSearch, through Flask's test client."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from web import create_app

pytestmark = [pytest.mark.index, pytest.mark.web]

DATED = "004_04d21494b0b19014"
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = [  # beside the seeds, for conftest's hostile_client
    {
        "id": "hostile",
        "title": "<script>alert(1)</script> Hostile \x0b headline",
        "body": "Before <script>alert(1)</script> and <img src=x onerror=alert(1)> \x01after. Bamako.",
        "source": "<script>alert(1)</script>",
        "url": "javascript:alert(1)",
        "published": "2024-09-20",
    },
    {
        "id": "formula",
        "title": '=HYPERLINK("http://evil.example","click") Bamako',
        "body": "A spreadsheet trap about Bamako.",
        "source": "evil.example",
        "published": "2023-01-05",
    },
]


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    assert response.content_type == "application/json"
    return response.get_json()


# --- /api/search ----------------------------------------------------------------


def test_search_returns_hits_total_facets_reading_and_timing(client):
    body = get_json(client, "/api/search?q=bamako&size=2")
    assert body["total"] == 5 and body["total_articles"] == 5 and body["pages"] == 3
    assert len(body["hits"]) == 2
    hit = body["hits"][0]
    assert {"id", "title", "title_html", "source", "published", "actors", "url", "snippet"} <= set(hit)
    assert "<mark>" in hit["snippet"]
    assert hit["links"]["html"].startswith("http://localhost/articles/")
    assert set(body["facets"]) == {"source", "actor", "date"}
    assert body["facets"]["source"]["values"][0]["count"] >= 1
    assert body["parsed"] == "bamako" and "suggestion" in body and "warnings" in body
    assert isinstance(body["took_ms"], float)
    assert body["request"]["page_size"] == 2
    assert body["links"]["next"] == "http://localhost/api/search?q=bamako&size=2&page=2"
    assert body["links"]["atom"] == "http://localhost/feed.atom?q=bamako&size=2"


def test_search_takes_the_page_parameters(client):
    assert get_json(client, "/api/search?q=bamako&source=ghanaweb.com")["total"] == 1
    assert get_json(client, "/api/search?date=2024-09-17")["total"] == 1
    assert get_json(client, "/api/search?date=undated&date=2024-09-17")["total"] == 5
    assert get_json(client, "/api/search?from=2024-09-17&to=2024-09-17")["total"] == 1
    newest = get_json(client, "/api/search?q=bamako&sort=newest")["hits"]
    assert newest[0]["id"] == DATED
    actors = get_json(client, "/api/search?actor=JNIM")
    assert actors["total"] >= 1
    assert any(v["selected"] for v in actors["facets"]["actor"]["values"])
    body = get_json(client, "/api/search?q=bamako&all=1&page=2&size=4")
    assert body["request"]["collapse"] is False and len(body["hits"]) == 1
    assert get_json(client, "/api/search?q=bamako+zzqx&match=any")["total"] == 5


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=99999999999999999999", "page"),
        ("size=0", "size"),
        ("size=101", "size"),
        ("from=2024-13-01", "from"),
        ("from=17/09/2024", "from"),
        ("to=2024-02-30", "to"),
        ("from=2024-09-02&to=2024-09-01", "from"),
        ("q=" + "x" * 1001, "q"),
        ("sort=popular", "sort"),
        ("date=2024-13", "date"),
        ("date=last-week", "date"),
        ("all=maybe", "all"),
        ("match=some", "match"),
        ("source=" + "&source=".join(str(n) for n in range(51)), "source"),
    ],
)
def test_bad_parameters_are_400s_naming_them(client, query, param):
    for url in (f"/api/search?{query}", f"/api/facets/source?{query}", f"/feed.atom?{query}", f"/export.csv?{query}"):
        body = get_json(client, url, status=400)
        assert body["status"] == 400 and body["error"] == "bad_request"
        assert body["param"] == param
        assert body["message"].startswith(f"{param}: ")
        assert "Traceback" not in json.dumps(body)


def test_limits_are_inclusive(client):
    get_json(client, "/api/search?size=100&page=1&q=" + "x" * 1000)
    get_json(client, "/api/search?size=1&from=2024-09-17&to=2024-09-17")


# --- articles, facets, stats ----------------------------------------------------------


def test_article_by_id(client):
    body = get_json(client, f"/api/articles/{DATED}")
    assert body["id"] == DATED and body["published"] == "2024-09-17"
    assert body["body"].startswith("On September 17, 2024")
    assert "JNIM" in body["actors"]
    assert isinstance(body["story_copies"], list)
    assert 1 <= len(body["more_like_this"]) <= 5
    assert body["links"]["html"] == f"http://localhost/articles/{DATED}"
    assert len(get_json(client, f"/api/articles/{DATED}?limit=1")["more_like_this"]) == 1
    assert get_json(client, f"/api/articles/{DATED}?limit=0", status=400)["param"] == "limit"


def test_an_articles_story_copies_come_a_window_at_a_time(wide_story_data):
    client = create_app(wide_story_data).test_client()
    body = get_json(client, "/api/articles/wide-00")
    assert body["story_copy_count"] == 44 and len(body["story_copies"]) == 44
    assert "more_story_copies" not in body["links"]
    body = get_json(client, "/api/articles/wide-00?copies_limit=10&copies_offset=30")
    assert [c["id"] for c in body["story_copies"]] == [f"wide-{i:02d}" for i in (14, 13, 12, 11, 10, 9, 6, 5, 4, 3)]
    assert body["links"]["more_story_copies"] == (
        "http://localhost/api/articles/wide-00?copies_limit=10&copies_offset=40"
    )
    last = get_json(client, body["links"]["more_story_copies"].removeprefix("http://localhost"))
    assert [c["id"] for c in last["story_copies"]] == ["wide-02", "wide-01", "wide-08", "wide-07"]
    assert "more_story_copies" not in last["links"]
    assert get_json(client, "/api/articles/wide-00?copies_limit=1001", status=400)["param"] == "copies_limit"
    assert get_json(client, "/api/articles/wide-00?copies_offset=-1", status=400)["param"] == "copies_offset"


def test_unknown_article_is_a_json_404(client):
    body = get_json(client, "/api/articles/no-such-id", status=404)
    assert body == {"status": 404, "error": "not_found", "message": body["message"]}
    assert get_json(client, "/api/nothing-here", status=404)["status"] == 404


def test_facets_list_every_value(client):
    search = get_json(client, "/api/search?q=bamako")
    listed = search["facets"]["actor"]
    body = get_json(client, "/api/facets/actor?q=bamako")
    assert body["field"] == "actor"
    assert len(body["values"]) == len(listed["values"]) + listed["other"]
    assert body["other"] == 0
    dates = get_json(client, "/api/facets/date")
    assert [v["value"] for v in dates["values"]] == ["2024-09-17", "undated"]
    assert get_json(client, "/api/facets/source?q=bamako&source=ghanaweb.com")["values"]
    body = get_json(client, "/api/facets/colour", status=400)
    assert body["param"] == "field" and "colour" in body["message"]


def test_stats(client, seeds_index):
    body = get_json(client, "/api/stats")
    assert body["articles"] == 5 and body["sources"] == 3
    assert body["first_date"] == "2024-09-17"
    assert body["generation"] == seeds_index.stats().generation
    assert body["built_at"] and body["unread_files"] == 0


def test_method_not_allowed_is_json(client):
    response = client.post("/api/search")
    assert response.status_code == 405 and response.get_json()["status"] == 405


def test_no_index_is_a_json_503(tmp_path):
    client = create_app(tmp_path / "empty").test_client()
    body = get_json(client, "/api/search?q=x", status=503)
    assert "reindex" in body["message"] and str(tmp_path) not in body["message"]


def test_api_responses_carry_security_headers(client):
    response = client.get("/api/stats")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# --- Atom, CSV, OpenSearch ---------------------------------------------------------------


def test_atom_feed_newest_first(client):
    response = client.get("/feed.atom?q=bamako")
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "newsdex: bamako"
    assert feed.findtext(f"{ATOM}id") == "http://localhost/feed.atom?q=bamako"
    assert feed.findtext(f"{ATOM}updated") == "2024-09-17T00:00:00Z"
    rels = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert rels["self"] == "http://localhost/feed.atom?q=bamako"
    assert rels["alternate"] == "http://localhost/?q=bamako&sort=newest"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    assert entries[0].findtext(f"{ATOM}id") == f"http://localhost/articles/{DATED}"
    for entry in entries:
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}updated")
    summary = entries[0].find(f"{ATOM}summary")
    assert summary is not None and summary.get("type") == "html" and "<mark>" in summary.text
    assert len(ET.fromstring(client.get("/feed.atom?size=2").data).findall(f"{ATOM}entry")) == 2


def test_atom_feed_survives_hostile_text(hostile_client):
    response = hostile_client.get("/feed.atom?q=bamako")
    feed = ET.fromstring(response.data)  # well-formed despite control characters
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles[0].startswith("<script>alert(1)</script> Hostile")
    assert b"<script>" not in response.data
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert not any(h.startswith("javascript:") for h in hrefs)


def test_csv_export(client):
    response = client.get("/export.csv?q=bamako&sort=newest")
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["id", "title", "source", "date", "actors", "url"]
    assert len(rows) == 6 and rows[1][0] == DATED and rows[1][3] == "2024-09-17"
    assert "JNIM" in rows[1][4].split("; ")
    assert response.headers["X-Total-Count"] == "5"
    limited = list(csv.reader(io.StringIO(client.get("/export.csv?limit=2").get_data(as_text=True))))
    assert len(limited) == 3
    assert get_json(client, "/export.csv?limit=1001", status=400)["param"] == "limit"


def test_csv_export_neutralises_formulas(hostile_client):
    text = hostile_client.get("/export.csv?q=spreadsheet").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1].startswith("'=HYPERLINK(")


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.content_type.startswith("application/opensearchdescription+xml")
    doc = ET.fromstring(response.data)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert doc.findtext(f"{ns}ShortName") == "newsdex"
    templates = {u.get("type"): u.get("template") for u in doc.findall(f"{ns}Url")}
    assert templates["text/html"] == "http://localhost/?q={searchTerms}"
    assert templates["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"


# --- serving -------------------------------------------------------------------------------


def test_serve_runs_waitress_on_loopback_by_default(seeds_data, monkeypatch):
    import waitress

    from indexer.cli import main

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append((app, kw, kw["sockets"][0].getsockname())))
    assert main(["--data", str(seeds_data), "serve", "--port", "8123"]) == 0
    app, kw, address = calls[0]
    assert address == ("127.0.0.1", 8123) and kw["threads"] == 8  # (the socket it was given, bound here)
    assert app.test_client().get("/api/stats").get_json()["articles"] == 5


def test_serve_debug_uses_flasks_reloader(tmp_path, monkeypatch):
    from flask import Flask

    from web.serve import serve

    calls = []
    monkeypatch.setattr(Flask, "run", lambda self, **kw: calls.append(kw))
    assert serve(tmp_path / "no-index-yet", host="0.0.0.0", port=9000, debug=True) == 0
    assert calls == [{"host": "0.0.0.0", "port": 9000, "debug": True, "use_reloader": True, "threaded": True}]
