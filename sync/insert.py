"""The one write path: every clip, accepted candidate and `papershelf add` ends in `add_paper`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .acknowledged import note_added
from .atomic import read_regular
from .edit import edit_list, list_target, read_checked
from .errors import BadInput, ListChanged, NotFound
from .listhistory import list_history
from .listmodel import ListDocument, parse_list, verify_insertion
from .paper import Paper
from .styles import (
    Insertion,
    carry_list_habits,
    find_paper,
    infer_style,
    placement_for,
    plan_insertion,
)
from .workspace import Workspace

if TYPE_CHECKING:
    from .index import WorkspaceIndex
    from .listmodel.parts import Entry, Section

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddResult:
    """What `add_paper` did: `added` a new entry, or found the paper already listed (`exists`)."""

    status: str
    list: str
    section: str
    line: int
    entry: str
    #: Fields given that the list's style has no place for (an added entry only).
    left_out: tuple[str, ...] = ()
    #: Where the entry went and why, in words (an added entry only).
    placement: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of docs/paper-json.md: status, list, section, line, entry, and for an
        added entry `left_out` and `placement`."""
        out: dict[str, Any] = {
            "status": self.status,
            "list": self.list,
            "section": self.section,
            "line": self.line,
            "entry": self.entry,
        }
        if self.status == "added":
            out["left_out"] = list(self.left_out)
            out["placement"] = self.placement
        return out


def add_paper(
    workspace: Workspace,
    paper: Paper,
    list_path: str,
    section: str,
    *,
    index: WorkspaceIndex | None = None,
    also: bool = False,
) -> AddResult:
    """Insert `paper` into `section` of `list_path` in the list's own style, unless already listed
    (in any list; with `also`, in this list: a paper may be filed in a second list on purpose).

    The file is locked, re-read and re-checked for the paper under the lock; the new bytes are the
    old bytes with the entry's lines spliced in, verified to change nothing else, and written
    atomically. A file that changes on disk while we work is re-read, never overwritten.
    """
    identity = paper.identity
    if identity is None:
        raise BadInput(
            "The paper has no usable identifier (url or arxiv_id).", fields={"url": "missing"}
        )

    existing = None if also else find_listed(workspace, identity, index)
    if existing is not None:
        return existing

    target = list_target(workspace, list_path)
    rel = target.rel

    def plan(data: bytes) -> tuple[bytes | None, AddResult | _Inserted]:
        """Where and how the entry goes into `data` (verified), or where it already is."""
        indexed = index.current_document(rel, data) if index is not None else None
        doc = indexed if indexed is not None else parse_list(data)
        if indexed is not None and index is not None:
            # The index holds exactly these bytes: its lookup answers for this file.
            found = _first_hit(index, identity, rel)
        else:
            found = _find_in_document(rel, doc, identity)
        if found is not None:
            return None, found
        if not paper.title:
            raise BadInput(
                "The paper has no title and it could not be looked up; give a title.",
                fields={"title": "missing"},
            )
        target_at = target_section(doc, section, rel)
        style = infer_style(doc, target_at)
        placement = placement_for(doc, target_at, list_history(workspace.root, rel))
        insertion = plan_insertion(doc, target_at, style, paper, placement)
        new_doc = doc.with_lines_inserted(insertion.at_line, insertion.lines)
        verify_insertion(doc, new_doc, insertion.at_line, insertion.lines)
        carry_list_habits(
            doc, new_doc, target_at, insertion.at_line, len(new_doc.lines) - len(doc.lines)
        )
        return new_doc.render(), _Inserted(doc, new_doc, insertion)

    def written(done: AddResult | _Inserted) -> None:
        if index is not None and isinstance(done, _Inserted):
            at, count = done.insertion.at_line, len(done.insertion.lines)
            index.note_insertion(rel, done.doc, done.new_doc, at, count)
        ref = paper.arxiv_id or paper.url or identity
        note_added(workspace.root, rel, identity, ref, paper.title or "")  # until committed

    # The write step (read settled, write only over the bytes read, never over a save made
    # meanwhile) is papershelf.sync.edit's, shared by every list writer.
    done = edit_list(target, plan, written)
    if isinstance(done, AddResult):
        return done  # already listed in this list
    return _added_result(rel, done.new_doc, done.insertion)


@dataclass(frozen=True)
class _Inserted:
    """The insertion `add_paper`'s transform made: the document before and after, and how."""

    doc: ListDocument
    new_doc: ListDocument
    insertion: Insertion


def target_section(doc: ListDocument, section: str, rel: str) -> Section:
    """The section `section` names; blank (before any heading) only in a list with no headings."""
    # An empty --section (an unset shell variable) must not land a paper above a list's intro.
    headed = [s.address for s in doc.sections if s.path] if not section.strip() else []
    if headed:
        more = ", ..." if len(headed) > 3 else ""
        raise BadInput(
            f"Give a section: {rel} has {', '.join(headed[:3])}{more}"
            f" (`papershelf parse {rel}` lists them all).",
            fields={"section": "missing"},
        )
    try:
        return doc.section(section)
    except NotFound as exc:
        # Name the list: the one line a person reads says where the section was looked for.
        fields = {k: v for k, v in exc.fields.items() if k != "closest"}
        raise NotFound(
            f"No section {section.strip()!r} in {rel}", closest=exc.closest, fields=fields
        ) from None


def check_target(workspace: Workspace, list_path: str, section: str) -> None:
    """Raise NotFound/BadInput unless `list_path` is a list with a section `section`."""
    path = workspace.resolve_list(list_path)
    rel = workspace.relpath(path)
    read_checked(path, rel, lambda data: target_section(parse_list(data), section, rel))


def read_list(path: Path, rel: str) -> bytes:
    """A list's bytes on the request path, read settled (never half an in-place save): NotFound
    (404) when it is gone (deleted since its name was checked), ListChanged (409) when it cannot
    be read (a FIFO, a directory, an I/O error)."""
    return read_checked(path, rel, lambda data: data)


def find_listed(
    workspace: Workspace, identity: str, index: WorkspaceIndex | None = None
) -> AddResult | None:
    """Where the paper with this identity key is listed: through `index`, or list by list."""
    if index is not None:
        index.refresh()
        return _first_hit(index, identity)
    # Without a warm index, reading only the entries that mention the id beats indexing them all.
    for rel in workspace.list_paths():
        try:
            data = read_regular(workspace.root / rel)
        except OSError as exc:
            log.warning("cannot read %s: %s", rel, exc.strerror)
            continue
        found = _find_in_document(rel, parse_list(data), identity)
        if found is not None:
            return found
    return None


def _first_hit(
    index: WorkspaceIndex, identity: str, list_path: str | None = None
) -> AddResult | None:
    """The index's first entry of this paper (in `list_path` only, when given)."""
    for hit in index.lookup(identity):
        if list_path is None or hit.list == list_path:
            return AddResult("exists", hit.list, hit.section, hit.line, hit.entry)
    return None


def _find_in_document(list_path: str, doc: ListDocument, identity: str) -> AddResult | None:
    """The paper entry of `doc` with this identity, reading only entries whose text names it."""
    found = find_paper(doc, identity)
    if found is None:
        return None
    entry, _fields = found
    section = doc.section_address_of_line(entry.start)
    return AddResult("exists", list_path, section, entry.start + 1, _shown_entry(doc, entry))


def _shown_entry(doc: ListDocument, entry: Entry) -> str:
    """The entry as the list means it (a Latin-1 list's `Über`, not an escape of its byte)."""
    return doc.shown(doc.entry_text(entry))


def _added_result(list_path: str, doc: ListDocument, plan: Insertion) -> AddResult:
    # The inserted block may start with separator blank lines; the entry is the first non-blank one.
    at_line, lines = plan.at_line, plan.lines
    offset = next((i for i, text in enumerate(lines) if text.strip()), 0)
    for entry in doc.entries_between(at_line + offset, at_line + offset + 1):
        section = doc.section_address_of_line(entry.start)
        return AddResult(
            "added",
            list_path,
            section,
            entry.start + 1,
            _shown_entry(doc, entry),
            left_out=plan.left_out,
            placement=plan.placement,
        )
    raise ListChanged(f"{list_path}: the new entry could not be found after writing.")
