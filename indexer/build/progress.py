"""Progress for long runs: a tqdm bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from tqdm import tqdm


class Progress(Protocol):
    def update(self, n: int = 1) -> None: ...
    def close(self) -> None: ...


class Silent:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class Lines:
    """One line every ``every`` seconds: counts and rate, for logs and CI."""

    def __init__(self, total: int, label: str, stream: TextIO, every: float = 5.0) -> None:
        self.total, self.label, self.stream, self.every = total, label, stream, every
        self.done = 0
        self.started = self.last = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._line(now)

    def close(self) -> None:
        self._line(time.monotonic())

    def _line(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        print(f"{self.label}: {self.done}/{self.total} ({rate:.0f}/s)", file=self.stream, flush=True)


def progress_for(total: int, label: str, stream: TextIO | None = None) -> Progress:
    """A bar on a terminal, lines when output goes to a file or a pipe."""
    stream = stream or sys.stderr
    if stream.isatty():
        return tqdm(total=total, desc=label, unit=" articles", file=stream, smoothing=0.1)
    return Lines(total, label, stream)
