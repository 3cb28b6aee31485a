"""Name the section around a line without parsing the whole list (pure, fast on big lists).

Commit messages and the merge need the heading path and the span of the section around a
change. Parsing a 50,000-entry list takes a good part of a second; scanning from the change up
to the headings above it takes milliseconds. The scan knows ATX and setext headings as the list
model does, but does not track fenced code: a `# comment` line inside a fence could be taken
for a heading. That only changes the wording of a message or the window used to learn a
section's order, never which bytes are written.
"""

from __future__ import annotations

import bisect
import re

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*\Z")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*\Z")
# A newline, then a line that may be an ATX heading or a setext underline. Starting with a
# literal "\n" lets the regex engine jump from line to line instead of trying every character.
_CANDIDATE = re.compile(r"\n {0,3}(?:#|=+[ \t]*(?=\n|\Z)|-+[ \t]*(?=\n|\Z))")
_NOT_PARAGRAPH = re.compile(r" {0,3}(?:[-*+>|#]|\d{1,9}[.)])(?:[ \t]|\Z)|[ \t]*\Z")


class Outline:
    """Headings of a list, found on demand from its lines (without line endings)."""

    def __init__(self, keys: list[str], text: str | None = None) -> None:
        self.keys = keys
        self._text = text  # "\n".join(keys), when the caller has it already
        self._has_title: bool | None = None
        self._paths: dict[int, tuple[str, ...]] = {}
        self._heads: list[int] | None = None

    @property
    def heads(self) -> list[int]:
        """Line indexes of every heading (first line), in order; found once, at C speed."""
        if self._heads is None:
            text = self._text if self._text is not None else "\n".join(self.keys)
            heads: list[int] = [0] if self.keys and self.heading(0) else []
            line = pos = 0
            for match in _CANDIDATE.finditer(text):
                line += text.count("\n", pos, match.start()) + 1
                pos = match.start() + 1
                if self.keys[line].lstrip(" ")[:1] == "#":
                    if self.heading(line):
                        heads.append(line)
                elif self.heading(line - 1) and (not heads or heads[-1] != line - 1):
                    heads.append(line - 1)  # a setext underline: the heading is the line above
            self._heads = heads
        return self._heads

    def heading(self, i: int) -> tuple[int, str] | None:
        """(level, title) when line `i` is a heading's (first) line."""
        key = self.keys[i]
        first = key.lstrip(" ")[:1]
        if first == "#":
            match = _ATX.match(key)
            if match:
                return len(match.group(1)), (match.group(2) or "").strip()
            return None
        if i + 1 < len(self.keys) and first and not _NOT_PARAGRAPH.match(key):
            below = self.keys[i + 1]
            if below.lstrip(" ")[:1] in ("=", "-") and _SETEXT.match(below):
                return (1 if below.strip()[0] == "=" else 2), key.strip()
        return None

    @property
    def has_title(self) -> bool:
        """Whether the list has exactly one level-1 heading, first of all: its title."""
        if self._has_title is None:
            levels = [h[0] for i in self.heads if (h := self.heading(i)) is not None]
            self._has_title = bool(levels) and levels[0] == 1 and levels.count(1) == 1
        return self._has_title

    def head_of(self, line: int) -> int:
        """The line of the heading of the section holding `line` (0 before any heading)."""
        k = bisect.bisect_right(self.heads, line) - 1
        return self.heads[k] if k >= 0 else 0

    def path_at(self, line: int) -> tuple[str, ...]:
        """The heading path of the section holding line `line` (the list's title left out)."""
        first = bisect.bisect_right(self.heads, line) - 1
        if first < 0:
            return ()
        if first not in self._paths:
            path: list[str] = []
            level = 7
            for k in range(first, -1, -1):
                found = self.heading(self.heads[k])
                if found is not None and found[0] < level:
                    level = found[0]
                    if not (level == 1 and self.has_title):
                        path.append(found[1])
                    if level == 1:
                        break
            self._paths[first] = tuple(reversed(path))
        return self._paths[first]

    def span_at(self, line: int) -> tuple[int, int]:
        """[start, stop) of the section holding `line`: its heading line to the next heading."""
        k = bisect.bisect_right(self.heads, line) - 1
        start = self.heads[k] if k >= 0 else 0
        stop = self.heads[k + 1] if k + 1 < len(self.heads) else len(self.keys)
        return start, stop


def outline(keys: list[str], text: str | None = None) -> Outline:
    """The outline of a list given as lines without endings (and, if at hand, joined by "\\n")."""
    return Outline(keys, text)
