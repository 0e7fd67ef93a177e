"""Run a ``manage.py`` command and ``kill -9`` it at a named point in the code.

    python tests/killpoints.py before@indexer.store:switch_to#1 -- --data DIR reindex --full CORPUS
    python tests/killpoints.py POINT indexer.build.pipeline:PARALLEL_FROM=10 -- ...   # and set a constant

A point is ``before`` or ``after`` the ``N``-th call of a function or method named
as ``module:qualified.name``; when it is reached the process sends itself SIGKILL,
exactly what ``kill -9`` does from outside: no handler, no cleanup, no flush.
If the point is never reached the command runs to its end and exits normally.
"""

from __future__ import annotations

import functools
import os
import pkgutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def arm(spec: str) -> None:
    """Patch the function named in ``spec`` (``when@module:name#n``) to kill this process."""
    when, _, rest = spec.partition("@")
    target, _, nth = rest.partition("#")
    if when not in ("before", "after") or not target or not nth.isdigit():
        raise SystemExit(f"bad kill point {spec!r}: want before|after@module:name#N")
    module, _, qualname = target.partition(":")
    owner_name, _, attr = qualname.rpartition(".")
    owner = pkgutil.resolve_name(f"{module}:{owner_name}") if owner_name else pkgutil.resolve_name(module)
    original: Callable[..., Any] = getattr(owner, attr)
    calls = 0

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == int(nth) and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if calls == int(nth) and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, attr, wrapper)


def main(argv: list[str]) -> int:
    if "--" not in argv:
        raise SystemExit(__doc__)
    spec, *settings = argv[: argv.index("--")]
    args = argv[argv.index("--") + 1 :]
    sys.path.insert(0, str(REPO))
    for setting in settings:  # module:NAME=integer
        name, _, value = setting.partition("=")
        module, _, attr = name.partition(":")
        setattr(pkgutil.resolve_name(module), attr, int(value))
    arm(spec)
    from indexer.cli import main as manage

    return manage(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
