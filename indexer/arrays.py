"""Array helpers every layer uses: a faster ``np.unique``, and lists of strings kept as arrays."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: ``np.unique(values)``. numpy 2.3+ finds them by hashing,
    which is fifty times slower than sorting on a million distinct 64-bit values (ids,
    hashes, document and actor pairs); bench/README has the numbers."""
    ordered = np.sort(values, axis=None)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


class Strings:
    """An immutable list of strings in two arrays (their UTF-8 bytes one after another, and
    where each ends): loaded from a file without making a Python string of each, and a
    string made only when it is asked for. A million short names cost about 25 MB so,
    where as ``str`` objects they cost over 70."""

    def __init__(self, blob: np.ndarray, ends: np.ndarray) -> None:
        if len(ends) and (int(ends[-1]) != len(blob) or (np.diff(ends) < 0).any() or ends[0] < 0):
            raise ValueError("string ends do not fit their bytes")
        self.blob, self.ends = blob, ends

    @classmethod
    def of(cls, strings: Iterable[str]) -> Strings:
        encoded = [s.encode("utf-8") for s in strings]
        ends = np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)))
        return cls(np.frombuffer(b"".join(encoded), np.uint8), ends)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> str:
        start = int(self.ends[i - 1]) if i else 0
        return self.blob[start : int(self.ends[i])].tobytes().decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        text = self.blob.tobytes()
        start = 0
        for end in self.ends.tolist():
            yield text[start:end].decode("utf-8")
            start = end

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Strings) and np.array_equal(self.ends, other.ends) and np.array_equal(self.blob, other.blob)

    __hash__ = None  # type: ignore[assignment]  # (mutable arrays inside)
