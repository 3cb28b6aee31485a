"""mypy runs as part of the suite over the whole tree (its settings: pyproject.toml), so a type
error fails CI like any other bug. It runs through tools/typecheck.py, which shows mypy the
code under its installed names (papershelf.sync for sync/, ...)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mypy_finds_no_error() -> None:
    if not Path(sys.executable).with_name("mypy").exists():
        pytest.importorskip("mypy", reason="mypy is not installed (it is in the test extra)")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "typecheck.py"), "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tree = ROOT / "build" / "typecheck" / "papershelf"
    for floor in ("sync", "server", "feeds"):  # mypy saw the folders under the installed names
        assert (tree / floor / "__init__.py").resolve() == (ROOT / floor / "__init__.py").resolve()
