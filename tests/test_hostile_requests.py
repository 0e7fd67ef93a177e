"""Hostile queries and requests against a live ``manage.py serve``, over HTTP.

Property-based (hypothesis): any query string and any value of any parameter, on every
route, is answered with a 200 or a 4xx, never a 500, and within a bounded time.
Pathological queries (wildcards, fuzzy words, deep nesting, thousands of operators)
are bounded too; article ids cannot reach outside the index.

``NEWSDEX_HYPOTHESIS=explore`` runs many more, random examples (CI runs a fixed set).
"""

from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from livecheck import query

pytestmark = [pytest.mark.reliability, pytest.mark.web]

_RUNS = {
    "ci": {"max_examples": 100, "derandomize": True},  # the same examples every run: reproducible in CI
    "explore": {"max_examples": 2000},
}
HYPOTHESIS = settings(  # per test, not a global profile: other modules keep their own settings
    deadline=None,
    database=None,  # no .hypothesis/ folder in the repository
    suppress_health_check=[HealthCheck.too_slow],
    **_RUNS[os.environ.get("NEWSDEX_HYPOTHESIS", "ci")],
)

MAX_SECONDS = 5.0  # for any one response, on a slow CI machine
ALLOWED = {200, 400, 404, 405}
HOSTILE_ID = "../../../../etc/passwd"
SECRETS = (b"root:x:0:", b"[build-system]", b"learned_aliases", b"def create_app")

ROUTES = (
    "/",
    "/api/search",
    "/feed.atom",
    "/export.csv",
    "/api/facets/source",
    "/api/facets/actor",
    "/api/facets/date",
    "/about",
    "/api/stats",
    "/opensearch.xml",
)
PARAMS = ("q", "source", "actor", "date", "from", "to", "sort", "match", "page", "size", "all", "expand", "limit")
SYNTAX = (
    "AND", "OR", "NOT", "-", "+", "(", ")", '"', "*", "?", "~", "~1", "~2", "~9", ":", "..", "title:", "body:",
    "source:", "actor:", "date:", "date:2024", "date:2024-09..", "date:..2023-13", "bam*", "b*", "*a", "a~",
    "Guterres~", "mali", "junta", "bamako", "JNIM", "GSIM", "niger", "\\", "'", "&", "<script>", "%", "\x00",
)


@pytest.fixture(scope="module")
def data(build_data) -> Path:
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()
    articles = [
        {
            "id": f"w{i}",
            "title": f"{words[i % 13].title()} report {i}",
            "body": " ".join(f"{w}{i % 50}" for w in words) + " Bamako Niamey Mali junta",
            "source": ("alpha.org", "bravo.net", "charlie.com")[i % 3],
            "published": f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        }
        for i in range(300)
    ]
    articles.append({"id": HOSTILE_ID, "title": "An id like a path", "body": "Nothing to see in this file."})
    articles.append({"id": "a b/c?d#e%20f", "title": "An id with URL syntax", "body": "Spaces and marks."})
    return build_data("hostile-requests", articles, file="many.json")


@pytest.fixture(scope="module")
def server(data: Path, live_server):
    with live_server(data, no_tracebacks=True) as live:  # no error was logged: no 500 at all
        yield live


def _check(server, target: str):  # type: ignore[no-untyped-def]
    response = server.get(target)
    if response.status == 308:  # "//" in a path: the router merges the slashes, on this site
        assert response.headers["location"].startswith(server.url + "/"), response.headers["location"]
        return response
    assert response.status in ALLOWED, f"{target}: HTTP {response.status}: {response.text[:300]}"
    assert response.seconds < MAX_SECONDS, f"{target}: {response.seconds:.1f} s"
    if response.status != 200 and "json" in response.headers.get("content-type", ""):
        assert response.json()["status"] == response.status
    assert not any(secret in response.body for secret in SECRETS), target
    return response


queries = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=12)), max_size=40).map(" ".join),
    st.lists(st.sampled_from(SYNTAX), max_size=80).map("".join),
)
values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates().map(str),
    st.sampled_from(("", "0", "1", "100", "101", "10000", "10001", "1e3", "relevance", "newest", "any", "all",
                     "source", "actor", "date", "undated", "2024", "2024-13", "2024-02-30", "9999-12-31",
                     "alpha.org", "Bamako", "JNIM", "true", "off", " ", "\x00", "%00", "../..")),
)
params = st.dictionaries(
    st.one_of(st.sampled_from(PARAMS), st.text(max_size=6)), st.lists(values, min_size=1, max_size=4), max_size=8
)


@HYPOTHESIS
@given(route=st.sampled_from(ROUTES[:6]), q=queries)
@example(route="/api/search", q="(" * 400 + "mali" + ")" * 400)
@example(route="/api/search", q="*")
@example(route="/", q="a* b* c* d* e* f* g* h* i* j* k* l* m*")
def test_any_query_string_is_answered(server, route, q):
    _check(server, query(route, q=q))


@HYPOTHESIS
@given(route=st.sampled_from(ROUTES), args=params)
@example(route="/api/search", args={"page": ["10000"], "size": ["100"]})
@example(route="/export.csv", args={"limit": ["1000"], "q": ["*"]})
@example(route="/", args={"source": ["x"] * 51})
def test_any_parameters_are_answered(server, route, args):
    _check(server, query(route, **args))


@HYPOTHESIS
@given(
    kind=st.sampled_from(("/articles/", "/api/articles/", "/api/facets/", "/static/")),
    tail=st.one_of(st.text(max_size=60), st.binary(max_size=30).map(lambda b: b.decode("latin-1"))),
    params=params,
)
def test_any_path_is_answered(server, kind, tail, params):
    _check(server, query(kind + urllib.parse.quote(tail, safe="/"), **params))


@HYPOTHESIS
@given(raw=st.binary(min_size=1, max_size=60))
def test_any_bytes_in_the_query_are_answered(server, raw):
    encoded = urllib.parse.quote_from_bytes(raw)
    _check(server, f"/api/search?q={encoded}&source={encoded}")
    _check(server, f"/?q={encoded}&date={encoded}")


PATHOLOGICAL = [
    "*", "?", "**********", "*?*?*?*?*?*?*?*", "a*", "*a*", "?a*b*c", "alpha1*", "w*",
    " ".join(f"{c}*" for c in "abcdefghijklmnopqrstuvwxyz"),  # 26 prefixes, 256 words each
    " OR ".join(f"{c}*" for c in "abcdefghijklmnopqrstuvwxyz"),
    "alphaalphaalphaalphaalphaalpha~2", "bamako~2 " * 60, "x~2 " * 200, "~" * 500,
    "(" * 500 + "mali" + ")" * 499, "((((((((((" * 50, ")" * 999, '"' * 999, '"mali' * 150,
    "NOT " * 240 + "mali", "-" * 999, "mali OR " * 120 + "niger", "mali AND " * 110 + "niger",
    "title:" * 160 + "mali", "date:" + "9" * 990, "date:1000-01-01..9999-12-31", "date:..", "source:" * 140,
    "actor:" + "A" * 990, "date:2024-02-29..2024-02-30", "date:10000", "date:2024-00",
    '"' + " ".join(["mali"] * 190) + '"', "a" * 1000, "\u0301" * 500, "ﷺ" * 300,
]


@pytest.mark.parametrize("q", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_pathological_queries_are_bounded(server, q):
    for route in ("/api/search", "/"):
        _check(server, query(route, q=q, all=1, size=100))
    _check(server, query("/api/search", q=q, match="any", sort="newest"))


@pytest.mark.parametrize("q", ["date:0001-01-01..9999-12-31", "date:0999", "date:0999-01..0999-12"])
def test_dates_before_the_year_1000_are_answered(data, q):
    from web import create_app

    client = create_app(data).test_client()  # in-process: the live server's log stays clean
    assert client.get(query("/api/search", q=q)).status_code == 200


TRAVERSALS = [
    "/articles/../../../../etc/passwd",
    "/articles/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/articles/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/articles/....//....//etc/passwd",
    "/articles/%252e%252e%252fetc%252fpasswd",
    "/articles/..%5c..%5c..%5cetc%5cpasswd",
    "/articles/%00../../etc/passwd",
    "/articles/CURRENT",
    "/articles/gen-000001/newsdex.json",
    "/api/articles/../../pyproject.toml",
    "/api/articles/..%2F..%2F..%2F..%2Fpyproject.toml",
    "/api/articles/%2Fetc%2Fpasswd",
    "/static/../../pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/web/__init__.py",
    "/static//etc/passwd",
    "/static/..%5c..%5cpyproject.toml",
    "//etc/passwd",
    "/../../../../etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_article_ids_cannot_reach_outside_the_index(server, target):
    """Nothing but the index answers; the one 200 is the article whose id *is* that path."""
    response = _check(server, target)
    if response.status == 308:
        response = _check(server, response.headers["location"][len(server.url) :])
    if response.status == 200:
        assert target.startswith(("/articles/", "/api/articles/")), target
        assert b"An id like a path" in response.body and b"Nothing to see in this file" in response.body
    else:
        assert response.status in (400, 404), (target, response.status)


def test_a_path_like_article_id_is_only_an_id(server):
    """An article whose id looks like a path is served from the index, never from the disk."""
    quoted = urllib.parse.quote(HOSTILE_ID, safe="")
    response = _check(server, f"/api/articles/{quoted}")
    assert response.status == 200 and response.json()["id"] == HOSTILE_ID
    response = _check(server, f"/api/articles/{urllib.parse.quote('a b/c?d#e%20f', safe='')}")
    assert response.status == 200 and response.json()["title"] == "An id with URL syntax"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_are_refused(server, method):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, "/api/search?q=mali", body=b"x" * 100_000 if method != "TRACE" else None)
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status in (200, 405, 413) and (method == "OPTIONS" or response.status != 200)


def test_many_parameters_and_long_urls_are_bounded(server):
    _check(server, "/api/search?" + "&".join(f"p{i}=x" for i in range(5000)))
    _check(server, "/api/search?q=" + "a" * 20_000)
    _check(server, "/?" + "source=x&" * 60)
    _check(server, "/articles/" + "x" * 10_000)


def test_an_article_with_thousands_of_matches_gets_three_passages(tmp_path):
    """Snippet windows are linear in the matches (this took 11 s when each window counted all)."""
    from indexer import Index, reindex

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.json").write_text(json.dumps({"title": "Echo", "body": "xy " * 10_000}), "utf-8")
    reindex([tmp_path / "c"], tmp_path / "data")
    with Index.open(tmp_path / "data") as index:
        [hit] = index.search("xy").hits
    assert 1 <= hit.snippet.count("…") <= 3 and "<mark>xy</mark>" in hit.snippet
