"""Running the `papershelf` CLI in-process, as a user runs it: exit status, stdout, stderr."""

from __future__ import annotations

import pytest

from papershelf.server.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`papershelf ARGS`: its exit status and what it printed on stdout and stderr."""
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err
