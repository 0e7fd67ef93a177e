"""A segment's text postings as flat arrays beside it, for matching without decoding blocks.

Whoosh keeps a term's postings in pickled blocks that hold the positions too, so
reading a posting list means decompressing and unpickling every position only to
get document numbers and frequencies. When newsdex writes a segment it also writes
``<segment>.npp``: per text field, the terms (sorted, NUL-separated), where each
term's postings start, and the document numbers and weights of all of them.
Matching reads slices of these (memory-mapped); phrases still use Whoosh's
positions. A segment without the file (written by an older newsdex) is read
through Whoosh's blocks instead.

Layout: 8 bytes of header length, a JSON header naming each array's dtype,
offset and length, then the arrays, each starting at a multiple of 8.
"""

from __future__ import annotations

import json
import mmap
import struct
from pathlib import Path
from typing import NamedTuple

import numpy as np

EXTENSION = ".npp"
_HEADER_SIZE = struct.Struct("<Q")


class TermPostings(NamedTuple):
    """All postings of one field of a segment, grouped by term in term order."""

    terms: list[bytes]  # sorted
    starts: np.ndarray  # int64, len(terms) + 1: postings of term i are starts[i]:starts[i+1]
    docs: np.ndarray  # uint32 document numbers within the segment
    weights: np.ndarray  # float32 (term frequency)


def write(path: Path, fields: dict[str, TermPostings]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for name, fp in fields.items():
        arrays[f"{name}.terms"] = np.frombuffer(b"\x00".join(fp.terms), np.uint8)
        arrays[f"{name}.starts"] = np.asarray(fp.starts, np.int64)
        arrays[f"{name}.docs"] = np.asarray(fp.docs, np.uint32)
        arrays[f"{name}.weights"] = np.asarray(fp.weights, np.float32)
    header: dict[str, list] = {}
    offset = 0
    for key, a in arrays.items():
        header[key] = [a.dtype.str, offset, len(a)]
        offset += -(-a.nbytes // 8) * 8
    head = json.dumps(header).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(_HEADER_SIZE.pack(len(head)) + head)
        for a in arrays.values():
            f.write(a.tobytes() + b"\x00" * (-a.nbytes % 8))


class PostingsFile:
    """One segment's ``.npp`` file, memory-mapped; term lookups built on first use."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        (size,) = _HEADER_SIZE.unpack(self._map[:8])
        base = 8 + size
        self._arrays = {
            key: np.frombuffer(self._map, np.dtype(dtype), count, base + offset)
            for key, (dtype, offset, count) in json.loads(self._map[8:base]).items()
        }
        self._lookup: dict[str, dict[bytes, int]] = {}

    def has_field(self, fieldname: str) -> bool:
        return f"{fieldname}.docs" in self._arrays

    def postings(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Document numbers and weights of ``term``, or None when the segment lacks it."""
        lookup = self._lookup.get(fieldname)
        if lookup is None:
            blob = self._arrays[f"{fieldname}.terms"].tobytes()
            terms = blob.split(b"\x00") if blob else []
            lookup = self._lookup[fieldname] = dict(zip(terms, range(len(terms))))
        i = lookup.get(term)
        if i is None:
            return None
        starts = self._arrays[f"{fieldname}.starts"]
        a, b = int(starts[i]), int(starts[i + 1])
        return self._arrays[f"{fieldname}.docs"][a:b], self._arrays[f"{fieldname}.weights"][a:b]

    def close(self) -> None:
        self._arrays.clear()
        try:
            self._map.close()
        except BufferError:  # a slice is still in use somewhere: the map goes with it
            pass
