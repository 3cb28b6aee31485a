"""What `papershelf check` reports: a Finding, and the codes it can carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Severity of a finding; `info` findings are reported but never make `check` fail.
ERROR, WARNING, INFO = "error", "warning", "info"

#: Every check code and what it means (docs/check.md says more).
CODES: dict[str, str] = {
    "duplicate": "the same paper (identity) is listed twice in one list",
    "duplicate-across": "the same paper is listed in two lists",
    "mojibake": "UTF-8 text that was once decoded with the wrong encoding (fixable)",
    "stray-byte": "a byte that is not UTF-8 in a UTF-8 list (a pasted Word apostrophe)",
    "empty-link": "a link with no target: [text]() or [text](None)",
    "broken-link": "a link target that cannot work: misspelt scheme, spaces, an arXiv link without an id",
    "orphan-line": "indented continuation text that belongs to no entry",
    "duplicate-heading": "the same heading path twice: the sections cannot be told apart",
    "off-style": "a paper entry written in another style than the rest of its section",
}

#: Codes whose fix is safe: it changes only the characters the finding names.
FIXABLE_CODES = frozenset({"mojibake"})


@dataclass(frozen=True)
class Finding:
    """One problem at one line (1-based) of one list, with the context needed to act on it."""

    code: str
    list: str
    line: int
    message: str
    fixable: bool = False
    severity: str = WARNING
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: code, list, line, severity, message, fixable, context."""
        return {
            "code": self.code,
            "list": self.list,
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
            "fixable": self.fixable,
            "context": dict(self.context),
        }

    def format(self) -> str:
        """One human line: `list:line: code: message`."""
        fix = " [fixable]" if self.fixable else ""
        level = f" ({self.severity})" if self.severity != WARNING else ""
        return f"{self.list}:{self.line}: {self.code}{level}: {self.message}{fix}"


def sort_key(finding: Finding) -> tuple[str, int, str]:
    """Findings in file order: list, line, code."""
    return (finding.list, finding.line, finding.code)
