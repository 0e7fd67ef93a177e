"""The package layering, checked on the source: the folders say where a behaviour lives
only while each layer imports what it may and no more.

    ingest, actors  ->  build  ->  engine        (build writes through the interface)
                        search ->  engine        (search reads through it)
    web, cli        ->  the public API (``indexer``)

Whoosh is imported only by ``indexer/engine/whoosh/``; the engine imports nothing
above it; the library never imports the web app at import time; no cycles.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = [pytest.mark.unit]

REPO = Path(__file__).resolve().parent.parent
LIBRARY = sorted((REPO / "indexer").rglob("*.py"))


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    """Modules ``path`` imports (relative imports resolved); with ``top_level_only``, only
    those run at import time (not inside functions, nor under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    nodes = _top_level(tree.body) if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.If, ast.Try)):
            out += _top_level(node.body) + _top_level(getattr(node, "orelse", []))
            out += [h for handler in getattr(node, "handlers", []) for h in _top_level(handler.body)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
    return out


def _importers(prefix: str, sources: list[Path], top_level_only: bool = False) -> set[str]:
    return {
        p.relative_to(REPO).as_posix()
        for p in sources
        if any(m == prefix or m.startswith(prefix + ".") for m in _imports(p, top_level_only))
    }


def test_only_the_whoosh_engine_imports_whoosh() -> None:
    sources = [*LIBRARY, *(REPO / "web").rglob("*.py"), REPO / "manage.py"]
    importers = _importers("whoosh", sources)
    assert importers, "the walk found no importer of whoosh at all"
    assert {p for p in importers if not p.startswith("indexer/engine/whoosh/")} == set()


SHARED_LEAVES = {"indexer.arrays"}  # helpers every layer may use: they import nothing of newsdex


def test_the_engine_imports_nothing_above_it() -> None:
    engine = [p for p in LIBRARY if p.is_relative_to(REPO / "indexer" / "engine")]
    above = {m for p in engine for m in _imports(p) if m.startswith("indexer.") and not m.startswith("indexer.engine")}
    assert {m for m in above if m.rpartition(".")[0] not in SHARED_LEAVES} - SHARED_LEAVES == set()
    for leaf in SHARED_LEAVES:
        assert not {m for m in _imports(REPO / (leaf.replace(".", "/") + ".py")) if m.startswith("indexer")}, leaf


@pytest.mark.parametrize(
    "layer,forbidden",
    [
        ("ingest", ("indexer.build", "indexer.search", "indexer.engine")),
        ("actors", ("indexer.build", "indexer.search", "indexer.engine", "indexer.ingest")),
        ("search", ("indexer.build",)),  # (it reads source names as ingest normalises them)
    ],
)
def test_each_layer_imports_only_the_layers_below_it(layer: str, forbidden: tuple[str, ...]) -> None:
    sources = [p for p in LIBRARY if p.is_relative_to(REPO / "indexer" / layer)]
    assert sources
    for prefix in forbidden:
        assert _importers(prefix, sources) == set(), f"{layer} imports {prefix}"


def test_the_library_never_imports_the_web_app_at_import_time() -> None:
    assert _importers("web", LIBRARY, top_level_only=True) == set()


def test_no_import_cycles_in_the_library() -> None:
    # (the root package only re-exports the public API: ``from indexer import store`` in
    # a module names the module ``indexer.store``, which is what is followed)
    modules = {_module(p): p for p in LIBRARY if _module(p) != "indexer"}
    graph = {
        name: {m for m in _imports(path, top_level_only=True) if m in modules and m != name}
        for name, path in modules.items()
    }
    # importing a module runs its packages' __init__ first (those of the importer's own
    # packages are already running)
    for name in modules:
        own = {name.rsplit(".", i)[0] for i in range(name.count(".") + 1)}
        for m in list(graph[name]):
            graph[name] |= {".".join(m.split(".")[:i]) for i in range(1, m.count(".") + 1)} & set(modules)
        graph[name] -= own
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt):], nxt] if nxt in path else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
