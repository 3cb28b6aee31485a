"""Options and output helpers every `papershelf` command shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from papershelf.sync.workspace import Workspace, open_workspace


def workspace_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--workspace DIR`: the workspace to use (default: configured, else the default one)."""
    return click.option(
        "--workspace",
        "workspace_dir",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        envvar="PAPERSHELF_WORKSPACE",
        help="Workspace folder (default: $PAPERSHELF_WORKSPACE, the configured one, or the default).",
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--json`: print machine-readable JSON instead of text."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")(func)


def get_workspace(workspace_dir: str | None) -> Workspace:
    """Open the workspace a command was given."""
    return open_workspace(workspace_dir)


def emit(result: Any, as_json: bool, human: Callable[[Any], str] | str | None = None) -> None:
    """Print `result` as JSON, or as the human text `human` makes of it."""
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    text = human(result) if callable(human) else human
    if text:
        click.echo(text)


def fail(message: str, code: int = 1) -> None:
    """Print one error line on stderr and exit with `code`."""
    click.echo(f"papershelf: error: {message}", err=True)
    sys.exit(code)
