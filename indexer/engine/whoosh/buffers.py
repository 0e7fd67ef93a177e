"""Postings and column values kept as arrays until a segment is written.

Whoosh's writer pools every posting as a Python tuple and writes each column
value with a few calls of its own. Here the text fields arrive analysed (as
:class:`~indexer.engine.postings.FieldPostings`) and are kept as arrays per
field, sorted with numpy when the segment is written (:mod:`.w3_blocks`); other
fields' postings (ids, file keys) go into the same arrays. Column values are
kept in lists and written a column at a time with the segment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from indexer.engine.postings import FieldBuffer, FieldPostings
from indexer.engine.whoosh import flat_postings


class PostingBuffer:
    """Stands in for Whoosh's ``PostingPool``: takes its postings, keeps them as arrays."""

    def __init__(self) -> None:
        self.fields: dict[str, FieldBuffer] = {}
        self.count = 0

    def field(self, name: str) -> FieldBuffer:
        buf = self.fields.get(name)
        if buf is None:
            buf = self.fields[name] = FieldBuffer()
        return buf

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting, as Whoosh's writer gives it: (field, term, docnum, weight, value);
        the value is empty (no format of the schema has one)."""
        fieldname, tbytes, docnum, weight, _value = item
        self.field(fieldname).add_one(tbytes, docnum, weight)
        self.count += 1

    def add_document(self, fieldname: str, docnum: int, fp: FieldPostings) -> None:
        buf = self.field(fieldname)
        before = len(buf)
        buf.add_document(docnum, fp)
        self.count += len(buf) - before

    def add_merged(self, fieldname: str, merged: flat_postings.TermPostings, docmap: np.ndarray) -> None:
        """A merged segment's postings of a text field, its documents renumbered by
        ``docmap`` (-1 for a deleted one, whose postings are left out)."""
        docs = docmap[merged.docs]
        live = docs >= 0
        kept_positions = np.repeat(live, merged.weights.astype(np.int64))
        per_term = np.diff(np.concatenate(([0], np.cumsum(live)))[merged.starts])
        present = per_term > 0  # a term only deleted documents had is not carried over
        terms = [t for t, keep in zip(merged.terms, present.tolist()) if keep]
        starts = np.concatenate(([0], np.cumsum(per_term[present])))
        buf = self.field(fieldname)
        before = len(buf)
        buf.add_postings(terms, starts, docs[live], merged.weights[live], merged.positions[kept_positions])
        self.count += len(buf) - before

    def cleanup(self) -> None:
        self.fields.clear()


class ColumnBuffer:
    """Stands in for the per-document writer's column writes: keeps each column's values
    in lists, written a column at a time when the segment is (Whoosh writes each value
    with a few calls of its own, and a document has nine)."""

    def __init__(self) -> None:
        self._columns: dict[str, tuple[Any, list[int], list[Any]]] = {}

    def add(self, values: list[tuple[str, Any, Any]], docnum: int) -> None:
        """One document's (field, column type, value) triples."""
        columns = self._columns
        for name, column, value in values:
            entry = columns.get(name)
            if entry is None:
                entry = columns[name] = (column, [], [])
            entry[1].append(docnum)
            entry[2].append(value)

    def drain(self) -> Iterator[tuple[str, Any, list[int], list[Any]]]:
        """Each column's (name, column type, document numbers, values) kept so far; forgotten after."""
        columns, self._columns = self._columns, {}
        for name, (column, docnums, values) in columns.items():
            yield name, column, docnums, values
