"""``manage.py serve``: the web app under waitress (or Flask's reloader with ``--debug``).

With ``workers`` > 1, the listening socket is made here and that many worker
processes are forked to serve it, each with its own :class:`~indexer.Index` (file
handles of its own, the index's pages shared through the page cache) and its own
thread following new generations: searches run in parallel on every core, where
the threads of one process take turns (a search holds its index's lock and
Python's). This process only watches them: a worker that dies is started again,
and Ctrl+C or SIGTERM stops them all.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing import get_context
from typing import Any

from flask import Flask

from indexer import StoreError
from indexer.processes import end_with_parent
from web.app import IndexHolder, create_app

log = logging.getLogger("newsdex.serve")
FOLLOW_EVERY = 1.0  # seconds between looks for a new generation


def serve(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 8,
    workers: int = 1,
    debug: bool = False,
) -> int:
    """Serve newsdex on ``host:port`` until interrupted, with ``threads`` threads in each of
    ``workers`` processes; returns an exit status."""
    url = _url(host, port)
    if debug:
        # (the reloader's watching process serves nothing: it need not follow generations)
        app, _holder, _stop = _following_app(data_dir, follow=bool(os.environ.get("WERKZEUG_RUN_MAIN")))
        print(f"newsdex (debug, reloader on) at {url}", file=sys.stderr)
        app.run(host=host, port=port, debug=True, use_reloader=True, threaded=True)
        return 0
    try:
        listener = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET, backlog=1024)
    except OSError as err:  # the port taken, an address not this machine's
        print(f"error: cannot listen on {url}: {err.strerror or err}", file=sys.stderr)
        return 2
    if workers > 1:
        return _serve_workers(listener, url, data_dir, threads, workers)
    app, holder, stop = _following_app(data_dir)
    from waitress import serve as waitress_serve

    logging.getLogger("waitress").setLevel(logging.INFO)
    print(f"newsdex serving at {url} (waitress, {threads} threads; Ctrl+C to stop)", file=sys.stderr, flush=True)
    try:
        waitress_serve(app, sockets=[listener], threads=threads, ident="newsdex")
    finally:
        stop.set()
        holder.close()
        listener.close()
    return 0


def follow_generations(holder: IndexHolder, stop: threading.Event, every: float = FOLLOW_EVERY) -> None:
    """Open each new generation or commit as soon as reindex makes it, warmed, so that
    no request waits for it (a request that comes first opens it itself, as always)."""
    failed = ""
    while not stop.wait(every):
        try:
            index = holder.get()
        except StoreError:
            continue  # none yet, or none usable: pages answer 503 until there is
        try:
            index.refresh()
            failed = ""
        except Exception as err:  # requests report it to their users; keep following
            if str(err) != failed:  # once, not every second
                log.warning("cannot open the newest index generation: %s", err)
            failed = str(err)


def _following_app(
    data_dir: str | os.PathLike[str] | None, *, follow: bool = True, warn: bool = True
) -> tuple[Flask, IndexHolder, threading.Event]:
    """The app, its index opened now (the first request need not wait), and a thread that
    follows new generations until the event returned is set."""
    app = create_app(data_dir)
    holder: IndexHolder = app.extensions["newsdex"]
    try:
        holder.get()
    except StoreError as err:  # (none yet, or none usable)
        if warn:
            print(f"warning: {err}; pages answer 503 until an index is built", file=sys.stderr)
    stop = threading.Event()
    if follow:
        threading.Thread(target=follow_generations, args=(holder, stop), daemon=True, name="newsdex-follow").start()
    return app, holder, stop


def _url(host: str, port: int) -> str:
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"


RESTART_PAUSE = 1.0  # seconds before a worker that died is started again (one that dies at once must not spin)


def _serve_workers(
    listener: socket.socket, url: str, data_dir: str | os.PathLike[str] | None, threads: int, workers: int
) -> int:
    context = get_context("fork")  # the workers inherit the listening socket
    args = (listener, data_dir, threads, os.getpid())
    # (the first worker says if there is no index yet; the others, and those started again, need not)
    procs = [context.Process(target=_worker, args=(*args, i == 0), name=f"newsdex-worker-{i}") for i in range(workers)]
    stopping = threading.Event()

    def stop(_signum: int, _frame: Any) -> None:
        stopping.set()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    print(f"newsdex serving at {url} (waitress, {workers} processes of {threads} threads; Ctrl+C to stop)",
          file=sys.stderr, flush=True)
    try:
        for p in procs:
            p.start()
        while not stopping.wait(0.2):
            for i, p in enumerate(procs):
                if not p.is_alive() and not stopping.is_set():
                    log.warning("worker %s ended (exit code %s); starting another", p.pid, p.exitcode)
                    time.sleep(RESTART_PAUSE)
                    procs[i] = context.Process(target=_worker, args=(*args, False), name=p.name)
                    procs[i].start()
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()  # SIGTERM: waitress's loop ends, the worker closes its index
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
        listener.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0


def _worker(
    listener: socket.socket, data_dir: str | os.PathLike[str] | None, threads: int, parent: int, warn: bool
) -> None:
    """One serving process: its own app and index, on the shared listening socket."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the parent stops us
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    end_with_parent(parent)
    app, _holder, _stop = _following_app(data_dir, warn=warn)
    from waitress import serve as waitress_serve

    logging.getLogger("waitress").setLevel(logging.WARNING)
    waitress_serve(app, sockets=[listener], threads=threads, ident="newsdex")
