"""An engine that keeps its indexes in memory: the interface's second implementation.

Small and plain on purpose (dicts and numpy arrays, no segments, no files), it
shows what the interface asks of an engine, lets unit tests build an index
without a disk, and is held to the same contract as the Whoosh engine
(``tests/test_engine_contract.py``). A commit is a new immutable list of
documents, deleted ones dropped (as a full merge would), so readers opened
before it keep their view. Lengths are kept exactly (Whoosh rounds long ones to
a byte), so BM25F scores can differ from the Whoosh engine's in the last digits.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from indexer.engine.base import EngineBusy, EngineError, Segment
from indexer.engine.postings import FieldPostings, with_prefix
from indexer.engine.schema import ALL_FIELDS, KEY_FIELDS, STORED_FIELDS, TEXT_FIELDS


@dataclass(frozen=True)
class _Doc:
    fields: dict[str, Any]
    text: dict[str, FieldPostings]


class MemoryEngine:
    """Index generations kept in this process, by path (nothing is written there)."""

    name = "memory"

    def __init__(self) -> None:
        self._indexes: dict[Path, MemoryIndex] = {}

    def create(self, path: Path) -> MemoryIndex:
        index = self._indexes[Path(path)] = MemoryIndex()
        return index

    def open(self, path: Path) -> MemoryIndex:
        try:
            return self._indexes[Path(path)]
        except KeyError:
            raise EngineError(f"no index in {path}") from None


class MemoryIndex:
    def __init__(self) -> None:
        self._docs: tuple[_Doc, ...] = ()
        self._version = 0
        self._key = uuid.uuid4().hex  # its documents': a commit makes new ones
        self._writing = threading.Lock()

    def version(self) -> int:
        return self._version

    def size_bytes(self) -> int:
        """The stored text and postings, in bytes (what the documents would take on disk)."""
        return sum(
            len(str(v).encode("utf-8")) for d in self._docs for v in d.fields.values()
        ) + sum(len(fp.terms) + len(fp.freqs) + len(fp.positions) for d in self._docs for fp in d.text.values())

    def writer(
        self,
        on_segment: Callable[[Segment], None] | None = None,
        on_merged: Callable[[Segment, list[Segment]], None] | None = None,
    ) -> MemoryWriter:
        """(A commit rewrites every document into one segment: neither callback is told.)"""
        if not self._writing.acquire(blocking=False):
            raise EngineBusy("another writer is open on this index")
        return MemoryWriter(self)

    def reader(self) -> MemoryReader:
        return MemoryReader(self._docs, self._version, self._key)

    def _commit(self, deleted: set[int], added: list[_Doc]) -> None:
        self._docs = tuple(d for i, d in enumerate(self._docs) if i not in deleted) + tuple(added)
        self._version += 1
        self._key = uuid.uuid4().hex


@dataclass
class MemoryWriter:
    index: MemoryIndex
    _added: list[_Doc] = field(default_factory=list)
    _deleted: set[int] = field(default_factory=set)
    _open: bool = True

    def add(self, fields: Mapping[str, Any], analysed: Mapping[str, FieldPostings]) -> None:
        unknown = set(fields) - ALL_FIELDS
        if unknown:
            raise ValueError(f"fields not in the schema: {', '.join(sorted(unknown))}")
        self._added.append(_Doc(dict(fields), dict(analysed)))

    def delete_by_key(self, fieldname: str, value: str) -> int:
        if fieldname not in KEY_FIELDS:
            raise ValueError(f"{fieldname} is not a key field")
        found = {i for i, d in enumerate(self.index._docs) if d.fields.get(fieldname) == value} - self._deleted
        self._deleted |= found
        return len(found)

    def commit(self) -> None:
        self.index._commit(self._deleted, self._added)
        self._end()

    def cancel(self) -> None:
        self._end()

    def _end(self) -> None:
        self._added, self._deleted = [], set()
        if self._open:
            self.index._writing.release()
        self._open = False


class _TextField:
    """One text field of a commit, inverted: term -> documents, counts, positions."""

    def __init__(self, docs: Sequence[_Doc], name: str) -> None:
        postings: dict[str, list[tuple[int, np.ndarray]]] = {}
        self.lengths = np.zeros(len(docs))
        for d, doc in enumerate(docs):
            fp = doc.text.get(name)
            if fp is None or not fp.terms:
                continue
            self.lengths[d] = fp.length
            freqs = np.frombuffer(fp.freqs, np.uint32)
            positions = np.split(np.frombuffer(fp.positions, np.uint32), np.cumsum(freqs)[:-1])
            for term, pos in zip(fp.terms.decode("utf-8").split("\x00"), positions):
                postings.setdefault(term, []).append((d, pos))
        self.terms = sorted(postings)
        self.positions = postings


class MemoryReader:
    def __init__(self, docs: tuple[_Doc, ...], version: int, key: str) -> None:
        self._docs = docs
        self._version = version
        self._segment = Segment(key, 0, len(docs), None)  # (a commit rewrites all: one segment)
        self._text = {name: _TextField(docs, name) for name in TEXT_FIELDS}
        self._ids = {d.fields["id"]: i for i, d in enumerate(docs) if "id" in d.fields}

    @property
    def version(self) -> int:
        return self._version

    @property
    def doc_count(self) -> int:
        return len(self._docs)

    @property
    def docnum_limit(self) -> int:
        return len(self._docs)

    def close(self) -> None:
        """Nothing to release."""

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        found = self._text[fieldname].positions.get(term, [])
        return (
            np.fromiter((d for d, _ in found), np.int64, len(found)),
            np.fromiter((len(p) for _, p in found), np.float64, len(found)),
        )

    def phrase_docs(self, fieldname: str, terms: Sequence[str]) -> np.ndarray:
        field_ = self._text[fieldname]
        per_term = [dict(field_.positions.get(t, [])) for t in terms]
        docs = sorted(set.intersection(*(set(p) for p in per_term))) if per_term else []
        return np.array(
            [d for d in docs if set.intersection(*(set((p[d] - i).tolist()) for i, p in enumerate(per_term)))],
            np.int64,
        )

    def field_lengths(self, fieldname: str) -> np.ndarray:
        return self._text[fieldname].lengths

    def term_frequencies(self, fieldname: str) -> Iterator[tuple[str, int]]:
        field_ = self._text[fieldname]
        for term in field_.terms:
            yield term, len(field_.positions[term])

    def expand_prefix(self, fieldname: str, prefix: str, limit: int) -> list[str]:
        return with_prefix(self._text[fieldname].terms, prefix, limit)

    def live_docnums(self) -> np.ndarray:
        return np.arange(len(self._docs), dtype=np.int64)

    def stored(self, docnum: int) -> dict[str, Any]:
        fields = self._docs[docnum].fields
        return {name: fields[name] for name in STORED_FIELDS if name in fields}

    def docnum_of(self, article_id: str) -> int | None:
        return self._ids.get(article_id)

    def segments(self) -> list[Segment]:
        return [self._segment] if self._docs else []

    def column(self, fieldname: str, segment: Segment | None = None) -> list[str]:
        return [v.decode("utf-8") if isinstance(v, bytes) else v for v in self._column(fieldname, "", segment)]

    def column_bytes(self, fieldname: str, segment: Segment | None = None) -> list[bytes]:
        return [v.encode("utf-8") if isinstance(v, str) else v for v in self._column(fieldname, b"", segment)]

    def _column(self, fieldname: str, default: Any, segment: Segment | None) -> list[Any]:
        if segment is not None and segment != self._segment:
            raise EngineError(f"segment {segment.key} is not this reader's")
        return [d.fields.get(fieldname, default) for d in self._docs]
