"""A run's own segments merged into a few large ones, in bulk, as it commits.

A rebuild writes a segment each time its postings buffer fills (tens of
thousands of articles: :data:`.internals.SEGMENT_POSTINGS`), forty-odd at a
million articles; every term looked up, every open, pays for each. Whoosh would
merge them document by document and posting by posting (``add_reader``: hours at
that size). These segments were written by the same run and none of their
documents is deleted, so merging them is copying: each column's bytes one
segment after another (stored fields included, still pickled), the key fields'
terms made from their columns, and the flat postings merged term by term in
bounded memory (:mod:`.flat_merge`). Consecutive segments are grouped up to
:data:`GROUP_DOCS` articles (and :data:`GROUP_BYTES` of files: Whoosh's byte
columns hold at most 2 GB in a segment), so that a million articles end in
four segments and memory stays bounded by a group's term numbers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN
from whoosh.fields import ID

from indexer.engine.base import EngineError
from indexer.engine.postings import FieldBuffer
from indexer.engine.whoosh import flat_merge, flat_postings
from indexer.engine.whoosh.internals import copy_columns, field_files, finish_merged_columns, length_field
from indexer.engine.whoosh.w3_blocks import sorted_postings, write_field

GROUP_DOCS = 250_000
GROUP_BYTES = 1 << 30


def groups(segments: Sequence[Any], folder: Path) -> list[list[Any]]:
    """``segments`` (in order) as runs of consecutive ones to merge, each within
    :data:`GROUP_DOCS` documents and :data:`GROUP_BYTES` of files."""
    runs: list[list[Any]] = []
    docs = size = 0
    for segment in segments:
        n, b = segment.doc_count_all(), _files_size(segment, folder)
        if not runs or docs + n > GROUP_DOCS or size + b > GROUP_BYTES:
            runs.append([])
            docs = size = 0
        runs[-1].append(segment)
        docs, size = docs + n, size + b
    return runs


def _files_size(segment: Any, folder: Path) -> int:
    prefix = segment.make_filename("")
    return sum(e.stat().st_size for e in os.scandir(folder) if e.name.startswith(prefix) and e.is_file())


def merge(writer: Any, parts: Sequence[Any], text_fields: Iterable[str]) -> Any:
    """One new segment of ``writer``'s index holding the documents of ``parts`` in turn
    (Whoosh segments written by ``writer``'s run, none of their documents deleted)."""
    codec, storage, schema = writer.codec, writer.storage, writer.schema
    folder = Path(storage.folder)
    texts = tuple(text_fields)
    segment = codec.new_segment(storage, writer.indexname)
    pdw = codec.per_document_writer(storage, segment)
    columns = [("_stored", STORED_COLUMN)]
    columns += [(name, field.column_type) for name, field in schema.items() if field.column_type]
    columns += [(length_field(name), LENGTHS_COLUMN) for name in texts]
    keys = [name for name, field in schema.items() if field.indexed and name not in texts]
    for name in keys:
        if type(schema[name]) is not ID or not schema[name].column_type:
            raise EngineError(f"field {name}: only ID fields kept as columns can be merged in bulk")
    key_postings = {name: FieldBuffer() for name in keys}
    lengths = dict.fromkeys(texts, 0)
    start = 0
    for part in parts:
        files = part.open_compound_file(storage) if part.is_compound() else storage
        perdoc = codec.per_document_reader(files, part)
        try:
            if perdoc.has_deletions():
                raise EngineError(f"segment {part.segment_id()} has deleted documents: not merged in bulk")
            copy_columns(pdw, perdoc, start, columns)
            for name in keys:  # (an ID field's one term is its whole value, as its column keeps it)
                if perdoc.has_column(name):
                    buf, boost = key_postings[name], schema[name].format.field_boost
                    for d, value in enumerate(perdoc.column_reader(name, schema[name].column_type)):
                        if value:
                            buf.add_one(value, start + d, boost)
            for name in texts:
                lengths[name] += perdoc.field_length(name)
            start += perdoc.doc_count_all()
        finally:
            perdoc.close()
            if files is not storage:
                files.close()
    finish_merged_columns(pdw, start, lengths)
    fw = codec.field_writer(storage, segment)
    for name in sorted(keys):
        fw.start_field(name, schema[name])
        write_field(field_files(fw), sorted_postings(key_postings.pop(name)), schema[name])
        fw.finish_field()
    fw.close()
    segment.set_doc_count(start)
    segment.create_compound_file(storage)
    segment.compound = True
    starts, at = [], 0
    for part in parts:
        starts.append((folder / part.make_filename(flat_postings.EXTENSION), at))
        at += part.doc_count_all()
    flat_merge.merge(folder / segment.make_filename(flat_postings.EXTENSION), starts, texts)
    return segment
