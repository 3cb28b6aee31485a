"""`papershelf poll`, `candidates`, `accept`, `reject`, `snooze`, `suggest`: the feeds from the terminal."""

from __future__ import annotations

import atexit
import gc
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from papershelf.feeds.decisions import accept, open_candidates, reject, snooze
from papershelf.feeds.store import STATUSES, Candidate
from papershelf.sync.section_label import place

if TYPE_CHECKING:
    from papershelf.feeds.poll import Poller, PollSummary

from .cli_common import emit, get_workspace, json_option, workspace_option

log = logging.getLogger(__name__)


def register(group: click.Group) -> None:
    """Add this area's commands to the root `papershelf` group."""
    for command in (
        poll_command,
        candidates_command,
        accept_command,
        reject_command,
        snooze_command,
        suggest_command,
    ):
        group.add_command(command)


def _poller(workspace_dir: str | None) -> Poller:
    """A poller of the command's workspace."""
    # Imported here: the ranker pulls in scikit-learn (seconds), which other commands never need.
    from papershelf.feeds.poll import Poller

    return Poller(get_workspace(workspace_dir))


@click.command("poll")
@click.option("--feed", "feed_name", metavar="NAME", help="Poll only this feed of the config.")
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE",
    help="Ingest a saved RSS/Atom feed instead of fetching.",
)
@workspace_option
@json_option
def poll_command(
    feed_name: str | None, from_file: str | None, workspace_dir: str | None, as_json: bool
) -> None:
    """Poll the feeds once (progress shown on a terminal) and store new candidates."""
    from tqdm import tqdm

    poller = _poller(workspace_dir)
    summaries: list[PollSummary] = []
    # A bar is for a person watching: into a log or a pipe it is only "item/s" frames.
    quiet = as_json or not sys.stderr.isatty()
    with tqdm(unit="item", desc="poll", disable=quiet, leave=False, file=sys.stderr) as bar:

        def advance(items: int) -> None:
            bar.update(items)

        if from_file:
            summaries.append(poller.poll_file(from_file, progress=advance))
        else:
            for source in poller.sources(feed_name):
                bar.set_description(source.name)
                summaries.append(poller.poll_source(source, progress=advance))
    total_new = sum(s.new for s in summaries)
    errors = [s for s in summaries if s.state == "error"]
    result = {"feeds": [s.to_dict() for s in summaries], "new": total_new, "errors": len(errors)}

    def human(_: Any) -> str:
        lines = [s.line() for s in summaries] or [
            "no feeds configured ([[feeds]] in .papershelf/config.toml)"
        ]
        lines.append(
            f"{len(summaries)} feed(s) polled, {total_new} new candidate(s), {len(errors)} error(s)"
        )
        return "\n".join(lines)

    emit(result, as_json, human)
    # Spare the interpreter's exit the cycle collector's scan of everything the poll built (the
    # index, the models: 0.1-0.2 s on 50,000 entries); nothing of it needs finalizing.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    if errors and len(errors) == len(summaries):
        raise SystemExit(1)


def _placer(poller: Poller) -> Callable[[str, str, int | None], str]:
    """ "plaza.md › Scaling > Other (line 3)": places named as people read them (the section's
    path below its list's title), from the poller's index of the lists."""
    index = poller.index  # titles from the index's outlines: no list is parsed

    def where(list_path: str, section: str, line: int | None = None) -> str:
        return place(list_path, section, index.title(list_path), line)

    return where


def _candidate_line(c: Candidate, where: Callable[..., str]) -> str:
    """One candidate as a line: id, score, title, suggestion and why."""
    why = ", ".join(c.suggestions[0].get("why", [])) if c.suggestions else ""
    shown = (
        where(c.suggested_list, c.suggested_section or "") if c.suggested_list else "no suggestion"
    )
    title = " ".join((c.paper.title or c.identity).split())
    if c.status != "pending":  # `--status all` mixes them
        title += f"  [{c.status}]"
    return f"{c.id:>5}  {c.score:.2f}  {title}\n       -> {shown}" + (f"  ({why})" if why else "")


@click.command("candidates")
@click.option(
    "--status",
    type=click.Choice([*STATUSES, "all"]),
    default="pending",
    show_default=True,
    help="Which candidates to show.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@workspace_option
@json_option
def candidates_command(status: str, limit: int, workspace_dir: str | None, as_json: bool) -> None:
    """List candidates, best first, with their suggested list and section."""
    poller = _poller(workspace_dir)
    wanted = None if status == "all" else status
    found = open_candidates(poller.workspace, poller.store, poller.index, wanted, limit)
    where = _placer(poller)
    emit(
        [c.to_dict() for c in found],
        as_json,
        lambda _: "\n".join(_candidate_line(c, where) for c in found) or f"no {status} candidates",
    )


@click.command("accept")
@click.argument("candidate_id", metavar="ID")
@click.option("--list", "list_path", metavar="PATH", help="The list (default: the suggestion).")
@click.option("--section", metavar="PATH", help="The section (default: the suggestion).")
@workspace_option
@json_option
def accept_command(
    candidate_id: str,
    list_path: str | None,
    section: str | None,
    workspace_dir: str | None,
    as_json: bool,
) -> None:
    """Add a candidate to its suggested (or the given) list and section."""
    poller = _poller(workspace_dir)
    candidate, result = accept(
        poller.workspace,
        poller.store,
        candidate_id,
        list_path=list_path,
        section=section,
        index=poller.index,
    )
    verb = "added to" if result.status == "added" else "already in"
    where = _placer(poller)(result.list, result.section, result.line)
    emit(
        {"candidate": candidate.to_dict(), **result.to_dict()},
        as_json,
        f"{verb} {where}: {result.entry}",
    )


@click.command("reject")
@click.argument("candidate_id", metavar="ID")
@workspace_option
@json_option
def reject_command(candidate_id: str, workspace_dir: str | None, as_json: bool) -> None:
    """Reject a candidate; it is written to .papershelf/rejected.txt and never proposed again."""
    _decide(reject, "rejected", candidate_id, workspace_dir, as_json)


@click.command("snooze")
@click.argument("candidate_id", metavar="ID")
@workspace_option
@json_option
def snooze_command(candidate_id: str, workspace_dir: str | None, as_json: bool) -> None:
    """Put a pending candidate aside to decide later (only on this machine; nothing is shared)."""
    _decide(snooze, "snoozed", candidate_id, workspace_dir, as_json)


def _decide(
    decide: Any, verb: str, candidate_id: str, workspace_dir: str | None, as_json: bool
) -> None:
    """Run one decision that writes no list (reject, snooze) and report the candidate."""
    poller = _poller(workspace_dir)
    candidate = decide(poller.workspace, poller.store, candidate_id)
    emit(
        candidate.to_dict(),
        as_json,
        f"{verb} {candidate.id}: {candidate.paper.title or candidate.identity}",
    )


@click.command("suggest")
@click.option("--title", required=True, help="The paper's title.")
@click.option("--abstract", default=None, help="The paper's abstract (improves the suggestion).")
@click.option("--top", "top_k", type=click.IntRange(1, 50), default=3, show_default=True)
@workspace_option
@json_option
def suggest_command(
    title: str, abstract: str | None, top_k: int, workspace_dir: str | None, as_json: bool
) -> None:
    """Suggest where a paper belongs: ranked list and section, with the words that say why."""
    poller = _poller(workspace_dir)
    suggestions = poller.suggest(title, abstract, top_k=top_k)
    where = _placer(poller)
    lines = [
        f"{s.score:.2f}  {where(s.list, s.section, None)}"
        + (f"  ({', '.join(s.why)})" if s.why else "")
        for s in suggestions
    ]
    emit([s.to_dict() for s in suggestions], as_json, "\n".join(lines) or "no section to suggest")
