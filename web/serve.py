"""``manage.py serve``: the web app under waitress (or Flask's reloader with ``--debug``)."""

from __future__ import annotations

import logging
import os
import sys

from web import NoIndex, create_app

log = logging.getLogger("newsdex.serve")


def serve(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 8,
    debug: bool = False,
) -> int:
    """Serve newsdex on ``host:port`` until interrupted; returns an exit status."""
    app = create_app(data_dir)
    holder = app.extensions["newsdex"]
    try:
        holder.get()  # open the index now: the first request need not wait
    except NoIndex as err:
        print(f"warning: {err}; pages answer 503 until an index is built", file=sys.stderr)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    if debug:
        print(f"newsdex (debug, reloader on) at {url}", file=sys.stderr)
        app.run(host=host, port=port, debug=True, use_reloader=True, threaded=True)
        return 0

    from waitress import serve as waitress_serve

    logging.getLogger("waitress").setLevel(logging.INFO)
    print(f"newsdex serving at {url} (waitress, {threads} threads; Ctrl+C to stop)", file=sys.stderr, flush=True)
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="newsdex")
    finally:
        holder.close()
    return 0
