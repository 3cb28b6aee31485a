"""Where a list's past additions went: on top of their section, at its bottom, or in between.

Pure: it compares consecutive versions of one list file (as a git history gives them) and, for
each paper that a version added, says where it landed among the entries its section already had.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..listmodel import parse_list
from .entries import entry_fields

#: At most this many additions are looked at, newest first: a list's habits change.
RECENT_ADDITIONS = 12


@dataclass(frozen=True)
class AdditionHistory:
    """How many of a list's recent additions went on top, at the bottom, or in between."""

    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """How many additions were seen."""
        return sum(self.counts.values())


def additions_history(
    versions: Iterable[tuple[bytes, bytes]], limit: int = RECENT_ADDITIONS
) -> AdditionHistory:
    """Where the papers added between each (older, newer) pair of versions went, newest pair first."""
    counts: Counter = Counter()
    seen = 0
    for older, newer in versions:
        for where in _placements(older, newer):
            counts[where] += 1
            seen += 1
            if seen >= limit:
                return AdditionHistory(counts)
    return AdditionHistory(counts)


def _placements(older: bytes, newer: bytes) -> list[str]:
    old_doc, new_doc = parse_list(older), parse_list(newer)
    old_ids: set[str] = set()
    for entry in old_doc.entries:
        fields = entry_fields(old_doc, entry)
        if fields.is_paper:
            old_ids.update(fields.identities)
    out = []
    for section in new_doc.sections:
        entries = [(e, entry_fields(new_doc, e)) for e in section.entries]
        papers = [(e, f) for e, f in entries if f.is_paper]
        old = [bool(set(f.identities) & old_ids) for _, f in papers]
        if not any(old) or all(old):
            continue  # a new section, or nothing added here: says nothing of where papers go
        for k, (_entry, _fields) in enumerate(papers):
            if old[k]:
                continue
            before = any(old[:k])
            after = any(old[k + 1 :])
            out.append("middle" if before and after else "bottom" if before else "top")
    return out
