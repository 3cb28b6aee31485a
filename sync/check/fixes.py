"""The safe fixes of `papershelf check --fix`: a pure byte transform, written through papershelf.sync.edit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..edit import edit_list, list_target
from ..errors import ListChanged
from ..listmodel import ListDocument, parse_list
from ..listmodel.lines import decode, encode, split_bom, split_lines
from .findings import FIXABLE_CODES, Finding
from .rules import check_document

if TYPE_CHECKING:
    from ..workspace import Workspace

log = logging.getLogger(__name__)


def _line_fixes(findings: list[Finding]) -> dict[int, tuple[str, str]]:
    """0-based line -> (expected text, replacement) of the safe findings."""
    out: dict[int, tuple[str, str]] = {}
    for finding in findings:
        if not finding.fixable or finding.code not in FIXABLE_CODES:
            continue
        before, after = finding.context.get("before"), finding.context.get("after")
        if isinstance(before, str) and isinstance(after, str) and before != after:
            out[finding.line - 1] = (before, after)
    return out


def apply_fixes(data: bytes, findings: list[Finding]) -> bytes:
    """`data` with the safe findings' lines replaced; a line that no longer matches is left."""
    fixes = _line_fixes(findings)
    if not fixes:
        return data
    bom, rest = split_bom(data)
    lines = split_lines(decode(rest))
    changed = False
    for i, (before, after) in fixes.items():
        if 0 <= i < len(lines) and lines[i] == before:
            lines[i] = after
            changed = True
        else:
            log.info("line %d changed since it was checked; not fixing it", i + 1)
    return bom + encode("".join(lines)) if changed else data


def verify_fixes(old: ListDocument, new: ListDocument, fixed_lines: set[int]) -> None:
    """Raise ListChanged unless only `fixed_lines` (0-based) differ and the structure is the same."""
    if len(old.lines) != len(new.lines):
        raise ListChanged("a fix changed the number of lines; nothing was written.")
    for i, (a, b) in enumerate(zip(old.lines, new.lines, strict=True)):
        if a != b and i not in fixed_lines:
            raise ListChanged(
                f"a fix changed line {i + 1}, which it did not mean to; nothing was written."
            )
        if a != b and a[len(a.rstrip("\r\n")) :] != b[len(b.rstrip("\r\n")) :]:
            raise ListChanged(
                f"a fix changed the line ending of line {i + 1}; nothing was written."
            )
    shape = [(e.start, e.end, e.kind, e.section) for e in old.entries]
    if shape != [(e.start, e.end, e.kind, e.section) for e in new.entries]:
        raise ListChanged("a fix changed the list's entries; nothing was written.")
    if [(h.line, h.level) for h in old.headings] != [(h.line, h.level) for h in new.headings]:
        raise ListChanged("a fix changed the list's headings; nothing was written.")


@dataclass(frozen=True)
class FixResult:
    """What `fix_file` did to one list: the findings it fixed."""

    list_path: str
    fixed: list[Finding]
    written: bool


def fix_file(workspace: Workspace, list_path: str) -> FixResult:
    """Apply the safe fixes to one list of `workspace`, verified, through the one list edit
    (`papershelf.sync.edit`: the same checks and the same careful write as a clip)."""
    target = list_target(workspace, list_path)

    def transform(data: bytes) -> tuple[bytes | None, FixResult]:
        old = parse_list(data)
        safe = [f for f in check_document(target.rel, old) if f.fixable]
        new_data = apply_fixes(data, safe)
        if new_data == data:
            return None, FixResult(target.rel, [], False)
        new = parse_list(new_data)
        verify_fixes(old, new, {f.line - 1 for f in safe})
        changed = {i for i, (a, b) in enumerate(zip(old.lines, new.lines, strict=True)) if a != b}
        return new_data, FixResult(target.rel, [f for f in safe if f.line - 1 in changed], True)

    result = edit_list(target, transform)
    if result.written:
        log.info("%s: fixed %d finding(s)", target.rel, len(result.fixed))
    return result
