"""mypy runs as part of the suite over the whole tree (its settings: pyproject.toml), so a type
error fails CI like any other bug."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mypy_finds_no_error() -> None:
    beside = Path(sys.executable).with_name("mypy")  # this environment's, before any other
    mypy = str(beside) if beside.exists() else shutil.which("mypy")
    if mypy is None:
        pytest.skip("mypy is not installed (it is in the test extra)")
    result = subprocess.run(
        [mypy, "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
