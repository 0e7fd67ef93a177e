"""XSS: hostile titles, bodies, sources, authors, URLs, actor names and queries, in a real browser.

Chromium (Playwright) loads every page that shows them from a live ``manage.py serve``,
with the Content-Security-Policy *bypassed*: the CSP is a second line of defence, and
these tests check the first one, escaping. Nothing may run (no dialog, no marker set,
no element with an event handler, no script but app.js) and the payloads must show as
text. JSON answers must hold no raw ``<``/``>``/``&``, so that they are inert even when
a browser or an embedding page reads them as HTML.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from livecheck import query

pytestmark = [pytest.mark.browser, pytest.mark.web, pytest.mark.reliability]


PAYLOADS = [
    "<script>window.__xss='script'</script>",
    '<img src=x onerror="window.__xss=\'img\'">',
    '"><svg onload="window.__xss=\'svg\'">',
    "'><iframe srcdoc=\"<script>parent.__xss='iframe'</script>\"></iframe>",
    "</title><script>window.__xss='title'</script>",
    "</textarea><script>window.__xss='textarea'</script>",
    '<mark onmouseover="window.__xss=\'mark\'" style="display:block;width:9999px;height:9999px">m</mark>',
    '<a href="javascript:window.__xss=\'href\'">link</a>',
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "&lt;script&gt;window.__xss='entity'&lt;/script&gt;",
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    "\u2028\u2029</script><script>window.__xss='separator'</script>",
]
ACTOR = '<img src=x onerror="window.__xss=\'actor\'">'
CHECK_DOM = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(`${el.tagName} ${a.name}`);
      if (/^\\s*javascript:/i.test(a.value)) bad.push(`${el.tagName} ${a.name}=javascript:`);
    }
  }
  for (const s of document.querySelectorAll('script')) if (!s.src.endsWith('/static/app.js')) bad.push('script');
  for (const sel of ['iframe', 'object', 'embed', 'base', 'meta[http-equiv]', 'body style', 'img[src="x"]'])
    for (const el of document.querySelectorAll(sel)) bad.push(sel);
  for (const m of document.querySelectorAll('mark')) if (m.attributes.length) bad.push('mark with attributes');
  return {bad, xss: window.__xss === undefined ? null : String(window.__xss)};
}"""


@pytest.fixture(scope="module")
def site(build_data, live_server):
    articles = [
        {
            "id": f"x{i}",
            "title": f"Wagner market report {i} {p}",
            "body": f"Traders in Bamako said {p} prices rose. Wagner fighters were seen. {p}\n\nMore text {p}.",
            "source": p,
            "url": "javascript:window.__xss='url'" if i % 2 else p,
            "authors": [p],
            "published": f"2024-09-{10 + i:02d}",
        }
        for i, p in enumerate(PAYLOADS)
    ]
    # an actor whose name is a payload: every article that mentions Wagner shows it
    aliases = f"[{json.dumps(ACTOR)}]\naliases = [\"Wagner\", \"Wagner Group\"]\n"
    data = build_data("xss", articles, file="hostile.json", aliases=aliases)
    with live_server(data) as server:
        yield server


@pytest.fixture(scope="module")
def visit(browser, site):
    """Open a page with the CSP bypassed; fail on anything that ran or was injected."""
    context = browser.new_context(base_url=site.url, bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def _visit(path: str) -> str:
        page.goto("about:blank")
        page.goto(site.url + path)
        page.mouse.move(200, 300)  # for the onmouseover payload
        if "html" in page.evaluate("document.contentType"):
            found = page.evaluate(CHECK_DOM)
        else:  # JSON, XML: shown by the browser itself
            found = {"bad": [], "xss": page.evaluate("window.__xss === undefined ? null : String(window.__xss)")}
        assert found["xss"] is None and not found["bad"] and not dialogs, (path, found, dialogs)
        return page.locator("body").inner_text()

    yield _visit
    page.wait_for_timeout(200)  # a late handler would show now
    assert not dialogs, dialogs
    context.close()


def test_hostile_hits_facets_and_chips_are_inert(visit):
    text = visit("/?q=wagner&size=20")
    for payload in PAYLOADS[:3]:
        assert payload in text  # shown, as text
    assert ACTOR in text  # the actor facet and chips show the name as text
    visit("/?q=market&expand=source")
    visit("/?q=market&expand=actor")
    visit(query("/", source=PAYLOADS[1], actor=ACTOR))  # active-filter chips
    visit("/about")


def test_hostile_article_pages_are_inert(visit):
    for n, payload in enumerate(PAYLOADS):
        text = visit(query(f"/articles/x{n}", q=payload))
        assert payload.split("\u2028")[0] in text  # shown, as text
        visit(f"/articles/x{n}")


def test_hostile_queries_are_inert(visit):
    for payload in PAYLOADS:
        text = visit(query("/", q=payload))
        assert payload.split("\u2028")[0] in text
        visit(query("/", q=f'title:"{payload}" OR {payload}*', sort="newest"))
        visit(query("/", date=payload))  # a 400 page that names the value
        visit("/articles/" + urllib.parse.quote(payload, safe=""))  # a 404 page
    for payload in PAYLOADS[:4]:
        visit(query("/api/search", q=payload))  # the JSON, as the browser shows it
        visit(query("/feed.atom", q="wagner " + payload))


def test_json_answers_hold_no_raw_markup(site):
    """Every string with ``<``, ``>`` or ``&`` is escaped as \\u003c, \\u003e, \\u0026."""
    targets = [query("/api/search", q=p) for p in PAYLOADS] + [
        query("/api/search", q="wagner", size=50),
        query("/api/search", date=PAYLOADS[0]),  # a 400 that names the value
        "/api/facets/source?q=market",
        "/api/facets/actor?q=wagner",
        "/api/stats",
    ]
    targets += [f"/api/articles/x{n}" for n in range(len(PAYLOADS))]
    for target in targets:
        response = site.get(target)
        assert response.status in (200, 400), target
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["x-content-type-options"] == "nosniff"
        for raw in (b"<", b">", b"&", "\u2028".encode(), "\u2029".encode()):
            assert raw not in response.body, (target, raw)
        json.loads(response.body)  # still valid JSON
    body = site.get("/api/articles/x0").json()
    assert body["title"].endswith(PAYLOADS[0]) and body["source_name"] == PAYLOADS[0]


def test_feeds_and_exports_are_not_html(site):
    for target, kind in (
        ("/feed.atom?q=wagner", "application/atom+xml"),
        ("/export.csv?q=wagner", "text/csv"),
        ("/opensearch.xml", "application/opensearchdescription+xml"),
    ):
        response = site.get(target)
        assert response.status == 200 and response.headers["content-type"].startswith(kind), target
        assert response.headers["x-content-type-options"] == "nosniff"
    feed = site.get("/feed.atom?q=wagner").body
    assert b"<script" not in feed and b"<img" not in feed  # escaped once more inside the XML
