"""Run mypy over the whole tree under the installed names: `python tools/typecheck.py [ARGS]`.

The code lives in sync/, server/ and feeds/ but is imported as papershelf.sync, papershelf.server
and papershelf.feeds (pyproject.toml's package-dir). mypy knows no such mapping, so this makes
build/typecheck/papershelf/ (git-ignored): papershelf/'s own files and one link per floor folder
(a copy where links cannot be made), which pyproject.toml's [tool.mypy] reads. Errors are printed
with the repository's own paths (sync/edit.py, not build/typecheck/papershelf/sync/edit.py).
Once the tree exists, a plain `mypy` gives the same answer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "build" / "typecheck"
PACKAGE = "papershelf"
FLOORS = ("sync", "server", "feeds")


def make_tree(root: Path = ROOT, tree: Path = TREE) -> Path:
    """build/typecheck/papershelf: links to papershelf/*.py and to each floor folder; its path."""
    package = tree / PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    wanted = {p.name: p for p in (root / PACKAGE).glob("*.py")}
    wanted.update({floor: root / floor for floor in FLOORS})
    for existing in package.iterdir():
        if existing.name not in wanted:  # a file papershelf/ no longer has
            _remove(existing)
    for name, source in wanted.items():
        link = package / name
        if link.is_symlink() and link.resolve() == source.resolve():
            continue
        _remove(link)
        try:
            link.symlink_to(source, target_is_directory=source.is_dir())
        except OSError:  # no symlinks here (Windows without the right): a copy does
            if source.is_dir():
                shutil.copytree(source, link, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copyfile(source, link)
    return package


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def repository_paths(text: str, root: Path = ROOT, tree: Path = TREE) -> str:
    """mypy's output with paths in the tree given as the repository's own."""
    for prefix in (str(tree / PACKAGE) + "/", (tree / PACKAGE).relative_to(root).as_posix() + "/"):
        for floor in FLOORS:
            text = text.replace(prefix + floor + "/", floor + "/")
        text = text.replace(prefix, PACKAGE + "/")
    return text


def main(argv: list[str]) -> int:
    """Make the tree, run this environment's mypy in the repository, print what it says."""
    make_tree()
    beside = Path(sys.executable).with_name("mypy")  # this environment's, before any other
    mypy = str(beside) if beside.exists() else shutil.which("mypy")
    if mypy is None:
        print("typecheck: mypy is not installed (it is in the test extra)", file=sys.stderr)
        return 2
    done = subprocess.run([mypy, *argv], cwd=ROOT, capture_output=True, text=True, timeout=600)
    sys.stdout.write(repository_paths(done.stdout))
    sys.stderr.write(repository_paths(done.stderr))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
