"""Commit messages from the meaning of a change (pure): which papers were added where, and what else.

`describe_change(path, old, new)` reads one file's old and new bytes; `build_message(changes)`
turns the descriptions of every file in a commit into a subject line and a body.
"""

from __future__ import annotations

import dataclasses
import logging
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from ..check.mojibake import document_repairs
from ..listmodel import parse_list
from ..listmodel.lines import decode, encode, split_bom
from ..styles import extract_fields
from .linediff import Hunk, hunks
from .outline import Outline, outline
from .shown import shown_path, shown_text

log = logging.getLogger(__name__)

SEP = " › "
#: The subject of a commit when no template is configured.
DEFAULT_TEMPLATE = "{summary}"
#: Placeholders a `sync.message_template` may use.
TEMPLATE_FIELDS = ("summary", "files", "papers", "added", "removed")
#: Body lines at most (a regenerated list would give one per paper: megabytes).
MAX_BODY_LINES = 20
#: Lines around a change parsed to find its entries (whole sections when smaller).
WINDOW_LINES = 400


@dataclass(frozen=True)
class EntryTitle:
    """A paper entry a change added, removed or moved, as a message names it: its title and
    section address (not `papershelf.sync.paper.Paper`, the paper itself)."""

    title: str
    section: str


@dataclass
class FileChange:
    """What one file's change means."""

    path: str
    status: str  # added | deleted | modified | renamed
    is_list: bool = True
    old_path: str | None = None
    added: list[EntryTitle] = field(default_factory=list)
    removed: list[EntryTitle] = field(default_factory=list)
    moved: list[EntryTitle] = field(default_factory=list)
    edited_sections: list[str] = field(default_factory=list)
    #: Paper entries whose mojibake was repaired in place (`papershelf check --fix`), and how
    #: many repaired lines lie outside any paper entry (a heading, an intro).
    repaired: list[EntryTitle] = field(default_factory=list)
    repaired_other_lines: int = 0

    @property
    def only_added(self) -> bool:
        """Whether the change is nothing but new papers."""
        return bool(self.added) and not (
            self.removed or self.moved or self.edited_sections or self.is_repair
        )

    @property
    def is_repair(self) -> bool:
        """Whether some lines had their mojibake repaired in place."""
        return bool(self.repaired or self.repaired_other_lines)

    @property
    def only_repaired(self) -> bool:
        """Whether the change is nothing but mojibake repaired in place."""
        return self.is_repair and not (
            self.added or self.removed or self.moved or self.edited_sections
        )


def _keys(data: bytes) -> tuple[list[str], str]:
    """The lines of `data` without their endings, and the text with "\\n" endings."""
    text = decode(split_bom(data)[1])
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    keys = text.split("\n")
    if keys[-1] == "":
        keys.pop()
    return keys, text


@dataclass(frozen=True)
class _Found:
    """A paper entry next to a change: title, identities, section, absolute line range."""

    title: str
    ids: frozenset[str]
    section: str
    start: int
    end: int


def _entries_in(keys: list[str], lo: int, hi: int, marks: Outline) -> list[_Found]:
    """The paper entries overlapping keys[lo:hi] (parsing only the section, or a window)."""
    start, stop = marks.span_at(lo)
    start = max(start, lo - WINDOW_LINES)
    stop = max(min(stop, hi + WINDOW_LINES), hi)
    doc = parse_list(encode("\n".join(keys[start:stop]) + "\n"))
    out = []
    for entry in doc.entries:
        first, last = entry.start + start, entry.end + start
        if last <= lo or first >= hi:
            continue
        fields = extract_fields(doc.entry_text(entry))
        if fields.is_paper:
            section = " > ".join(marks.path_at(first))
            out.append(
                _Found(fields.title or "", frozenset(fields.identities), section, first, last)
            )
    return out


def _explained(keys: list[str], lo: int, hi: int, found: list[_Found], ok: set[int]) -> bool:
    """Whether every non-blank changed line lies in an entry counted as added/removed/moved."""
    covered = {i for f in found if id(f) in ok for i in range(f.start, f.end)}
    return all(i in covered for i in range(lo, hi) if keys[i].strip())


class _Repairs:
    """Which changed lines are exactly `papershelf check --fix`'s mojibake repair of the old ones.

    The repairs of the whole old file are computed once, and only when a change could be one (as
    many lines on both sides, the old ones not ASCII): `check --fix` judges a line with the
    evidence of the whole list, so the message does too.
    """

    def __init__(self, old_keys: list[str]) -> None:
        self._old = old_keys
        self._fixed: dict[int, str] | None = None

    def lines(self, h: Hunk, new_keys: list[str]) -> bool:
        """Whether every changed line of hunk `h` is the repair of the line it replaces."""
        if h.ahi - h.alo != h.bhi - h.blo or h.ahi == h.alo:
            return False
        if all(self._old[i].isascii() for i in range(h.alo, h.ahi)):
            return False
        if self._fixed is None:
            self._fixed = document_repairs(self._old)
        return all(
            self._fixed.get(i) == new_keys[j]
            for i, j in zip(range(h.alo, h.ahi), range(h.blo, h.bhi), strict=True)
        )


def describe_change(
    path: str, old: bytes | None, new: bytes | None, is_list: bool = True
) -> FileChange:
    """What changed in one file between `old` and `new` (None: the file did not exist)."""
    status = "added" if old is None else "deleted" if new is None else "modified"
    change = FileChange(path, status, is_list)
    if not is_list or old is None or new is None:
        return change
    (ka, text_a), (kb, text_b) = _keys(old), _keys(new)
    marks_a, marks_b = outline(ka, text_a), outline(kb, text_b)
    found = [
        (h, _entries_in(ka, h.alo, h.ahi, marks_a), _entries_in(kb, h.blo, h.bhi, marks_b))
        for h in hunks(ka, kb)
    ]
    # The hunks each identity appears in, before and after. Every hunk counts: an entry whose
    # lines changed in two hunks (its title and its author line), or a paper listed twice, is
    # in several, and was moved only when no hunk holds it on both sides.
    old_in: dict[str, set[int]] = {}
    new_in: dict[str, set[int]] = {}
    for n, (_h, before, after) in enumerate(found):
        for f in before:
            for k in f.ids:
                old_in.setdefault(k, set()).add(n)
        for f in after:
            for k in f.ids:
                new_in.setdefault(k, set()).add(n)
    ok: set[int] = set()
    for n, (_h, before, after) in enumerate(found):
        for f in after:
            was = set().union(*(old_in.get(k, ()) for k in f.ids))
            if not was:
                change.added.append(EntryTitle(f.title, f.section))
                ok.add(id(f))
            elif n not in was:
                change.moved.append(EntryTitle(f.title, f.section))
                ok.add(id(f))
        for f in before:
            now = set().union(*(new_in.get(k, ()) for k in f.ids))
            if not now:
                change.removed.append(EntryTitle(f.title, f.section))
                ok.add(id(f))
            elif n not in now:
                ok.add(id(f))
    repairs = _Repairs(ka)
    repaired_lines: set[int] = set()
    for h, before, after in found:
        if _explained(ka, h.alo, h.ahi, before, ok) and _explained(kb, h.blo, h.bhi, after, ok):
            continue
        if repairs.lines(h, kb):
            for f in after:
                if EntryTitle(f.title, f.section) not in change.repaired:
                    change.repaired.append(EntryTitle(f.title, f.section))
            covered = {i for f in after for i in range(f.start, f.end)}
            repaired_lines |= {
                j
                for j in range(h.blo, h.bhi)
                if j not in covered and ka[h.alo + j - h.blo] != kb[j]
            }
            continue
        marks, line = (marks_b, h.blo) if h.bhi > h.blo else (marks_a, h.alo)
        section = " > ".join(marks.path_at(line))
        if section not in change.edited_sections:
            change.edited_sections.append(section)
    change.repaired_other_lines = len(repaired_lines)
    return change


#: Share of an old file's distinct lines a new file must keep to count as that file renamed.
RENAME_SIMILARITY = 0.5


def _similar(old: bytes, new: bytes) -> bool:
    before, after = set(old.splitlines()), set(new.splitlines())
    return len(before & after) >= RENAME_SIMILARITY * max(1, len(before))


def describe_files(
    sides: list[tuple[str, bytes | None, bytes | None]], is_list: Callable[[str], bool]
) -> list[FileChange]:
    """What each file's change means, from (path, old bytes, new bytes); a file deleted and one
    added with the same bytes (or, for lists, most of the same lines) are one file renamed."""
    deleted = {p: old for p, old, new in sides if new is None and old is not None}
    added = [(p, new) for p, old, new in sides if old is None and new is not None]
    source: dict[str, str] = {}  # new path -> the deleted path it was renamed from
    for path, data in added:
        free = [q for q in deleted if q not in source.values()]
        found = next((q for q in free if deleted[q] == data), None)
        if found is None and is_list(path):
            found = next((q for q in free if is_list(q) and _similar(deleted[q], data)), None)
        if found is not None:
            source[path] = found
    out = []
    for path, old, new in sides:
        if old == new or path in source.values():
            continue
        if path in source:
            change = describe_change(path, deleted[source[path]], new, is_list(path))
            change.status, change.old_path = "renamed", source[path]
        else:
            change = describe_change(path, old, new, is_list(path))
        out.append(change)
    return out


def _short(section: str) -> str:
    """A section's last part; "top" for the entries before the first heading (shown in
    parentheses by its caller, so not "(top)" here)."""
    return section.rsplit(" > ", 1)[-1] or "top"


def _names(items: list[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(items))
    if len(unique) > limit:
        return ", ".join(unique[:limit]) + f" and {len(unique) - limit} more"
    return ", ".join(unique)


def _where(path: str, section: str) -> str:
    return f"{path}{SEP}{section}" if section else path


def summarize(change: FileChange) -> str:
    """One line for one file's change."""
    p = change.path
    if change.status == "renamed":
        renamed = f"Rename {change.old_path} to {p}"
        edited = change.added or change.removed or change.moved or change.edited_sections
        if not (edited and change.is_list):
            return renamed
        return f"{renamed}; {summarize(dataclasses.replace(change, status='modified'))}"
    if change.status == "deleted":
        return f"Delete {p}"
    if change.status == "added":
        return f"Add {'list ' if change.is_list else ''}{p}"
    if not change.is_list:
        return f"Update {p}"
    if change.only_added:
        if len(change.added) == 1:
            return f'Add "{change.added[0].title}" to {_where(p, change.added[0].section)}'
        if not any(x.section for x in change.added):  # all above the first heading
            return f"Add {len(change.added)} papers to {p}"
        sections = _names([_short(x.section) for x in change.added])
        return f"Add {len(change.added)} papers to {p} ({sections})"
    if change.removed and not (change.added or change.moved or change.edited_sections):
        if len(change.removed) == 1:
            return f'Remove "{change.removed[0].title}" from {_where(p, change.removed[0].section)}'
        return f"Remove {len(change.removed)} papers from {p}"
    if len(change.moved) == 1 and not (
        change.added or change.removed or change.edited_sections or change.is_repair
    ):
        return f'Move "{change.moved[0].title}" to {_where(p, change.moved[0].section)}'
    if change.only_repaired:
        return f"Repair mojibake in {_repaired_count(change)} of {p}"
    return f"Edit {p}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _repaired_count(change: FileChange) -> str:
    """ "4 entries", "4 entries and 2 other lines", "2 lines": what a repair touched."""
    entries, others = len(change.repaired), change.repaired_other_lines
    if not entries:
        return _plural(others, "line", "lines")
    counted = _plural(entries, "entry", "entries")
    return counted + (f" and {_plural(others, 'other line', 'other lines')}" if others else "")


def details(change: FileChange) -> list[str]:
    """Body lines for one file's change: papers added, removed, moved, repaired; sections edited."""
    out = [f'Added "{x.title}" to {_where(change.path, x.section)}' for x in change.added]
    out += [f'Removed "{x.title}" from {_where(change.path, x.section)}' for x in change.removed]
    out += [f'Moved "{x.title}" to {_where(change.path, x.section)}' for x in change.moved]
    out += [
        f'Repaired mojibake in "{x.title}" ({_where(change.path, x.section)})'
        for x in change.repaired
    ]
    if change.repaired_other_lines:
        lines = _plural(change.repaired_other_lines, "line", "lines")
        out.append(f"Repaired mojibake in {lines} of {change.path} outside paper entries")
    if change.edited_sections:
        names = ", ".join(s or "(top)" for s in change.edited_sections)
        out.append(f"Edited {change.path}: {names}")
    return out


def _subject(changes: list[FileChange]) -> str:
    lists = [c for c in changes if c.is_list]
    others = [c for c in changes if not c.is_list]
    if lists and others:  # say what happened to the lists; name the other files after it
        head = _subject(lists)
        tail = "; update " + _names([c.path for c in others], 2)
        return head + tail if len(head + tail) <= 100 else f"{head} (and {len(others)} more files)"
    if len(changes) == 1:
        return summarize(changes[0])
    if all(c.only_added for c in changes):
        total = sum(len(c.added) for c in changes)
        return f"Add {total} papers to {_names([c.path for c in changes])}"
    joined = "; ".join(summarize(c) for c in changes)
    if len(joined) <= 72:
        return joined
    return f"Update {len(changes)} files ({_names([c.path for c in changes])})"


def _shown(change: FileChange) -> FileChange:
    """`change` with its names as a message shows them: a file name's newlines, bidi controls
    and bytes that are not UTF-8 escaped; titles and sections as a reader sees them."""

    def plain(papers: list[EntryTitle]) -> list[EntryTitle]:
        return [EntryTitle(shown_text(p.title), shown_text(p.section)) for p in papers]

    return dataclasses.replace(
        change,
        path=shown_path(change.path),
        old_path=shown_path(change.old_path) if change.old_path is not None else None,
        added=plain(change.added),
        removed=plain(change.removed),
        moved=plain(change.moved),
        edited_sections=[shown_text(s) for s in change.edited_sections],
    )


def build_message(changes: list[FileChange], template: str | None = None) -> str:
    """The commit message: a subject (through `template`) and, when useful, a body of details."""
    if not changes:
        return "Update lists"
    changes = [_shown(c) for c in changes]
    summary = _subject(changes)
    values = {
        "summary": summary,
        "files": ", ".join(c.path for c in changes),
        "papers": str(sum(len(c.added) for c in changes)),
        "added": str(sum(len(c.added) for c in changes)),
        "removed": str(sum(len(c.removed) for c in changes)),
    }
    subject = render_template(template or DEFAULT_TEMPLATE, values) or summary
    body = [line for c in changes for line in details(c)]
    if len(changes) == 1 and len(body) == 1 and summary.startswith(("Add ", "Remove ", "Move ")):
        body = []  # the subject already says it all
    if len(body) > MAX_BODY_LINES:  # a regenerated list: git log, not the message, has it all
        body = body[: MAX_BODY_LINES - 1] + [f"… and {len(body) - MAX_BODY_LINES + 1} more"]
    return subject + ("\n\n" + "\n".join(body) if body else "")


def check_template(template: str) -> str | None:
    """Why a message template cannot be used (unknown placeholder, bad braces), or None."""
    try:
        names = [
            name
            for _text, name, _spec, _conv in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError as exc:
        return f"sync.message_template: {exc}"
    unknown = [n for n in names if n not in TEMPLATE_FIELDS]
    if unknown:
        return f"sync.message_template: unknown placeholder {{{unknown[0]}}} (known: {', '.join(TEMPLATE_FIELDS)})"
    return None


def render_template(template: str, values: dict[str, str]) -> str:
    """The subject from `template`; a broken template falls back to the summary (logged)."""
    problem = check_template(template)
    if problem:
        log.warning("%s; using the default message", problem)
        return values["summary"]
    return (
        template.format(**values).strip().splitlines()[0] if template.strip() else values["summary"]
    )
