"""Whoosh's private names are used in one module only, and only with the Whoosh they were read from.

``indexer/engine/whoosh/internals.py`` reaches into Whoosh (its segment writer's
hooks, column writers' buffers, length columns, term-info layout). These tests fail
loudly on any whoosh-reloaded other than the pinned one, name each private name
that went missing, and keep the rest of the engine on Whoosh's public API.
"""

from __future__ import annotations

import ast
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from whoosh.codec import whoosh3
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.writing import SegmentWriter

from indexer.engine.whoosh import internals

pytestmark = [pytest.mark.unit]

REPO = Path(__file__).resolve().parent.parent
WHOOSH_ENGINE = REPO / "indexer" / "engine" / "whoosh"
OWN_NAMES = ("self", "cls", "super")  # our own objects' private attributes are ours to use


def test_the_installed_whoosh_is_the_one_pinned_and_the_one_internals_was_written_for() -> None:
    pins = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    pinned = [p.replace(" ", "") for p in pins if p.startswith("whoosh-reloaded")]
    assert pinned == [f"whoosh-reloaded=={internals.PINNED}"], "pyproject.toml must pin whoosh-reloaded exactly"
    assert metadata.version("whoosh-reloaded") == internals.PINNED, (
        f"whoosh-reloaded {metadata.version('whoosh-reloaded')} is installed; indexer/engine/whoosh/internals.py "
        f"was written for {internals.PINNED}: check every private name it uses before changing the pin"
    )


@pytest.mark.parametrize(
    "owner,name",
    [
        (whoosh3, "_lenfield"),
        (whoosh3.W3TermInfo, "_struct"),
        (whoosh3.W3FieldWriter, "start_field"),
        (whoosh3.W3PerDocWriter, "_has_column"),
        (whoosh3.W3PerDocWriter, "_create_column"),
        (whoosh3.W3PerDocWriter, "_get_column"),
        (whoosh3.W3PerDocReader, "_cached_reader"),
        (SegmentWriter, "_check_state"),
        (SegmentWriter, "_finalize_segment"),
        (SegmentWriter, "_merge_segments"),
        (SegmentWriter, "_process_posts"),
        (SegmentWriter, "_flush_segment"),
        (VarBytesColumn, "Writer"),
        (NumericColumn, "Writer"),
    ],
)
def test_each_private_name_internals_uses_is_there(owner: object, name: str) -> None:
    assert hasattr(owner, name), f"{getattr(owner, '__name__', owner)}.{name} is gone: internals.py needs mending"


def _private_uses(path: Path) -> list[str]:
    uses = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            uses += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if isinstance(owner, ast.Call):  # super()._hook()
                owner = owner.func
            name = owner.id if isinstance(owner, ast.Name) else ""
            if name not in OWN_NAMES:
                uses.append(f"line {node.lineno}: {ast.unparse(node)}")
    return uses


def test_only_internals_uses_private_names_of_whoosh() -> None:
    assert _private_uses(WHOOSH_ENGINE / "internals.py"), "the check finds internals' own uses"
    others = {p.name: _private_uses(p) for p in WHOOSH_ENGINE.glob("*.py") if p.name != "internals.py"}
    assert {name: uses for name, uses in others.items() if uses} == {}


def test_each_private_attribute_internals_reads_is_there(tmp_path: Path) -> None:
    """The instance attributes (not visible on the classes) of a writer, a field writer,
    column writers and a segment's length column, read from real objects."""
    from io import BytesIO

    from whoosh import index as whoosh_index
    from whoosh.codec.whoosh3 import STORED_COLUMN
    from whoosh.filedb.structfile import StructFile

    from indexer.engine.whoosh.engine import INDEX_NAME, make_schema

    ix = whoosh_index.create_in(str(tmp_path), make_schema(), indexname=INDEX_NAME)
    writer = internals.BulkSegmentWriter(ix, flat_fields=())
    written = BytesIO()
    stored = STORED_COLUMN.writer(StructFile(written))
    stored.add(0, {"id": "x"})
    stored.finish(1)
    try:
        fw = writer.fieldwriter
        fw.start_field("id", ix.schema["id"])
        for obj, names in (
            (writer.perdocwriter, ("_fieldlengths", "_doccount")),
            (stored, ("_child",)),
            (STORED_COLUMN.reader(StructFile(BytesIO(written.getvalue())), 0, len(written.getvalue()), 1), ("_child",)),
            (
                STORED_COLUMN.reader(StructFile(BytesIO(written.getvalue())), 0, len(written.getvalue()), 1)._child,
                ("_lengths", "_dbfile", "_basepos"),
            ),
            (fw, ("_postfile", "_tindex", "_fieldid", "_codec")),
            (fw._codec, ("_blocklimit", "_compression")),
            (VarBytesColumn().writer(StructFile(BytesIO())), ("_count", "_dbfile", "_lengths", "_offsets", "_offset_base")),
            (NumericColumn("B").writer(StructFile(BytesIO())), ("_count", "_dbfile", "_fixedlen", "_default")),
        ):
            missing = [n for n in names if not hasattr(obj, n)]
            assert not missing, f"{type(obj).__name__} lacks {missing}: internals.py needs mending"
    finally:
        writer.cancel()


def test_compound_segment_parts_are_read_in_place_as_whoosh_would_read_a_copy() -> None:
    from whoosh.filedb import compound
    from whoosh.filedb.structfile import BufferFile

    assert compound.BufferFile is internals.ViewFile  # what a compound segment's parts open as
    data = bytes(range(256)) * 40 + b"line one\nline two\n"
    view, copy = internals.ViewFile(memoryview(data)), BufferFile(memoryview(data))
    for f in (view, copy):
        f.seek(1000)
    assert view.read(7) == copy.read(7) and view.tell() == copy.tell() == 1007
    assert view.read_varint() == copy.read_varint() and view.read_int() == copy.read_int()
    assert view.get_array(300, "i", 5) == copy.get_array(300, "i", 5)
    assert view.subset(256, 512).read() == copy.subset(256, 512).read() == data[256:768]
    view.seek(-18, 2)
    assert view.readline() == b"line one\n" and view.readline() == b"line two\n" and view.readline() == b""
    view.seek(0)
    assert view.readline() == data[: data.index(b"\n") + 1]
