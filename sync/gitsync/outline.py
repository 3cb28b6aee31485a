"""A fast heading outline of a list's lines, to name the section of a change (pure).

The list model parses everything (entries, blocks); naming the section around a changed line of
a 50,000-entry list needs only the headings, so this pass looks at heading and fence lines only.
It follows the same rules as the list model for ATX and setext headings and fenced code.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*\r?\n?\Z")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*\r?\n?\Z")
_LIST_OR_QUOTE = re.compile(r" {0,3}(?:[-*+>]|\d{1,9}[.)])(?:[ \t]|\r?\n?\Z)")


@dataclass(frozen=True)
class Outline:
    """Headings as (line index, level, title), sorted by line."""

    lines_at: list[int]
    levels: list[int]
    titles: list[str]

    @property
    def has_title(self) -> bool:
        """Whether the first heading is the list's only level-1 heading (its title)."""
        return bool(self.levels) and self.levels[0] == 1 and self.levels.count(1) == 1

    def path_at(self, line: int) -> tuple[str, ...]:
        """The heading path of the section holding line index `line` (() before any heading)."""
        k = bisect.bisect_right(self.lines_at, line) - 1
        path: list[str] = []
        level = 7
        floor = 0 if self.has_title else -1  # a list's title is not part of a section's name
        while k > floor:
            if self.levels[k] < level:
                path.append(self.titles[k])
                level = self.levels[k]
            k -= 1
        return tuple(reversed(path))

    def span_at(self, line: int, n_lines: int) -> tuple[int, int]:
        """The line range [start, stop) of the section (heading to next heading) holding `line`."""
        k = bisect.bisect_right(self.lines_at, line) - 1
        start = self.lines_at[k] if k >= 0 else 0
        stop = self.lines_at[k + 1] if k + 1 < len(self.lines_at) else n_lines
        return start, stop


def outline(lines: list[str]) -> Outline:
    """The headings of `lines` (with endings), skipping fenced code."""
    at: list[int] = []
    levels: list[int] = []
    titles: list[str] = []
    fence: str | None = None
    prev_text = False  # the previous line is paragraph text (a setext heading's candidate)
    for i, line in enumerate(lines):
        first = line.lstrip(" ")[:1]
        if fence is not None:
            if (
                first == fence[0]
                and line.strip().startswith(fence)
                and not line.strip(fence[0] + " \t\r\n")
            ):
                fence = None
            continue
        if first in ("`", "~"):
            match = _FENCE.match(line)
            if match:
                fence = match.group(1)
                prev_text = False
                continue
        if first == "#":
            match = _ATX.match(line)
            if match:
                at.append(i)
                levels.append(len(match.group(1)))
                titles.append((match.group(2) or "").strip())
                prev_text = False
                continue
        if prev_text and first in ("=", "-") and _SETEXT.match(line):
            at.append(i - 1)
            levels.append(1 if first == "=" else 2)
            titles.append(lines[i - 1].strip())
            prev_text = False
            continue
        stripped = line.strip()
        prev_text = bool(stripped) and not _LIST_OR_QUOTE.match(line) and first != "|"
    return Outline(at, levels, titles)
