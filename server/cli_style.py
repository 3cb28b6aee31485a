"""`papershelf style`: what papershelf learned of a list's style, and a sample entry in it."""

from __future__ import annotations

from typing import Any

import click

from papershelf.sync.insert import read_list, target_section
from papershelf.sync.listhistory import list_history
from papershelf.sync.listmodel import parse_list
from papershelf.sync.styles import infer_style, placement_for
from papershelf.sync.styles.describe import describe_lines, describe_template

from .cli_common import emit, get_workspace, json_option, workspace_option


def register(group: click.Group) -> None:
    """Add `style` to the root group."""
    group.add_command(style_command)


@click.command("style")
@click.argument("list_path", metavar="LIST")
@click.option(
    "--section", default=None, help='The section, e.g. "Alignment > Survey" (default: the largest).'
)
@workspace_option
@json_option
def style_command(
    list_path: str, section: str | None, workspace_dir: str | None, as_json: bool
) -> None:
    """Show the entry style and placement learned from a list, and a sample entry written in it."""
    workspace = get_workspace(workspace_dir)
    path = workspace.resolve_list(list_path)
    rel = workspace.relpath(path)
    doc = parse_list(read_list(path, rel))
    if section is None:
        # The section with the most entries shows the list's style best.
        with_entries = doc.sections_with_entries() or list(doc.sections)
        target = max(with_entries, key=lambda s: len(doc.entry_indexes(s)))
    else:
        target = target_section(doc, section, rel)
    template = infer_style(doc, target)
    placement = placement_for(doc, target, list_history(workspace.root, rel))
    report: dict[str, Any] = {"list": rel, "section": target.address}
    report.update(describe_template(template, placement))
    where = f"{rel} > {target.address}" if target.address else rel
    emit(report, as_json, lambda r: "\n".join(describe_lines(r, where)))
