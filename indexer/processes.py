"""What worker processes share, a reindex's and ``serve --workers``'s: they end with their parent."""

from __future__ import annotations

import os
import threading
import time


def end_with_parent(parent: int) -> None:
    """Watch, from a worker process, the process that started it (``parent``): when it is
    gone (kill -9, a crash), end too, so that no orphan keeps working or holds a port."""
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="newsdex-parent-watch").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
