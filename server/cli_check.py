"""`papershelf check`: lint lists (duplicates, mojibake, empty links...) and apply the safe fixes."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from papershelf.sync.atomic import is_regular_file
from papershelf.sync.check import CODES, INFO, Finding, check_workspace, fix_file
from papershelf.sync.closest import closest_names
from papershelf.sync.errors import BadInput, ListNotWritable, NotFound
from papershelf.sync.workspace import Workspace

from .cli_common import emit, get_workspace, json_option, workspace_option

log = logging.getLogger(__name__)


def register(group: click.Group) -> None:
    """Add `check` to the root `papershelf` group."""
    group.add_command(check_command)


def resolve_check_paths(workspace: Workspace, given: str) -> list[str]:
    """A PATH argument as workspace-relative list paths: a file, a folder of lists, or a list name."""
    as_path = Path(given).expanduser()
    root = workspace.root.resolve()
    for candidate in (as_path, root / given):
        if not candidate.exists():
            continue
        resolved = candidate.resolve()
        if resolved != root and root not in resolved.parents:
            continue
        if candidate.is_file():
            return [resolved.relative_to(root).as_posix()]
        if candidate.is_dir():
            prefix = "" if resolved == root else resolved.relative_to(root).as_posix() + "/"
            found = [p for p in workspace.list_paths() if p.startswith(prefix)]
            if not found:
                raise NotFound(f"No lists under {given}.", fields={"list": "empty folder"})
            return found
    if as_path.exists():
        raise NotFound(
            f"{given} is outside the workspace {root}; give --workspace DIR.",
            fields={"list": "outside"},
        )
    return [workspace.relpath(workspace.resolve_list(given))]


def _human(result: dict) -> str:
    """The findings, one line each, and a summary line."""
    lines = [
        Finding(**{k: v for k, v in f.items() if k != "context"}).format()
        for f in result["findings"]
    ]
    for fixed in result["fixed"]:
        lines.append(f"fixed {fixed['list']}:{fixed['line']}: {fixed['code']}: {fixed['message']}")
    problems = sum(1 for f in result["findings"] if f["severity"] != INFO)
    notes = len(result["findings"]) - problems
    summary = f"{result['lists']} list(s) checked: {problems} finding(s)"
    if notes:
        summary += f", {notes} note(s)"
    if result["fixed"]:
        summary += f", {len(result['fixed'])} fixed"
    lines.append(summary)
    return "\n".join(lines)


@click.command("check")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--fix", is_flag=True, help="Repair the safe findings (mojibake) in place.")
@click.option(
    "--ignore",
    "ignored",
    multiple=True,
    metavar="CODE",
    help=f"Leave out findings with this code (repeatable): {', '.join(CODES)}.",
)
@workspace_option
@json_option
def check_command(
    paths: tuple[str, ...],
    fix: bool,
    ignored: tuple[str, ...],
    workspace_dir: str | None,
    as_json: bool,
) -> int:
    """Lint lists: duplicates within and across lists, mojibake, empty links, orphaned lines,
    duplicate headings, entries off their section's style. Exit 1 when findings remain."""
    for code in ignored:
        if code not in CODES:
            hint = closest_names(code, list(CODES))
            also = f" (did you mean {', '.join(hint)}?)" if hint else ""
            raise BadInput(f"Unknown check code {code!r}{also}.", fields={"ignore": "unknown"})
    workspace = get_workspace(workspace_dir)
    chosen: list[str] | None = (
        list(dict.fromkeys(p for given in paths for p in resolve_check_paths(workspace, given)))
        or None
    )
    targets = chosen
    if targets is None:  # the workspace's lists, less a FIFO or device named like one (never read)
        targets = [p for p in workspace.list_paths() if is_regular_file(workspace.root / p)]
    fixed: list[Finding] = []
    if fix and "mojibake" not in ignored:
        for list_path in dict.fromkeys(targets):
            try:
                fixed.extend(fix_file(workspace, list_path).fixed)
            except ListNotWritable as exc:  # a read-only list: its findings stay, the rest go on
                click.echo(f"papershelf: {exc.message}", err=True)
    findings = [f for f in check_workspace(workspace, chosen) if f.code not in ignored]
    if as_json:
        emit([f.to_dict() for f in findings], True)
        if fixed:
            click.echo(f"papershelf: fixed {len(fixed)} finding(s)", err=True)
    else:
        result = {
            "lists": len(set(targets)),
            "findings": [f.to_dict() for f in findings],
            "fixed": [f.to_dict() for f in fixed],
        }
        emit(result, False, _human)
    return 1 if any(f.severity != INFO for f in findings) else 0
