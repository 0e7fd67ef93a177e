"""Run a command in a child process and measure it: wall time, CPU time, and the peak
memory of its whole process tree.

Shared by bench/perf.py (each system in a child of its own) and bench/scale.py
(``manage.py reindex`` and the search processes): newsdex indexes with worker
processes, whose memory a process's own high-water mark leaves out.
"""

from __future__ import annotations

import resource
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import corpora


class TreeMemory:
    """Samples the summed RSS of a process and all its descendants.

    With ``mark``, samples taken once that file exists (the child writes it when its
    indexing is over) count for the whole run but not for its indexing peak; without
    it the whole run is indexing. Needs psutil; without it only each child's own
    high-water mark is reported.
    """

    INTERVAL = 0.2  # seconds; the sampling costs the parent ~1-2% of a core

    def __init__(self, pid: int, mark: Path | None = None) -> None:
        import psutil

        self._psutil = psutil
        self._root = psutil.Process(pid)
        self._mark = mark
        self.peak_index = self.peak_all = self.peak_pss_index = 0
        self.max_procs_index = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> tuple[int, int, int]:
        """Summed RSS, summed PSS (shared pages split between the processes sharing them:
        forked workers share the parent's), and the number of processes."""
        total, proportional, procs = 0, 0, 0
        try:
            for p in [self._root, *self._root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                    proportional += getattr(p.memory_full_info(), "pss", 0)
                    procs += 1
                except self._psutil.Error:
                    pass
        except self._psutil.Error:
            pass
        return total, proportional, procs

    def _run(self) -> None:
        while not self._stop.is_set():
            indexing = self._mark is None or not self._mark.exists()
            total, proportional, procs = self._sample()
            self.peak_all = max(self.peak_all, total)
            if indexing:
                self.peak_index = max(self.peak_index, total)
                self.peak_pss_index = max(self.peak_pss_index, proportional)
                self.max_procs_index = max(self.max_procs_index, procs)
            self._stop.wait(self.INTERVAL)

    def descendants(self) -> list:
        try:
            return self._root.children(recursive=True)
        except self._psutil.Error:
            return []

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {
            "tree_rss_index_mb": self.peak_index / 2**20,
            "tree_pss_index_mb": self.peak_pss_index / 2**20,
            "tree_rss_mb": self.peak_all / 2**20,
            "processes_indexing": self.max_procs_index,
        }


@dataclass
class Measured:
    """How a child process went: ``memory`` holds :meth:`TreeMemory.stop`'s numbers
    (empty without psutil); ``cpu_s`` is the CPU time of the children it reaped."""

    returncode: int | None  # None: killed at the timeout
    output: str  # stdout and stderr, interleaved
    wall_s: float
    cpu_s: float
    memory: dict = field(default_factory=dict)

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    def last_line(self) -> str:
        return (self.output.strip().splitlines()[-1:] or ["no output"])[0][:300]


def run_measured(cmd: list[str], timeout: float, mark: Path | None = None) -> Measured:
    """Run ``cmd`` from the repository folder, sampling its process tree's memory; at
    ``timeout`` seconds kill it and its descendants (a reindex's workers)."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, cwd=corpora.REPO, stdout=out, stderr=out, text=True)
        try:
            monitor: TreeMemory | None = TreeMemory(proc.pid, mark)
        except ImportError:
            monitor = None
        returncode: int | None
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for p in monitor.descendants() if monitor else []:
                p.kill()
            proc.kill()
            proc.wait()
            returncode = None
        memory = monitor.stop() if monitor else {}
        out.seek(0)
        output = out.read()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Measured(returncode, output, time.perf_counter() - started, cpu_s, memory)
