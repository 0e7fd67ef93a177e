"""The app: ``create_app(data_dir)``, the one :class:`Index` it holds, its errors.

Everything shown comes from :class:`indexer.Index`; the app opens it once and
shares it between requests (``Index.search`` follows new generations itself).
Its views are the blueprints of :mod:`web.views`.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask, Response, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from indexer import Index, IndexNotFound, IndexUnusable, InvalidRequest, StoreError
from web import filters
from web.params import url_name

log = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Paths answered with JSON errors rather than HTML pages.
MACHINE_PREFIXES = ("/api/", "/feed.atom", "/export.csv")


class HTMLSafeJSON(DefaultJSONProvider):
    """JSON that stays inert where it is read as HTML (a sniffing browser, a page embedding it).

    ``<``, ``>`` and ``&`` (and U+2028/9, line breaks to JavaScript) appear only inside
    JSON strings, so writing them as ``\\u003c`` and so on changes no value.
    """

    _ESCAPES = str.maketrans(
        {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
    )

    def dumps(self, obj: object, **kwargs: object) -> str:
        return super().dumps(obj, **kwargs).translate(self._ESCAPES)


NOT_YET = "There is no search index yet. Run 'python manage.py reindex' to build one."
UNUSABLE = "The search index cannot be used (built by an older newsdex, or damaged). Run 'python manage.py reindex --full'."


class IndexHolder:
    """The app's one :class:`Index`, opened on first use and kept open."""

    def __init__(self, data_dir: str | os.PathLike[str] | None) -> None:
        self.data_dir = data_dir
        self._index: Index | None = None
        self._lock = threading.Lock()

    def get(self) -> Index:
        if self._index is not None:
            return self._index
        with self._lock:
            if self._index is None:  # (IndexNotFound, IndexUnusable: answered as 503s)
                self._index = Index.open(self.data_dir)
            return self._index

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None


def create_app(data_dir: str | os.PathLike[str] | None = None, **config: object) -> Flask:
    """The Flask app over the index in ``data_dir`` (default: $NEWSDEX_DATA or ./instance)."""
    app = Flask("web")  # the package: its templates/ and static/, and the app's name as before
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, **config)
    app.json = HTMLSafeJSON(app)
    app.json.sort_keys = False  # (DefaultJSONProvider's settings)
    app.json.ensure_ascii = False
    app.extensions["newsdex"] = IndexHolder(data_dir)

    from web.views import api, feeds, pages  # here: the views import get_index from this module

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    filters.register(app)
    _register_errors(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        return response

    return app


def get_index() -> Index:
    """The app's index (raises IndexNotFound or IndexUnusable, answered as 503s, when there is none to search)."""
    from flask import current_app

    holder: IndexHolder = current_app.extensions["newsdex"]
    return holder.get()


def wants_json() -> bool:
    return request.path.startswith(MACHINE_PREFIXES)


def error_response(status: int, message: str, param: str | None = None) -> tuple[Response, int] | tuple[str, int]:
    """A JSON error for API paths, an HTML page for the rest."""
    if wants_json():
        body: dict[str, object] = {"status": status, "error": _REASONS.get(status, "error")}
        if param:
            body["param"] = param
        body["message"] = message
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, param=param), status


_REASONS = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "internal_error",
    503: "no_index",
}


def _register_errors(app: Flask) -> None:
    @app.errorhandler(InvalidRequest)
    def _invalid(err: InvalidRequest) -> ResponseReturnValue:
        param = url_name(err.param)  # as the URL names it: size, not page_size
        return error_response(400, f"{param}: {err.message}", param)

    @app.errorhandler(IndexNotFound)
    def _not_yet(err: IndexNotFound) -> ResponseReturnValue:
        log.warning("newsdex: %s", err)
        return error_response(503, NOT_YET)

    @app.errorhandler(IndexUnusable)
    def _unusable(err: IndexUnusable) -> ResponseReturnValue:
        log.warning("newsdex: %s", err)
        return error_response(503, UNUSABLE)

    @app.errorhandler(StoreError)
    def _store(err: StoreError) -> ResponseReturnValue:
        log.error("newsdex: index unavailable: %s", err)
        return error_response(503, "The search index is not available right now. Try again shortly.")

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> ResponseReturnValue:
        status = err.code or 500
        messages = {
            404: "Nothing here: the page or article does not exist.",
            405: f"{request.method} is not allowed here.",
        }
        return error_response(status, messages.get(status, err.description or err.name))

    @app.errorhandler(Exception)
    def _crash(err: Exception) -> ResponseReturnValue:
        log.exception("newsdex: unhandled error on %s", request.path)
        return error_response(500, "Something went wrong on our side. The error was logged.")

