"""Every test module is in a tier, so that ``pytest -m ...`` selections cannot miss a new one.

The tiers (registered in pyproject.toml): ``unit``, ``index``, ``web``, ``browser`` and
``reliability``; ``slow`` goes on top of a tier. The fast tier is
``pytest -m "not slow and not browser"``; CI runs everything.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

pytestmark = [pytest.mark.unit]

TESTS = Path(__file__).resolve().parent
TIERS = {"unit", "index", "web", "browser", "reliability"}


def _marks(obj: object) -> set[str]:
    marks = getattr(obj, "pytestmark", [])
    return {m.name for m in (marks if isinstance(marks, list) else [marks])}


def test_every_test_module_carries_a_tier() -> None:
    untiered = []
    for path in sorted(TESTS.glob("test_*.py")):
        module = importlib.import_module(path.stem)  # the module pytest collected, or a new import
        if _marks(module) & TIERS:
            continue
        tests = [obj for name, obj in vars(module).items() if name.startswith(("test_", "Test")) and callable(obj)]
        missing = [t.__name__ for t in tests if not _marks(t) & TIERS]
        if missing or not tests:
            untiered.append(f"{path.name} ({', '.join(missing) or 'no tests'})")
    assert not untiered, (
        f"give these a tier, pytestmark = [pytest.mark.<tier>] near the top, one of {sorted(TIERS)}: {untiered}"
    )


def test_the_tiers_and_slow_are_registered_markers(pytestconfig: pytest.Config) -> None:
    registered = {line.split(":")[0].strip() for line in pytestconfig.getini("markers")}
    assert TIERS | {"slow"} <= registered
    assert "--strict-markers" in pytestconfig.getini("addopts")
