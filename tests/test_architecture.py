"""The direction of imports (docs/architecture.md): sync imports neither feeds nor server; feeds
not server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {"sync": {"feeds", "server"}, "feeds": {"server"}}


def _imported_top_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = _imported_top_packages(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_modules_stay_small() -> None:
    """House style: split a module before it passes ~400 lines (a little slack for docstrings).
    The extension's own scripts too (extension/*.js, extension/lib/*.js: not node_modules, dist)."""
    paths = [
        path for package in ("sync", "feeds", "server") for path in (ROOT / package).rglob("*.py")
    ]
    paths += [*(ROOT / "extension").glob("*.js"), *(ROOT / "extension" / "lib").glob("*.js")]
    assert ROOT / "extension" / "lib" / "extract.js" in paths  # the extension is really covered
    too_long = []
    for path in paths:
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > 450:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert too_long == []
