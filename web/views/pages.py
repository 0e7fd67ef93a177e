"""The HTML pages: search (``/``), article (``/articles/<id>``), about (``/about``)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from indexer import Index
from indexer.search.request import MAX_PAGE
from indexer.search.results import Facet
from web import params
from web.app import get_index
from web.filters import paragraphs

bp = Blueprint("pages", __name__)

COPIES_PER_PAGE = 20  # other outlets' copies of a story listed on an article page


@bp.get("/")
def search() -> ResponseReturnValue:
    state = params.parse(request.args)
    with get_index().pinned() as index:  # the hits, a facet in full and the stats: one version
        result = index.search(state.request)
        facets: dict[str, Facet] = dict(result.facets)
        if state.expand:  # every value of one facet, not only the top ones
            facets[state.expand] = index.facet(state.expand, state.request)
        stats = index.stats() if state.blank or not result.total else None
    return render_template(
        "search.html",
        state=state,
        query=state.q,
        result=result,
        facets=facets,
        sidebar=params.SIDEBAR,
        chips=_chips(state, facets),
        stats=stats,
        pages=_page_window(state.page, min(result.pages, MAX_PAGE)),
        status=200,
    )


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> ResponseReturnValue:
    q = params.article_query(request.args)
    copies_page = params.copies_page(request.args)
    with get_index().pinned() as index:  # the article, its copies and their count: one version
        record = index.article(article_id)
        if record is None:
            abort(404)
        copy_count = index.story_copy_count(article_id)
        copies = index.story_copies(article_id, COPIES_PER_PAGE, (copies_page - 1) * COPIES_PER_PAGE)
        similar = index.more_like_this(article_id)
    if q:
        title = Markup(Index.mark(record.title, q))
        body = [Markup(Index.mark(p, q)) for p in paragraphs(record.body)]
    else:
        title = escape(record.title)
        body = [escape(p) for p in paragraphs(record.body)]
    return render_template(
        "article.html",
        record=record,
        query=q,
        title_html=title,
        body=body,
        copies=copies,
        copies_nav=_copies_nav(copies_page, copy_count),
        similar=similar,
        back=params.SearchState.of(q=q) if q else None,
    )


@bp.get("/about")
def about() -> ResponseReturnValue:
    stats = get_index().stats()
    return render_template("about.html", stats=stats, query="")


def _chips(state: params.SearchState, facets: dict[str, Facet]) -> list[dict]:
    """The active filters, each with a label and the URL that removes it."""
    chips: list[dict] = []
    for f in params.SIDEBAR:
        labels = {v.value: v.label for v in facets[f.name].values if v.selected}
        for value in getattr(state.request, f.filter):
            chips.append({"kind": f.name.capitalize(), "label": labels.get(value, value), "url": state.without(f.name, value)})
    for bucket in state.dates:
        chips.append({"kind": "Date", "period": bucket, "url": state.without("date", bucket)})
    if state.date_from:
        chips.append({"kind": "From", "day": state.date_from, "url": state.without("from")})
    if state.date_to:
        chips.append({"kind": "To", "day": state.date_to, "url": state.without("to")})
    return chips


def _copies_nav(page: int, count: int) -> dict[str, int | None]:
    """Where the article page's list of copies is: its first copy's ordinal, the count,
    the number of pages, and the pages to link as newer and older (None: no link)."""
    pages = -(-count // COPIES_PER_PAGE)
    return {
        "first": (page - 1) * COPIES_PER_PAGE + 1,
        "count": count,
        "pages": pages,
        "newer": min(page - 1, pages) if page > 1 and pages else None,
        "older": page + 1 if page < pages else None,
    }


def _page_window(page: int, pages: int, width: int = 2) -> list[int | None]:
    """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
    shown = {1, pages, *range(max(1, page - width), min(pages, page + width) + 1)}
    out: list[int | None] = []
    for n in sorted(shown):
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out

