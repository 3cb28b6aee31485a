"""The contracts in docs/ stay true and the repository stands alone: every command and option in
docs/cli.md, every API route in docs/http-api.md, the Paper JSON keys in docs/paper-json.md,
every relative link resolving, and no contract named that is not in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click
import pytest

from papershelf.server.app import create_app
from papershelf.server.cli import cli
from papershelf.sync.paper import PaperSchema

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


def links(text: str) -> list[str]:
    """Markdown link targets outside code (examples of list entries are not links)."""
    return LINK.findall(CODE.sub("", text))


def tracked(pattern: str) -> list[Path]:
    done = subprocess.run(
        ["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    return [ROOT / line for line in done.stdout.splitlines()]


def test_no_file_cites_a_contract_outside_the_repository() -> None:
    files = [p for p in tracked("*") if p.suffix in {".md", ".py", ".js", ".html", ".toml"}]
    assert files, "git ls-files found nothing"
    citing = [
        p.relative_to(ROOT).as_posix()
        for p in files
        if b"design.md" in p.read_bytes() and p.name != Path(__file__).name  # not its own words
    ]
    assert citing == []


def test_every_command_and_option_is_in_the_cli_doc() -> None:
    doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = []
    for name, command in cli.commands.items():
        if command.hidden:
            continue
        if f"papershelf {name}" not in doc and f"`{name}`" not in doc:
            missing.append(name)
        for param in command.params:
            if isinstance(param, click.Option):
                longest = max(param.opts, key=len)
                if longest.startswith("--") and longest not in doc and name in ("add", "init"):
                    missing.append(f"{name} {longest}")
    assert missing == []


def test_every_api_route_is_in_the_http_api_doc() -> None:
    doc = (DOCS / "http-api.md").read_text(encoding="utf-8")
    app = create_app({"PAPERSHELF_SERVICES": object(), "PAPERSHELF_TOKEN": "t" * 40})
    routes = sorted(
        {
            re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/")
        }
    )
    assert routes, "no API routes found"
    missing = [r for r in routes if r not in doc and r.replace("<candidate_id>", "<id>") not in doc]
    assert missing == []


def test_the_paper_json_doc_lists_exactly_the_schema_keys() -> None:
    doc = (DOCS / "paper-json.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", doc, re.M))
    assert documented == set(PaperSchema().fields)


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")) + ["../README.md"])
def test_relative_links_resolve(page: str) -> None:
    path = (DOCS / page).resolve()
    broken = []
    for target in links(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file_part = target.split("#", 1)[0]
        if file_part and not (path.parent / file_part).exists():
            broken.append(target)
    assert broken == []


def test_the_design_notes_link_back_and_resolve() -> None:
    for note in (DOCS / "design-notes").glob("*.md"):
        text = note.read_text(encoding="utf-8")
        for target in links(text):
            file_part = target.split("#", 1)[0]
            if file_part and not re.match(r"^[a-z]+:", target):
                assert (note.parent / file_part).exists(), f"{note.name}: {target}"
