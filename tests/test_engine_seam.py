"""Whoosh stays behind the engine seam: no code outside ``indexer/engine/whoosh/`` imports it,
so another engine can stand behind the same query layer."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _imports_whoosh(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "whoosh" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh" and not node.level:
            return True
    return False


def test_only_the_whoosh_engine_imports_whoosh() -> None:
    sources = [*(REPO / "indexer").rglob("*.py"), *(REPO / "web").rglob("*.py"), REPO / "manage.py"]
    importers = {p.relative_to(REPO).as_posix() for p in sources if _imports_whoosh(p)}
    assert importers, "the engine imports whoosh: the walk found no importer at all"
    assert {p for p in importers if not p.startswith("indexer/engine/whoosh/")} == set()
