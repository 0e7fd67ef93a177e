"""Machine formats of a search: Atom feed, CSV export, OpenSearch description."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

from flask import Blueprint, Response, request, url_for

from indexer.search.request import MAX_PAGE_SIZE
from indexer.search.results import Hit
from web import params
from web.app import get_index
from web.filters import safe_url, search_url

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
FEED_ENTRIES = 20
EXPORT_MAX = 1000
EXPORT_COLUMNS = ("id", "title", "source", "date", "actors", "url")
# Characters XML 1.0 cannot hold (article text is hostile and may contain them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/feed.atom")
def atom() -> Response:
    """Any search as an Atom feed, newest first (``size`` entries, default 20)."""
    state = params.parse(request.args)
    size = state.page_size if request.args.get("size") else FEED_ENTRIES
    with get_index().pinned() as index:  # the entries and the build time: one version
        result = index.search(replace(state.request, sort="newest", page=1, page_size=size, facet_size=1))
        built_at = index.stats().built_at
    root = request.host_url.rstrip("/")
    self_url = root + search_url(state.with_(sort="relevance"), "feeds.atom")

    feed = ET.Element("feed", xmlns=ATOM)
    _sub(feed, "title", f"newsdex: {state.q}" if state.q else "newsdex: latest articles")
    _sub(feed, "subtitle", _describe(state))
    _sub(feed, "id", self_url)
    newest = next((h.published for h in result.hits if h.published), None)
    _sub(feed, "updated", _stamp(newest, built_at))
    _link(feed, self_url, rel="self", type="application/atom+xml")
    _link(feed, root + search_url(state.with_(sort="newest"), "pages.search"), rel="alternate", type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", "newsdex")
    _sub(feed, "generator", "newsdex")
    for hit in result.hits:
        _entry(feed, hit, root, built_at)
    xml = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(xml, mimetype="application/atom+xml")


@bp.get("/export.csv")
def export_csv() -> Response:
    """A search's results as CSV, at most ``limit`` rows (default and most: 1000)."""
    state = params.parse(request.args)
    limit = params.limit(request.args, EXPORT_MAX, EXPORT_MAX)
    hits: list[Hit] = []
    page, total = 1, 0
    with get_index().pinned() as index:  # every page from one version: none skipped or repeated
        while len(hits) < limit:
            result = index.search(
                replace(state.request, page=page, page_size=MAX_PAGE_SIZE, facet_size=1, snippets=False)
            )
            hits.extend(result.hits)
            total = result.total
            if page >= result.pages or not result.hits:
                break
            page += 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for hit in hits[:limit]:
        writer.writerow(
            _cell(v)
            for v in (
                hit.id,
                hit.title,
                hit.source_name or hit.source or "",
                hit.published.isoformat() if hit.published else "",
                "; ".join(hit.actors),
                hit.url or "",
            )
        )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="newsdex-export.csv"'
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Exported-Count"] = str(min(len(hits), limit))
    return response


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    root = request.host_url.rstrip("/")
    desc = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH)
    for tag, text in (
        ("ShortName", "newsdex"),
        ("Description", "Full-text search for news articles"),
        ("InputEncoding", "UTF-8"),
        ("OutputEncoding", "UTF-8"),
    ):
        ET.SubElement(desc, tag).text = text
    for mime, endpoint in (
        ("text/html", "pages.search"),
        ("application/atom+xml", "feeds.atom"),
        ("application/json", "api.search"),
    ):
        ET.SubElement(
            desc,
            "Url",
            type=mime,
            method="get",
            template=f"{root}{url_for(endpoint)}?q={{searchTerms}}",
        )
    image = ET.SubElement(desc, "Image", type="image/svg+xml", width="64", height="64")
    image.text = root + url_for("static", filename="favicon.svg")
    xml = ET.tostring(desc, encoding="utf-8", xml_declaration=True)
    return Response(xml, mimetype="application/opensearchdescription+xml")


def _entry(feed: ET.Element, hit: Hit, root: str, built_at: str) -> None:
    entry = _sub(feed, "entry")
    page = root + url_for("pages.article", article_id=hit.id)
    _sub(entry, "id", page)
    _sub(entry, "title", hit.title)
    _sub(entry, "updated", _stamp(hit.published, built_at))
    if hit.published:
        _sub(entry, "published", _stamp(hit.published, built_at))
    _link(entry, page, rel="alternate", type="text/html")
    original = safe_url(hit.url)
    if original:
        _link(entry, original, rel="related", type="text/html")
    if hit.source_name or hit.source:
        author = _sub(entry, "author")
        _sub(author, "name", hit.source_name or hit.source or "")
    for actor in hit.actors:
        ET.SubElement(entry, "category", term=_clean(actor))
    if hit.snippet:  # sanitised HTML (only <mark>), escaped once more by the XML writer
        _sub(entry, "summary", hit.snippet).set("type", "html")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = _clean(text)
    return element


def _link(parent: ET.Element, href: str, **attrs: str) -> None:
    ET.SubElement(parent, "link", {"href": _clean(href), **attrs})


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _stamp(day: dt.date | None, built_at: str) -> str:
    """An RFC 3339 timestamp: midnight UTC of a publication day, else when the index was built."""
    if day is not None:
        return f"{day.isoformat()}T00:00:00Z"
    return built_at or "1970-01-01T00:00:00Z"


def _describe(state: params.SearchState) -> str:
    parts = [f"articles matching {state.q}" if state.q else "all articles"]
    parts += [f"source {s}" for s in state.sources] + [f"actor {a}" for a in state.actors]
    parts += [f"period {d}" for d in state.dates]
    if state.date_from:
        parts.append(f"from {state.date_from}")
    if state.date_to:
        parts.append(f"to {state.date_to}")
    return "newsdex search: " + ", ".join(parts) + " (newest first)"


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (``=HYPERLINK(...)`` in a hostile title)."""
    return "'" + value if value.startswith(_FORMULA) else value
