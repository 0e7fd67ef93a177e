"""Several segments' flat postings merged into one file, streamed, in bounded memory.

A rebuild writes segments of a few tens of thousands of articles (what one
segment's postings cost in memory allows); reading a term then means a lookup in
each. Whole segments written in one run are merged into one in bulk
(:mod:`.bulk_merge`); this is its postings part. Their documents follow one
another, none deleted, so the merged postings of a term are each part's postings
of it in turn, each part's document numbers shifted by its start: a copy of
blocks, not a sort. The terms of all parts are merged into one sorted list, each
part's terms numbered in it; the output is then written a range of terms at a
time, each part's postings of the range read where they lie (``os.pread``, not a
memory map whose pages would stay counted against the merging process) and put
in place, so memory holds the term numbers and one range, whatever the sizes.
"""

from __future__ import annotations

import heapq
import json
import os
from collections.abc import Sequence
from itertools import count, repeat
from pathlib import Path
from typing import BinaryIO, NamedTuple

import numpy as np

from indexer.engine.whoosh import flat_postings

CHUNK_POSTINGS = 1 << 22  # postings (or positions) put in place at a time: ~16-32 MB of buffers


class _Part:
    """One part's file: its arrays' places, read on demand."""

    def __init__(self, path: Path, start: int) -> None:
        self.start = start  # the number its first document takes in the merged segment
        self.fd = os.open(path, os.O_RDONLY)
        try:
            (size,) = flat_postings.HEADER_SIZE.unpack(os.pread(self.fd, 8, 0))
            header = json.loads(os.pread(self.fd, size, 8))
        except (OSError, ValueError) as err:
            os.close(self.fd)
            raise ValueError(f"{path}: {err}") from None
        self.arrays = {key: (np.dtype(dtype), 8 + size + offset, n) for key, (dtype, offset, n) in header.items()}

    def has(self, field: str) -> bool:
        return f"{field}.docs" in self.arrays

    def dtype(self, key: str) -> np.dtype:
        return self.arrays[key][0]

    def read(self, key: str, a: int = 0, b: int | None = None) -> np.ndarray:
        """Items ``a:b`` of an array."""
        dtype, offset, n = self.arrays[key]
        b = n if b is None else b
        data = os.pread(self.fd, (b - a) * dtype.itemsize, offset + a * dtype.itemsize)
        return np.frombuffer(data, dtype)

    def close(self) -> None:
        os.close(self.fd)


class _FieldPlan(NamedTuple):
    """Where each part's postings of one field go in the merged file."""

    blob: bytes  # the merged terms, NUL-separated
    term_starts: np.ndarray  # uint32: where each merged term starts in ``blob``
    starts: np.ndarray  # int64: where each merged term's postings start
    position_starts: np.ndarray  # int64: where each merged term's positions start
    term_numbers: list[np.ndarray]  # per part: each of its terms' number among the merged
    at: list[np.ndarray]  # per part: where each of its terms' postings go
    positions_at: list[np.ndarray]  # per part: where each of its terms' positions go
    weights: np.dtype
    positions: np.dtype


def merge(out: Path, parts: Sequence[tuple[Path, int]], fields: Sequence[str]) -> None:
    """Write the flat postings of ``fields`` of the segments whose files and first
    document numbers are ``parts`` (in order, none deleted) into ``out``."""
    opened: list[_Part] = []
    try:
        for path, start in parts:
            opened.append(_Part(path, start))
        plans = {field: _plan([p for p in opened if p.has(field)], field) for field in fields}
        _write(out, plans, opened)
    finally:
        for part in opened:
            part.close()


def _plan(parts: list[_Part], field: str) -> _FieldPlan:
    blobs = [p.read(f"{field}.terms").tobytes() for p in parts]
    listed = [b.split(b"\x00") if b else [] for b in blobs]
    term_numbers = [np.empty(len(t), np.int64) for t in listed]
    merged: list[bytes] = []
    last = None
    for term, k, i in heapq.merge(*(zip(t, repeat(k), count()) for k, t in enumerate(listed))):
        if term != last:
            merged.append(term)
            last = term
        term_numbers[k][i] = len(merged) - 1
    del listed
    n = len(merged)
    counts, position_counts = [], []
    for p in parts:
        starts = p.read(f"{field}.starts").astype(np.int64)
        per_posting = p.read(f"{field}.weights").astype(np.int64)  # a posting's count of positions
        counts.append(np.diff(starts))
        position_counts.append(np.add.reduceat(per_posting, starts[:-1]) if len(per_posting) else np.zeros(0, np.int64))
    totals = np.zeros(n, np.int64)
    position_totals = np.zeros(n, np.int64)
    for numbers, c, pc in zip(term_numbers, counts, position_counts):
        totals[numbers] += c  # (a part's term numbers are distinct)
        position_totals[numbers] += pc
    merged_starts = np.concatenate(([0], np.cumsum(totals)))
    merged_position_starts = np.concatenate(([0], np.cumsum(position_totals)))
    filled = np.zeros(n, np.int64)
    position_filled = np.zeros(n, np.int64)
    at, positions_at = [], []
    for numbers, c, pc in zip(term_numbers, counts, position_counts):  # (in order: a term's documents in order)
        at.append(merged_starts[numbers] + filled[numbers])
        positions_at.append(merged_position_starts[numbers] + position_filled[numbers])
        filled[numbers] += c
        position_filled[numbers] += pc
    return _FieldPlan(
        blob=b"\x00".join(merged),
        term_starts=flat_postings.SortedTerms.starts_of(merged),
        starts=merged_starts,
        position_starts=merged_position_starts,
        term_numbers=term_numbers,
        at=at,
        positions_at=positions_at,
        weights=_widest([p.dtype(f"{field}.weights") for p in parts], np.uint8),
        positions=_widest([p.dtype(f"{field}.positions") for p in parts], np.uint16),
    )


def _widest(dtypes: list[np.dtype], least: type) -> np.dtype:
    """The widest of the parts' types: each is the smallest that holds its values, so this
    is the smallest that holds them all."""
    return max(dtypes, key=lambda d: d.itemsize, default=np.dtype(least))


def _write(out: Path, plans: dict[str, _FieldPlan], parts: list[_Part]) -> None:
    """The merged file, in :func:`flat_postings.write`'s layout."""
    sizes: dict[str, tuple[np.dtype, int]] = {}
    for field, plan in plans.items():
        sizes[f"{field}.terms"] = (np.dtype(np.uint8), len(plan.blob))
        sizes[f"{field}.term_starts"] = (plan.term_starts.dtype, len(plan.term_starts))
        sizes[f"{field}.starts"] = (np.dtype(np.int64), len(plan.starts))
        sizes[f"{field}.docs"] = (np.dtype(np.uint32), int(plan.starts[-1]))
        sizes[f"{field}.weights"] = (plan.weights, int(plan.starts[-1]))
        sizes[f"{field}.positions"] = (plan.positions, int(plan.position_starts[-1]))
    with open(out, "wb") as f:
        f.write(flat_postings.header(sizes))
        for field, plan in plans.items():
            users = [p for p in parts if p.has(field)]
            flat_postings.write_padded(f, np.frombuffer(plan.blob, np.uint8))
            flat_postings.write_padded(f, plan.term_starts)
            flat_postings.write_padded(f, plan.starts)
            for name, dtype in (("docs", np.dtype(np.uint32)), ("weights", plan.weights)):
                _put_blocks(f, users, plan, field, name, dtype, positions=False)
            _put_blocks(f, users, plan, field, "positions", plan.positions, positions=True)


def _put_blocks(
    f: BinaryIO, parts: list[_Part], plan: _FieldPlan, field: str, name: str, dtype: np.dtype, positions: bool
) -> None:
    """Write one merged array (docs, weights or positions) a range of terms at a time."""
    merged_starts = plan.position_starts if positions else plan.starts
    part_starts = [_part_starts(p, field, positions) for p in parts]
    total = int(merged_starts[-1])
    first = 0  # the first term of the range
    n = len(merged_starts) - 1
    while first < n:
        last = max(first + 1, int(np.searchsorted(merged_starts, merged_starts[first] + CHUNK_POSTINGS, "right")) - 1)
        last = min(last, n)
        base, end = int(merged_starts[first]), int(merged_starts[last])
        buf = np.empty(end - base, dtype)
        for k, part in enumerate(parts):
            numbers = plan.term_numbers[k]
            i, j = np.searchsorted(numbers, [first, last])
            if i == j:
                continue
            starts = part_starts[k]
            a, b = int(starts[i]), int(starts[j])
            values = part.read(f"{field}.{name}", a, b)
            if name == "docs":
                values = values.astype(np.int64) + part.start
            at = (plan.positions_at if positions else plan.at)[k][i:j]
            buf[np.repeat(at - starts[i:j], np.diff(starts[i : j + 1])) + np.arange(a, b) - base] = values
        f.write(buf.tobytes())
        first = last
    f.write(b"\x00" * (-total * dtype.itemsize % 8))


def _part_starts(part: _Part, field: str, positions: bool) -> np.ndarray:
    """Where each of a part's terms' postings (or positions) start, and the end."""
    starts = part.read(f"{field}.starts").astype(np.int64)
    if not positions:
        return starts
    per_posting = part.read(f"{field}.weights").astype(np.int64)
    return np.concatenate(([0], np.cumsum(per_posting)))[starts]
