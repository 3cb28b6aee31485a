"""`papershelf add` and `papershelf parse`: the list engine from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from papershelf.sync.atomic import read_regular
from papershelf.sync.errors import BadInput
from papershelf.sync.identity import parse_arxiv_id
from papershelf.sync.insert import add_paper, check_target, find_listed
from papershelf.sync.listmodel import describe, parse_list
from papershelf.sync.paper import Paper, paper_from_dict
from papershelf.sync.section_label import bytes_title, place
from papershelf.sync.styles import infer_style, paper_entries
from papershelf.sync.workspace import Workspace

from .cli_common import emit, get_workspace, json_option, workspace_option


def register(group: click.Group) -> None:
    """Add `add` and `parse` to the root group."""
    group.add_command(add_command)
    group.add_command(parse_command)


def paper_input(
    value: str | None, from_json: str | None, overrides: dict[str, Any]
) -> dict[str, Any]:
    """Build the Paper JSON a command was given: a URL or id, a JSON file, and field options."""
    data: dict[str, Any] = {}
    if from_json:
        try:
            text = click.open_file(from_json, encoding="utf-8-sig").read()
            loaded = json.loads(text)
        except OSError as exc:
            raise BadInput(f"Cannot read {from_json}: {exc.strerror or exc}.") from None
        except UnicodeDecodeError as exc:
            raise BadInput(f"Cannot read {from_json}: {exc}") from None
        except json.JSONDecodeError as exc:
            raise BadInput(
                f"{from_json} is not valid JSON: {exc.msg} at line {exc.lineno}"
            ) from None
        if not isinstance(loaded, dict):
            raise BadInput(f"{from_json} must hold one JSON object (a paper).")
        data.update(loaded)
    if value:
        value = value.strip()
        if parse_arxiv_id(value) is not None and not value.lower().startswith(("http:", "https:")):
            data["arxiv_id"] = value
        elif value.lower().startswith(("http://", "https://")):
            data["url"] = value
        else:
            raise BadInput(f"{value!r} is neither an arXiv id nor an http(s) URL.")
    data.update({k: v for k, v in overrides.items() if v not in (None, (), [])})
    if not data.get("url") and not data.get("arxiv_id"):
        raise BadInput("Give a URL or arXiv id, or --from-json FILE.")
    return data


#: What a person can do when arXiv cannot fill a paper in: give its fields on the command line.
GIVE_FIELDS = 'give the fields yourself: --title "…" (and --author, --published)'


def complete_from_arxiv(paper: Paper) -> Paper:
    """Fill the fields a bare arXiv id lacks from the arXiv API, as a clip is completed
    (`ArxivCompleter.complete`, waiting as a clip waits); what the user gave wins."""
    from papershelf.feeds.net import FetchFailed

    from .completion import ArxivCompleter, CompletionUnavailable
    from .services import make_arxiv_client

    try:
        return ArxivCompleter(make_arxiv_client()).complete(paper)
    except CompletionUnavailable as exc:  # unreachable, timed out, refusing: give the fields
        raise FetchFailed(f"{str(exc).rstrip('.')}. {GIVE_FIELDS.capitalize()}.") from None


@click.command("add")
@click.argument("url_or_id", required=False)
@click.option(
    "--from-json",
    "from_json",
    metavar="FILE",
    help="Read the Paper JSON from FILE ('-' for stdin).",
)
@click.option(
    "--list",
    "list_path",
    required=True,
    metavar="PATH",
    help="The list, relative to the workspace.",
)
@click.option(
    "--section",
    required=True,
    metavar="PATH",
    help="Section heading path, e.g. 'Alignment > Survey'.",
)
@click.option("--title", help="The paper's title (otherwise looked up on arXiv).")
@click.option("--author", "authors", multiple=True, help="An author (repeat for several).")
@click.option("--published", help="Publication date, YYYY-MM-DD or YYYY-MM.")
@click.option("--venue", help="Venue, e.g. 'ICLR 2025'.")
@click.option("--code-url", help="Link to the code.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for several).")
@click.option(
    "--also",
    is_flag=True,
    help="Add it even when another list has it already (not twice to the same list).",
)
@workspace_option
@json_option
def add_command(
    url_or_id: str | None,
    from_json: str | None,
    list_path: str,
    section: str,
    title: str | None,
    authors: tuple[str, ...],
    published: str | None,
    venue: str | None,
    code_url: str | None,
    tags: tuple[str, ...],
    also: bool,
    workspace_dir: str | None,
    as_json: bool,
) -> None:
    """Add one paper to a section of a list, in the list's own style."""
    overrides = {
        "title": title,
        "authors": list(authors),
        "published": published,
        "venue": venue,
        "code_url": code_url,
        "tags": list(tags),
    }
    paper = paper_from_dict(paper_input(url_or_id, from_json, overrides))
    workspace = get_workspace(workspace_dir)
    # One add needs no index of every entry: lists are searched for the id's text instead.
    result = find_listed(workspace, paper.identity) if paper.identity and not also else None
    if result is None:
        if not paper.title:
            check_target(workspace, list_path, section)  # a typo is told before arXiv is asked
            paper = complete_from_arxiv(paper)
        result = add_paper(workspace, paper, list_path, section, also=also)
    asked = workspace.relpath(workspace.resolve_list(list_path))
    emit(
        result.to_dict(),
        as_json,
        lambda r: describe_add(r, list_title(workspace, r["list"]), asked),
    )


def list_title(workspace: Workspace, list_path: str) -> str | None:
    """The title heading of a list, left out when its sections are named (None if unreadable)."""
    try:
        return bytes_title(read_regular(workspace.root / list_path))
    except OSError:
        return None


#: How a Paper field left out of an entry is named to people.
FIELD_NAMES = {"code_url": "code link", "published": "date", "authors": "authors"}


def left_out_line(list_path: str, fields: list[str]) -> str | None:
    """ "tags not written: plaza.md shows no tags": the fields a list's style has no place for."""
    if not fields:
        return None
    names = [FIELD_NAMES.get(f, f.replace("_", " ")) for f in fields]
    return f"{', '.join(names)} not written: {list_path} shows no {' or '.join(names)}"


def describe_add(result: dict[str, Any], title: str | None, asked: str) -> str:
    """The human answer to an add: where the entry is, the entry, and what it left out."""
    where = place(result["list"], result["section"], title, result["line"])
    if result["status"] == "added":
        lines = [f"added to {where}", result["entry"]]
    elif result["list"] != asked:
        # Nothing was written to the list asked for: say so, and how to file it there too.
        lines = [
            f"not added to {asked}: already listed in {where}"
            f" (add --also to list it in {asked} too)",
            result["entry"],
        ]
    else:
        lines = [f"already listed in {where}", result["entry"]]
    note = left_out_line(result["list"], list(result.get("left_out") or ()))
    return "\n".join([*lines, *([note] if note else [])])


@click.command("parse")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
def parse_command(path: Path, as_json: bool) -> None:
    """Show the parsed structure of one list: sections, entries with line ranges, detected style."""
    try:
        data = read_regular(path)  # a FIFO is refused at once: reading it would wait for ever
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror}") from None
    emit(parse_report(data), as_json, _describe_parse)


def parse_report(data: bytes) -> dict[str, Any]:
    """The structure of a list (`papershelf parse`, docs/cli.md), with styles and paper fields."""
    doc = parse_list(data)
    report = describe(doc)
    papers = {entry.start: fields for entry, fields in paper_entries(doc)}
    families: dict[str, int] = {}
    for fields in papers.values():
        families[fields.family] = families.get(fields.family, 0) + 1
    report["style"] = max(families, key=lambda k: families[k]) if families else None
    report["papers"] = len(papers)
    by_address = {s.address: s for s in doc.sections}
    for section in report["sections"]:
        target = by_address.get(section["address"])
        has_papers = target is not None and any(e.start in papers for e in target.entries)
        section["style"] = infer_style(doc, target).family if has_papers else None
    for entry in report["entries"]:
        found = papers.get(entry["start"] - 1)
        entry["paper"] = (
            None
            if found is None
            else {
                "title": doc.shown(found.title) if found.title else found.title,
                "identities": list(found.identities),
                "family": found.family,
            }
        )
    return report


def _describe_parse(report: dict[str, Any]) -> str:
    lines = [f"style: {report['style'] or 'unknown'}; {report['papers']} paper entries"]
    for section in report["sections"]:
        indent = "  " * max(section["level"] - 1, 0)
        name = section["address"] or "(before the first heading)"
        style = f", {section['style']}" if section.get("style") else ""
        lines.append(f"{indent}{name}: {section['entries']} entries{style}")
    return "\n".join(lines)
