"""The shape of the code (docs/architecture.md): imports point one way (sync imports neither
feeds nor server; feeds not server), no circle of imports anywhere, no module loaded by name in
the server, modules stay small.

The folders sync/, feeds/ and server/ are the packages papershelf.sync, papershelf.feeds and
papershelf.server (pyproject.toml's package-dir): module names here are the installed ones."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "papershelf"
FLOORS = ("sync", "feeds", "server")  # each a folder of ROOT and a subpackage of papershelf

FORBIDDEN = {"sync": {"feeds", "server"}, "feeds": {"server"}}


def _top(name: str) -> str:
    """The package an absolute import names: a floor for papershelf.x (`sync`), else its first part."""
    parts = name.split(".")
    return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else parts[0]


def _imported_top_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(_top(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(_top(node.module))
            if node.module == PACKAGE:  # from papershelf import sync
                found.update(alias.name for alias in node.names if alias.name in FLOORS)
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
        path for package in FLOORS for path in (ROOT / package).rglob("*.py")
    ]
    paths += [*(ROOT / "extension").glob("*.js"), *(ROOT / "extension" / "lib").glob("*.js")]
    assert ROOT / "extension" / "lib" / "extract.js" in paths  # the extension is really covered
    too_long = []
    for path in paths:
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > 450:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert too_long == []


def _module_name(path: Path) -> str:
    """The installed name of the module at `path` (sync/edit.py: papershelf.sync.edit,
    papershelf/__main__.py: papershelf.__main__)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] != PACKAGE:
        parts.insert(0, PACKAGE)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_of(path: Path, name: str, modules: set[str]) -> set[str]:
    """The project modules `path` (module `name`) imports, at any depth of the code (a lazy
    import inside a function counts: it closes a circle as surely, only later)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = node.module or ""
            start = (f"{base}.{module}" if module else base) if node.level else module
            # `from . import x` imports the submodule x when there is one.
            targets = [f"{start}.{alias.name}" for alias in node.names] + [start]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """Every project module (papershelf.sync, .feeds, .server) and the project modules it
    imports; a package itself is left out of its own submodules' imports (importing `a.b` runs
    `a` first anyway)."""
    paths = {
        _module_name(path): path
        for package in (PACKAGE, *FLOORS)
        for path in (ROOT / package).rglob("*.py")
    }
    modules = set(paths)
    return {name: _imports_of(path, name, modules) for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = walk(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = walk(node)
            if found:
                return found
    return None


def test_the_import_graph_has_no_circle() -> None:
    """No module imports, however indirectly, one that imports it (a lazy import counts)."""
    assert find_cycle(import_graph()) is None


def test_the_circle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_has_the_installed_names_and_their_edges() -> None:
    """The walker resolves absolute (papershelf.x), relative and lazy imports to modules of the
    graph, so a circle through any of them would be seen."""
    graph = import_graph()
    assert {"papershelf", "papershelf.__main__", "papershelf.sync.edit"} <= set(graph)
    assert all(name.startswith(PACKAGE) for name in graph)
    assert "papershelf.server.cli" in graph["papershelf.__main__"]  # absolute
    assert "papershelf.sync.edit" in graph["papershelf.sync.insert"]  # relative
    assert "papershelf.sync.gitsync.daemon" in graph["papershelf.server.services"]  # lazy
    planted = {**graph, "papershelf.sync.edit": graph["papershelf.sync.edit"] | {"papershelf.__main__"}}
    assert find_cycle(planted) is not None


def test_the_floor_check_reads_the_installed_names(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "import papershelf.sync.edit\n"
        "from papershelf import feeds\n"
        "from papershelf.server.app import create_app\n"
        "import os.path\n"
    )
    assert _imported_top_packages(module) == {"sync", "papershelf", "feeds", "server", "os"}


def test_no_server_module_loads_modules_by_name() -> None:
    """Parts are typed and imported where they run, never through importlib."""
    users = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "server").rglob("*.py"))
        if "importlib" in _imported_top_packages(path)
    ]
    assert users == []
