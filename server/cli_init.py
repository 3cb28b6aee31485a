"""`papershelf init [DIR]`: make a folder (or a clone of a lists repo) the workspace, and say what
papershelf found there: lists, sections, styles, the git remote it will push to."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click

from papershelf.sync.atomic import atomic_write_bytes, read_regular, why_not_writable
from papershelf.sync.errors import BadInput
from papershelf.sync.listmodel import parse_list
from papershelf.sync.paths import machine_config_path
from papershelf.sync.section_label import document_title, section_label
from papershelf.sync.styles import paper_entries
from papershelf.sync.workspace import Workspace, open_workspace

from .cli_common import emit, json_option

#: Sections named per list in the human report before "… and N more".
SHOWN_SECTIONS = 6


def register(group: click.Group) -> None:
    """Add `init` to the root group."""
    group.add_command(init_command)


@click.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path))
@json_option
def init_command(folder: Path, as_json: bool) -> None:
    """Make FOLDER (default: this one) the workspace papershelf uses, and report what it holds."""
    root = folder.expanduser()
    if not root.is_dir():
        raise BadInput(
            f"{root} is not a folder: give the folder that holds your lists (a git clone of them)."
        )
    # A config.toml papershelf cannot use stops init here, unchanged (no last-good fallback).
    workspace = open_workspace(root, last_good=False)
    report = survey(workspace)
    report["machine_config"] = str(write_machine_workspace(workspace.root))
    override = os.environ.get("PAPERSHELF_WORKSPACE")
    if override and Path(override).expanduser().resolve() != workspace.root:
        report["notes"].append(
            f"PAPERSHELF_WORKSPACE={override} is set in this shell and wins over this setting:"
            " unset it to use this workspace"
        )
    report["notes"].extend(_server_note(workspace))
    emit(report, as_json, describe_init)


def write_machine_workspace(root: Path) -> Path:
    """Write `workspace = "<root>"` to `<data dir>/machine.toml` (atomically); return its path."""
    path = machine_config_path()
    # JSON's string escapes are TOML's basic-string escapes: any path is written exactly.
    text = (
        "# Written by `papershelf init`: the workspace papershelf uses on this machine.\n"
        f"workspace = {json.dumps(str(root), ensure_ascii=False)}\n"
    )
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def survey(workspace: Workspace) -> dict[str, Any]:
    """What the workspace holds: its lists (sections, papers, style), its git remote, problems."""
    lists, notes = [], []
    for rel in workspace.list_paths():
        path = workspace.root / rel
        try:
            doc = parse_list(read_regular(path))
        except OSError as exc:
            notes.append(f"{rel}: cannot be read ({exc.strerror or exc}); papershelf leaves it out")
            continue
        lists.append(_list_summary(rel, doc))
        if why_not_writable(path, rel):
            # The write's own rule; said as what will happen, not as a refused write.
            notes.append(
                f"{rel} cannot be written: papershelf reads it but adds nothing to it"
                f" (chmod u+w {rel}, or make its folder writable)"
            )
    if not lists:
        notes.append(
            "no lists yet: papershelf reads markdown files (lists.include in"
            " .papershelf/config.toml); add one with a heading per section"
        )
    return {
        "workspace": str(workspace.root),
        "git": git_summary(workspace.root),
        "lists": lists,
        "notes": notes,
    }


def _list_summary(rel: str, doc: Any) -> dict[str, Any]:
    """One list: its title, papers, the style most of them are in, and its sections."""
    papers = paper_entries(doc)
    families = Counter(fields.family for _entry, fields in papers)
    per_section = Counter(entry.section for entry, _fields in papers)
    title = document_title(doc)
    return {
        "path": rel,
        "title": title,
        "papers": len(papers),
        "style": families.most_common(1)[0][0] if families else None,
        "sections": [
            {
                "path": s.address,
                "label": section_label(s.address, title),
                "papers": per_section.get(s.path, 0),
            }
            for s in doc.sections
            if s.path and s.address != title  # the title heading is the list, not a section
        ],
    }


def _public_url(url: str) -> str:
    """A remote URL without any user or password in it (never printed)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return url


def git_summary(root: Path) -> dict[str, Any]:
    """The repository around `root`: branch, and the remote the sync daemon pushes to."""
    from papershelf.sync.gitsync.gitrepo import GitFailed, open_repo, upstream

    try:
        repo = open_repo(root)
    except GitFailed:
        return {"repository": False}
    out: dict[str, Any] = {"repository": True, "top": repo.working_tree_dir}
    try:
        up = upstream(repo)
        out["branch"] = repo.active_branch.name
    except (GitFailed, TypeError, ValueError) as exc:
        out["problem"] = str(exc)
        return out
    if up is not None:
        out["remote"] = up.remote
        out["remote_branch"] = up.branch
        named = {r.name: r for r in repo.remotes}
        # A branch may track a URL or a path itself (`git push -u <url>`), not a named remote.
        url = named[up.remote].url if up.remote in named else up.remote
        out["url"] = _public_url(url)
    else:
        out["remotes"] = [r.name for r in repo.remotes]
    return out


def _server_note(workspace: Workspace) -> list[str]:
    """A running server keeps the workspace it started with: say so when it is another one."""
    from .services import read_server_state

    state = read_server_state()
    if state is None or state.get("workspace") == str(workspace.root):
        return []
    return [
        f"papershelf serve (pid {state['pid']}, {state['url']}) still serves {state['workspace']}:"
        " stop it and start it again to serve this workspace"
    ]


def _git_line(git: dict[str, Any]) -> str:
    if not git.get("repository"):
        return (
            "git: not a git repository: changes are not committed (git init, or clone your lists)"
        )
    if git.get("problem"):
        return f"git: {git['problem']}"
    if git.get("remote"):
        return (
            f"git: branch {git['branch']}; commits are pushed to {git['remote']}/"
            f"{git['remote_branch']} ({git['url']})"
        )
    if git.get("remotes"):
        names = ", ".join(git["remotes"])
        return (
            f"git: branch {git['branch']}; several remotes ({names}) and none tracked: "
            "set sync.remote in .papershelf/config.toml to push"
        )
    return f"git: branch {git['branch']}; no remote: commits stay on this machine"


def _list_line(item: dict[str, Any]) -> str:
    sections = [s["label"] for s in item["sections"]]
    shown = ", ".join(sections[:SHOWN_SECTIONS])
    if len(sections) > SHOWN_SECTIONS:
        shown += f" and {len(sections) - SHOWN_SECTIONS} more"
    style = f" ({item['style']})" if item["style"] else ""
    count = len(sections)
    where = f"in {count} section{'s' if count != 1 else ''}: {shown}" if sections else "no sections"
    return f"  {item['path']}{style}: {item['papers']} papers {where}"


def _example(report: dict[str, Any]) -> str | None:
    """An add command that works here: the first list with a section."""
    for item in report["lists"]:
        if item["sections"]:
            section = item["sections"][0]["label"]
            return f'papershelf add 2410.16215 --list {item["path"]} --section "{section}"'
    return None


def describe_init(report: dict[str, Any]) -> str:
    """The human report of `papershelf init`."""
    lists = report["lists"]
    lines = [
        f"workspace: {report['workspace']}",
        f"  papershelf uses it from now on (written to {report['machine_config']})",
        _git_line(report["git"]),
        f"{len(lists)} list{'s' if len(lists) != 1 else ''}"
        + (f", {sum(i['papers'] for i in lists)} papers:" if lists else ""),
        *(_list_line(item) for item in lists),
        *(f"note: {note}" for note in report["notes"]),
        "next: papershelf serve",
    ]
    example = _example(report)
    if example:
        lines.append(f"  or: {example}")
    return "\n".join(lines)
