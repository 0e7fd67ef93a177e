"""``manage.py serve``: the web app under waitress (or Flask's reloader with ``--debug``)."""

from __future__ import annotations

import logging
import os
import sys
import threading

from web.app import IndexHolder, NoIndex, create_app

log = logging.getLogger("newsdex.serve")
FOLLOW_EVERY = 1.0  # seconds between looks for a new generation


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
    stop = threading.Event()
    if not debug or os.environ.get("WERKZEUG_RUN_MAIN"):  # not in the reloader's watching process
        threading.Thread(target=follow_generations, args=(holder, stop), daemon=True, name="newsdex-follow").start()
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
        stop.set()
        holder.close()
    return 0


def follow_generations(holder: IndexHolder, stop: threading.Event, every: float = FOLLOW_EVERY) -> None:
    """Open each new generation or commit as soon as reindex makes it, warmed, so that
    no request waits for it (a request that comes first opens it itself, as always)."""
    failed = ""
    while not stop.wait(every):
        try:
            holder.get().refresh()
            failed = ""
        except NoIndex:
            pass  # not built yet: pages answer 503 until it is
        except Exception as err:  # requests report it to their users; keep following
            if str(err) != failed:  # once, not every second
                log.warning("cannot open the newest index generation: %s", err)
            failed = str(err)
