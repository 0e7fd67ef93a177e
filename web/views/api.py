"""The JSON API: ``/api/search``, ``/api/articles/<id>``, ``/api/facets/<field>``, ``/api/stats``.

Parameters are the search page's (see :mod:`web.params`); errors are
``{"status", "error", "param", "message"}`` with a 400, 404 or 503.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from indexer.search.request import MORE_LIKE_THIS
from indexer.search.results import ArticleRecord, Hit, jsonable
from web import params
from web.app import get_index
from web.filters import search_url

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_MORE_LIKE_THIS = 20
STORY_COPIES = 100  # story copies listed when copies_limit is not given
MAX_STORY_COPIES = 1000
BRIEF = ("id", "title", "source", "source_name", "published", "url")  # an article in a list


@bp.get("/search")
def search() -> ResponseReturnValue:
    state = params.parse(request.args)
    result = get_index().search(state.request)
    body = result.to_dict()
    body["links"] = _links(state, result.pages)
    for hit in body["hits"]:
        hit["links"] = {"html": url_for("pages.article", article_id=hit["id"], _external=True)}
    return jsonify(body)


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> ResponseReturnValue:
    limit = params.limit(request.args, MORE_LIKE_THIS, MAX_MORE_LIKE_THIS)
    copies_limit, copies_offset = params.copies_window(request.args, STORY_COPIES, MAX_STORY_COPIES)
    with get_index().pinned() as index:  # the article, its copies and their count: one version
        record = index.article(article_id)
        if record is None:
            abort(404)
        body = record.to_dict()
        body["story_copies"] = [_brief(c) for c in index.story_copies(article_id, copies_limit, copies_offset)]
        body["story_copy_count"] = count = index.story_copy_count(article_id)
        body["more_like_this"] = [_brief(h) for h in index.more_like_this(article_id, limit)]
    body["links"] = {"html": url_for("pages.article", article_id=record.id, _external=True)}
    if copies_offset + copies_limit < count:
        body["links"]["more_story_copies"] = url_for(
            "api.article",
            article_id=record.id,
            copies_limit=copies_limit,
            copies_offset=copies_offset + copies_limit,
            _external=True,
        )
    return jsonify(body)


@bp.get("/facets/<field>")
def facet(field: str) -> ResponseReturnValue:
    state = params.parse(request.args)
    return jsonify(get_index().facet(field, state.request).to_dict())


@bp.get("/stats")
def stats() -> ResponseReturnValue:
    return jsonify(get_index().stats().to_dict())


def _links(state: params.SearchState, pages: int) -> dict[str, str]:
    root = request.host_url.rstrip("/")
    links = {
        "self": root + search_url(state, "api.search"),
        "html": root + search_url(state, "pages.search"),
        "atom": root + search_url(state.with_(), "feeds.atom"),
        "csv": root + search_url(state.with_(), "feeds.export_csv"),
    }
    if state.page > 1:
        links["prev"] = root + search_url(state.with_(page=min(state.page - 1, pages)), "api.search")
    if state.page < pages:
        links["next"] = root + search_url(state.with_(page=state.page + 1), "api.search")
    return links


def _brief(item: ArticleRecord | Hit) -> dict[str, Any]:
    """An article in a list (a story copy's :class:`ArticleRecord`, a :class:`Hit` more like
    this): enough to show and link it, its values as their full JSON gives them."""
    return {
        **{key: jsonable(getattr(item, key)) for key in BRIEF},
        "links": {"html": url_for("pages.article", article_id=item.id, _external=True)},
    }
