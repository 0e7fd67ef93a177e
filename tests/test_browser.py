"""Real-browser tests: Playwright drives Debian's chromium against a live ``manage.py serve``.

Screenshots of the search and article pages go to ``tests/artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from livecheck import REPO

pytestmark = [pytest.mark.browser, pytest.mark.web]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

XSS = "<script>alert(1)</script>"
EXTRA = [
    {
        "id": "hostile",
        "title": f"{XSS} Market report from Bamako",
        "body": f"Traders said {XSS} prices rose. <img src=x onerror=alert(1)> Bamako markets reopened.",
        "source": XSS,
        "url": "javascript:alert(1)",
        "published": "2024-09-20",
        "authors": ["<b>Mallory</b>"],
    },
    {
        "id": "niamey-june",
        "title": "Niger junta meets ECOWAS envoys in Niamey",
        "body": "Niger's military junta met ECOWAS envoys in Niamey on Monday to discuss sanctions and Mali.",
        "source": "sahelwatch.org",
        "url": "https://sahelwatch.org/niamey-june",
        "published": "2024-06-03",
    },
    {
        "id": "bamako-july",
        "title": "Bamako prepares for the Sahel summit",
        "body": "Officials in Bamako prepared for a summit of the Alliance of Sahel States with Niger and Burkina Faso.",
        "source": "sahelwatch.org",
        "url": "https://sahelwatch.org/bamako-july",
        "published": "2024-07-14",
    },
    {
        "id": "ouaga-august",
        "title": "Burkina Faso and Mali sign a security pact",
        "body": "Burkina Faso and Mali signed a security pact in Ouagadougou; JNIM attacks continue near Bamako.",
        "source": "westafricadaily.com",
        "url": "https://westafricadaily.com/pact",
        "published": "2024-08-21",
    },
]


@pytest.fixture(scope="module")
def server(build_data, live_server):
    """``manage.py serve`` on a free loopback port over the seeds plus a few fixture articles."""
    wire = (REPO / "seeds" / "003_bb0a0735def43244.txt").read_text("utf-8").split("\n", 3)[3]
    copy = {"id": "wire-copy", "title": "Group claims Bamako attack", "body": wire, "source": "wirenews.com"}
    data = build_data("browser", [*EXTRA, copy])
    ARTIFACTS.mkdir(exist_ok=True)
    with live_server(data, ARTIFACTS / "server.log") as server:
        yield server.url


@pytest.fixture
def page(browser, server):
    """A fresh page; fails the test on any console error (CSP violations show there) or dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.problems = problems  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert not problems, problems


def _chip(pg) -> str:  # type: ignore[no-untyped-def]
    """The first active-filter chip's text, whitespace folded."""
    return " ".join(pg.locator(".chip.removable").first.inner_text().split())


def _total(pg) -> int:  # type: ignore[no-untyped-def]
    return int(pg.locator(".summary strong").first.inner_text().replace(",", ""))


def test_type_a_query_and_see_marks(page):
    page.goto("/")
    page.get_by_label("Search news articles").fill("bamako")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q=bamako$"))
    marks = page.locator(".hit .snippet mark")
    assert marks.count() > 0 and marks.first.inner_text().lower() == "bamako"
    assert page.get_by_label("Search news articles").input_value() == "bamako"
    outlets = page.locator(".hit .outlets summary")
    assert outlets.count() == 1 and outlets.inner_text() == "1 other outlet"
    outlets.click()
    assert page.locator(".hit .outlets li a").is_visible()
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)


def test_tick_a_source_facet_and_see_counts_change(page):
    page.goto("/?q=bamako")
    before = _total(page)
    counts_before = page.locator("#facet-actor .count").all_inner_texts()
    box = page.locator("#facet-source input[value='sahelwatch.org']")
    with page.expect_navigation():
        box.check()  # app.js submits the facet form at once
    assert "source=sahelwatch.org" in page.url
    assert page.locator("#facet-source input[value='sahelwatch.org']").is_checked()
    assert page.evaluate("document.activeElement.value") == "sahelwatch.org"  # focus kept
    after = _total(page)
    assert 0 < after < before
    assert page.locator("#facet-actor .count").all_inner_texts() != counts_before
    assert _chip(page).startswith("Source:")
    page.locator(".chip.removable").first.click()  # the chip removes the filter again
    page.wait_for_load_state()
    assert _total(page) == before


def test_open_an_article_and_follow_an_actor_link(page):
    page.goto("/?q=bamako")
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/articles/.+\?q=bamako"))
    assert page.locator("h1 mark, .body mark").count() > 0
    assert page.locator("text=More like this").is_visible()
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
    actor = page.locator(".article .actors a").first
    name = actor.inner_text()
    actor.click()
    page.wait_for_url(re.compile(r"/\?actor="))
    assert _chip(page).startswith(f"Actor: {name}")
    assert _total(page) >= 1
    assert page.locator("#facet-actor input:checked").get_attribute("value") == name


def test_page_through_results(page):
    page.goto("/?size=3")
    assert "page 1 of 3" in page.locator(".summary").inner_text()  # 9 stories, 10 articles
    first = page.locator(".hit-title a").first.inner_text()
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "page 2 of 3" in page.locator(".summary").inner_text()
    assert page.locator(".hit-title a").first.inner_text() != first
    assert page.locator(".pagination [aria-current=page]").inner_text().endswith("2")
    page.go_back()
    page.wait_for_url(re.compile(r"\?size=3$"))
    assert page.locator(".hit-title a").first.inner_text() == first


def test_date_histogram_filters_by_period(page):
    page.goto("/")
    before = _total(page)
    bars = page.locator(".bars a.bar")
    assert bars.count() >= 4  # Jun .. Sep 2024 by month, plus undated
    assert page.locator(".histogram h3").inner_text().lower().endswith("by month")
    bars.first.click()
    page.wait_for_url(re.compile(r"date=2024-06"))
    assert _total(page) == 1
    assert page.locator(".bars a.bar.selected").count() == 1
    assert _chip(page).startswith("Date: Jun 2024")
    page.locator(".bars a.bar").nth(3).click()  # a second period widens the selection
    page.wait_for_url(re.compile(r"date=2024-06&date=2024-09"))
    assert 1 < _total(page) < before


def test_hostile_article_shows_text_and_runs_nothing(page):
    page.goto("/?q=market")
    title = page.locator(".hit-title a").first
    assert title.inner_text().startswith(XSS)
    title.click()
    page.wait_for_url(re.compile(r"/articles/hostile"))
    assert page.locator("h1").inner_text().startswith(XSS)
    body = page.locator(".body").inner_text()
    assert XSS in body and "<img src=x onerror=alert(1)>" in body
    assert page.locator(".article .source").inner_text() == XSS
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # app.js only
    assert page.evaluate("document.querySelectorAll('.body img, h1 img, .meta img').length") == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    page.wait_for_timeout(300)  # give a stray handler the chance to fire
    assert not page.problems  # type: ignore[attr-defined]


def test_keyboard_and_phone_width(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server)
    pg = context.new_page()
    pg.goto("/?q=mali")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip-link"
    pg.keyboard.press("Enter")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.closest('main') !== null")
    pg.locator("body").click(position={"x": 5, "y": 5})
    pg.keyboard.press("/")
    assert pg.evaluate("document.activeElement.id") == "q"
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    assert not pg.locator("details.refine").evaluate("d => d.open")  # filters fold away on a phone
    pg.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=True)
    pg.goto("/articles/004_04d21494b0b19014?q=mali")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.screenshot(path=str(ARTIFACTS / "article-phone.png"), full_page=True)
    context.close()
