"""`papershelf check`: lint findings over lists and a workspace, and the safe fixes.

Pure core: `check_document(list_path, doc)`, `check_workspace(workspace, paths)` (which only reads)
and `apply_fixes(data, findings)`. `fix_file` is the one shell that writes, through papershelf.sync.edit.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..atomic import is_regular_file, read_regular
from ..errors import WorkspaceError
from ..listmodel import ListDocument, parse_list
from .findings import CODES, ERROR, FIXABLE_CODES, INFO, WARNING, Finding, sort_key
from .fixes import FixResult, apply_fixes, fix_file, verify_fixes
from .mojibake import document_repairs, fix_mojibake
from .rules import CONSTANT_SLOT_SHARE, check_document, cross_list_duplicates

if TYPE_CHECKING:
    from ..workspace import Workspace

log = logging.getLogger(__name__)

__all__ = [
    "CODES",
    "CONSTANT_SLOT_SHARE",
    "ERROR",
    "FIXABLE_CODES",
    "INFO",
    "WARNING",
    "Finding",
    "FixResult",
    "apply_fixes",
    "check_document",
    "check_workspace",
    "cross_list_duplicates",
    "document_repairs",
    "fix_file",
    "fix_mojibake",
    "read_documents",
    "verify_fixes",
]


def read_documents(workspace: Workspace, paths: list[str] | None = None) -> dict[str, ListDocument]:
    """Parse the workspace's lists plus any extra `paths` (workspace-relative), by list path."""
    docs: dict[str, ListDocument] = {}
    given = set(paths or ())
    for list_path in sorted({*workspace.list_paths(), *given}):
        path = workspace.root / list_path
        if list_path not in given and not is_regular_file(path):
            # A FIFO named like a list: reading it would wait for ever (the index leaves it out).
            log.warning("%s is not a regular file; left out", list_path)
            continue
        try:
            docs[list_path] = parse_list(read_regular(path))
        except OSError as exc:
            raise WorkspaceError(f"Cannot read {list_path}: {exc.strerror}.") from None
    return docs


def check_workspace(
    workspace: Workspace,
    paths: list[str] | None = None,
    *,
    docs: dict[str, ListDocument] | None = None,
) -> list[Finding]:
    """Findings of the given lists (default: all), cross-list duplicates against every list."""
    docs = docs if docs is not None else read_documents(workspace, paths)
    chosen = sorted(paths) if paths is not None else sorted(docs)
    findings: list[Finding] = []
    for list_path in chosen:
        findings.extend(check_document(list_path, docs[list_path]))
    findings.extend(cross_list_duplicates(docs, set(chosen) if paths is not None else None))
    return sorted(findings, key=sort_key)
