"""What reindex and search need of each document, worked out once per segment and kept beside it.

A segment is never changed once written (but for deletions, which the reader
knows), so what is read out of its columns and worked out of it holds for every
commit that keeps it: each article's id hash and file, source, day, story, actors
(with their keys) and story signature. An update adds a segment or two to an index
of tens; it reads only those, and the other segments' tables are loaded from the
``<segment>.tables2.npz`` files beside them (:attr:`Segment.files`), which the engine
removes with the segment. The facet columns of a commit, the files and ids the
index holds and its stories are then gathered from the tables in array operations.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.actors import actor_key
from indexer.arrays import Strings
from indexer.engine.base import EngineReader, Segment
from indexer.engine.schema import ACTOR_SEPARATOR
from indexer.search.dates import day_ordinals
from indexer.search.saved_arrays import load_mapped, loaded_or_made, remove_others, write_whole

log = logging.getLogger(__name__)
FORMAT = 2


def rules_digest(*outputs: object) -> str:
    """A short digest of what some code gives for fixed inputs: files of what it worked out
    carry it in their names, so that code giving other results (a new ``actor_key``, say)
    makes them be worked out again rather than mixed with new ones."""
    return hashlib.blake2b(repr(outputs).encode("utf-8"), digest_size=4).hexdigest()


_PROBE_NAMES = ("Assimi Goïta", "AL-QAEDA", "Jama'at Nusrat al-Islam wal-Muslimin", "Côte d'Ivoire", "Islamic State – Sahel")
RULES = rules_digest([actor_key(n) for n in _PROBE_NAMES], day_ordinals(["2024-02-29", "", "1987-10-19", "bad"]).tolist())
SUFFIX = f".tables{FORMAT}_{RULES}.npz"
SIGNATURES_SUFFIX = f".signatures{FORMAT}.npy"  # (apart: only a reindex reads them, a row at a time)
SIGNATURE_BYTES = 256  # a story signature: 64 MinHash values of 32 bits


def id_hash(article_id: str) -> int:
    """An article id's 64-bit hash, the same in every process (tables keep ids as these)."""
    return int.from_bytes(hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


@dataclass(frozen=True)
class SegmentTable:
    """One segment's documents, by their number in it (0 .. size-1)."""

    id_hash: np.ndarray  # int64: :func:`id_hash` of the article id
    in_file: np.ndarray  # int32: index into ``files`` (not "file": numpy saves by keyword)
    files: Strings  # file keys
    file_hashes: Strings  # each file's content hash
    source: np.ndarray  # int32: index into ``sources``, -1 for none
    sources: Strings
    day: np.ndarray  # int32: proleptic ordinal, 0 for undated
    story: np.ndarray  # int32: index into ``stories``
    stories: Strings  # story names
    story_hashes: np.ndarray  # int64: :func:`id_hash` of each story name
    name_ptr: np.ndarray  # int64: document d names names[name_ptr[d]:name_ptr[d+1]]
    names: np.ndarray  # int32: index into ``actor_names``
    actor_names: Strings  # each spelling met
    actor_keys: Strings  # each spelling's actor key
    actor_name_hashes: np.ndarray  # int64: :func:`id_hash` of each spelling
    signed: np.ndarray  # bool: the document has a story signature
    signatures: np.ndarray  # uint32 (size, 64), zeros where unsigned: memory-mapped when saved

    @property
    def size(self) -> int:
        return len(self.id_hash)


def segment_tables(
    reader: EngineReader, known: Mapping[str, SegmentTable] | None = None
) -> list[tuple[Segment, SegmentTable]]:
    """Every segment of ``reader`` with its table: one of the ``known`` tables (by segment
    key: a reindex's, loaded before its commit), loaded from beside it, or read out of its
    columns (and saved beside it for the next reader)."""
    known = known or {}
    return [
        (segment, known[segment.key] if segment.key in known else _loaded_or_built(reader, segment))
        for segment in reader.segments()
    ]


def _loaded_or_built(reader: EngineReader, segment: Segment) -> SegmentTable:
    def read_out() -> SegmentTable:
        rows = TableRows()
        for name in _COLUMNS:
            rows.values[name] = reader.column(name, segment)
        rows.values["signature"] = reader.column_bytes("signature", segment)
        return rows.table()

    if segment.files is None:  # (an engine that keeps no files: read out each time)
        return read_out()
    signatures = Path(segment.files + SIGNATURES_SUFFIX)

    def load(path: Path) -> SegmentTable:
        table = _from_files(path, signatures)
        if table.size != segment.size:
            raise ValueError(f"it is for {table.size} documents, the segment has {segment.size}")
        return table

    def save(table: SegmentTable, path: Path) -> SegmentTable:
        _save(segment, table)
        try:  # (its signatures memory-mapped: a reader of a whole index does not hold them all)
            return _from_files(path, signatures)
        except OSError:  # (a reindex in another process merged the segment away meanwhile)
            return table

    return loaded_or_made(Path(segment.files + SUFFIX), load, read_out, save)  # (SUFFIX: made by these rules)


def save_table(segment: Segment, table: SegmentTable) -> None:
    """Keep ``table`` beside ``segment``, if its engine keeps files (one made by other rules
    is removed); a folder that cannot be written goes without."""
    if segment.files is not None:
        try:
            _save(segment, table)
        except OSError as err:  # a read-only index: read out of the columns by each opening
            log.info("%s not saved: %s", Path(segment.files).name + SUFFIX, err)


def saved_table(segment: Segment) -> SegmentTable | None:
    """The table kept beside ``segment`` (by these rules), or None if there is none whole."""
    if segment.files is None:
        return None
    try:
        table = _from_files(Path(segment.files + SUFFIX), Path(segment.files + SIGNATURES_SUFFIX))
    except (OSError, ValueError, KeyError):
        return None
    return table if table.size == segment.size else None


def concatenated(tables: Sequence[SegmentTable]) -> SegmentTable:
    """The table of a segment holding the documents of ``tables``' segments in turn
    (what an engine's merge of whole segments made: :meth:`EngineIndex.writer`)."""
    def each(name: str) -> list[Any]:
        return [getattr(t, name) for t in tables]

    in_file, files, (file_hashes,) = _joined(each("in_file"), each("files"), each("file_hashes"))
    source, sources, _ = _joined(each("source"), each("sources"))
    story, stories, (story_hashes,) = _joined(each("story"), each("stories"), each("story_hashes"))
    names, actor_names, (actor_keys, name_hashes) = _joined(
        each("names"), each("actor_names"), each("actor_keys"), each("actor_name_hashes")
    )
    before = np.cumsum([0] + [len(t.names) for t in tables[:-1]])
    name_ptr = np.concatenate([[0]] + [t.name_ptr[1:] + b for t, b in zip(tables, before)]).astype(np.int64)
    return SegmentTable(
        id_hash=np.concatenate(each("id_hash")),
        in_file=in_file,
        files=Strings.of(files),
        file_hashes=Strings.of(file_hashes),
        source=source,
        sources=Strings.of(sources),
        day=np.concatenate(each("day")),
        story=story,
        stories=Strings.of(stories),
        story_hashes=np.array(story_hashes, np.int64),
        name_ptr=name_ptr,
        names=names,
        actor_names=Strings.of(actor_names),
        actor_keys=Strings.of(actor_keys),
        actor_name_hashes=np.array(name_hashes, np.int64),
        signed=np.concatenate(each("signed")),
        signatures=np.concatenate(each("signatures")),
    )


def _joined(
    numbers: list[np.ndarray], strings: list[Strings], *alongside: list[Sequence[Any]]
) -> tuple[np.ndarray, list[str], list[list[Any]]]:
    """Numbers into each table's strings, made numbers into the strings of all (each
    once, in the order first met; -1 stays -1), with what goes ``alongside`` each string."""
    index: dict[str, int] = {}
    along: list[list[Any]] = [[] for _ in alongside]
    out = []
    for k, (nums, names) in enumerate(zip(numbers, strings)):
        renumber = np.empty(len(names) + 1, np.int32)
        renumber[-1] = -1  # (so that -1, "none", stays -1)
        for i, name in enumerate(names):
            j = index.get(name)
            if j is None:
                j = index[name] = len(index)
                for kept, values in zip(along, alongside):
                    kept.append(values[k][i])
            renumber[i] = j
        out.append(renumber[np.asarray(nums, np.int64)])
    return np.concatenate(out), list(index), along


_COLUMNS = ("id", "file_key", "file_hash", "source", "published", "story", "actor_list")  # as text


class TableRows:
    """A segment's column values, document by document, as a reader's columns give them
    or as the documents written into it held them (:meth:`add`): the same table either way."""

    def __init__(self) -> None:
        self.values: dict[str, list] = {name: [] for name in (*_COLUMNS, "signature")}

    def __len__(self) -> int:
        return len(self.values["id"])

    def add(self, fields: Mapping[str, Any]) -> None:
        """A document's fields, as given to :meth:`EngineWriter.add` (absent: "" or b"")."""
        for name in _COLUMNS:
            value = fields.get(name, "")
            self.values[name].append(value.decode("utf-8") if isinstance(value, bytes) else value)
        self.values["signature"].append(fields.get("signature", b""))

    def take(self, n: int) -> TableRows:
        """The first ``n`` documents' rows, taken out of these."""
        taken = TableRows()
        for name, values in self.values.items():
            taken.values[name], self.values[name] = values[:n], values[n:]
        return taken

    def table(self) -> SegmentTable:
        v = self.values
        id_hashes = np.fromiter(map(id_hash, v["id"]), np.int64, len(v["id"]))
        in_file, files = _numbered(v["file_key"])
        file_hashes = [""] * len(files)
        for d, f in enumerate(in_file.tolist()):
            file_hashes[f] = v["file_hash"][d]
        source, sources = _numbered(v["source"], none="")
        story, stories = _numbered(v["story"])
        name_ptr, names, actor_names = _actor_lists(v["actor_list"])
        return SegmentTable(
            id_hash=id_hashes,
            in_file=in_file,
            files=Strings.of(files),
            file_hashes=Strings.of(file_hashes),
            source=source,
            sources=Strings.of(sources),
            day=day_ordinals(v["published"]),
            story=story,
            stories=Strings.of(stories),
            story_hashes=np.fromiter(map(id_hash, stories), np.int64, len(stories)),
            name_ptr=name_ptr,
            names=names,
            actor_names=Strings.of(actor_names),
            actor_keys=Strings.of(map(actor_key, actor_names)),
            actor_name_hashes=np.fromiter(map(id_hash, actor_names), np.int64, len(actor_names)),
            **_signatures(v["signature"]),
        )


def _signatures(raw: list[bytes]) -> dict[str, np.ndarray]:
    """Which documents have a whole signature, and the signatures (zeros for the others)."""
    signed = np.fromiter((len(s) == SIGNATURE_BYTES for s in raw), bool, len(raw))
    signatures = np.zeros((len(raw), SIGNATURE_BYTES // 4), np.uint32)
    whole = b"".join(s for s in raw if len(s) == SIGNATURE_BYTES)
    signatures[signed] = np.frombuffer(whole, np.uint32).reshape(-1, SIGNATURE_BYTES // 4)
    return {"signed": signed, "signatures": signatures}


def _numbered(values: Sequence[str], none: str | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each value's number among the distinct values (in order first met); ``none`` is -1."""
    numbers: dict[str, int] = {} if none is None else {none: -1}
    of = np.fromiter((numbers.setdefault(v, len(numbers) - (none is not None)) for v in values), np.int32, len(values))
    return of, tuple(v for v in numbers if none is None or v != none)


def _actor_lists(joined: Sequence[str]) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The documents' actor names (each a list joined by ACTOR_SEPARATOR) as a CSR by document."""
    per_doc = [j.split(ACTOR_SEPARATOR) if j else [] for j in joined]
    ptr = np.zeros(len(per_doc) + 1, np.int64)
    np.cumsum([len(names) for names in per_doc], out=ptr[1:])
    numbers: dict[str, int] = {}
    names = np.fromiter((numbers.setdefault(n, len(numbers)) for doc in per_doc for n in doc), np.int32, int(ptr[-1]))
    return ptr, names, tuple(numbers)


_ARRAYS = ("id_hash", "in_file", "source", "day", "story", "story_hashes", "name_ptr", "names", "actor_name_hashes", "signed")
_STRINGS = ("files", "file_hashes", "sources", "stories", "actor_names", "actor_keys")


def _save(segment: Segment, table: SegmentTable) -> None:
    """Signatures first: a table file is there only once both are whole."""
    assert segment.files is not None
    path = Path(segment.files + SUFFIX)
    write_whole(Path(segment.files + SIGNATURES_SUFFIX), lambda f: np.save(f, table.signatures, allow_pickle=False))
    arrays = {name: getattr(table, name) for name in _ARRAYS}
    for name in _STRINGS:
        strings: Strings = getattr(table, name)
        arrays[f"{name}.blob"], arrays[f"{name}.ends"] = strings.blob, strings.ends
    write_whole(path, lambda f: np.savez(f, **arrays))
    remove_others(path, f"{Path(segment.files).name}.tables*.npz")


def _from_files(path: Path, signatures: Path) -> SegmentTable:
    """The table saved at ``path``, memory-mapped where it lies, with its ``signatures``."""
    saved = load_mapped(path)
    arrays: dict[str, Any] = {name: saved[name] for name in _ARRAYS}
    for name in _STRINGS:
        arrays[name] = Strings(saved[f"{name}.blob"], saved[f"{name}.ends"])
    try:
        arrays["signatures"] = np.load(signatures, mmap_mode="r", allow_pickle=False)
    except ValueError:  # (numpy's words for a damaged header speak of pickles: not ours to say)
        raise ValueError(f"{signatures.name} is not an array of signatures") from None
    n = len(arrays["id_hash"])
    if any(len(arrays[name]) != n for name in ("in_file", "source", "day", "story", "signed", "signatures")):
        raise ValueError("its columns differ in length")
    if len(arrays["name_ptr"]) != n + 1 or int(arrays["name_ptr"][-1]) != len(arrays["names"]):
        raise ValueError("its actor lists do not match its documents")
    if len(arrays["story_hashes"]) != len(arrays["stories"]) or arrays["signatures"].shape[1:] != (SIGNATURE_BYTES // 4,):
        raise ValueError("its stories or signatures do not match")
    if not len(arrays["actor_names"]) == len(arrays["actor_keys"]) == len(arrays["actor_name_hashes"]):
        raise ValueError("its actor names do not match")
    return SegmentTable(**arrays)
