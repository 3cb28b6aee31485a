"""Headings written in HTML (`<h2 align="center">Papers</h2>`), found inside one HTML block.

Centred READMEs title their sections with heading elements instead of `##`. The scanner hands
each HTML block (CommonMark types 6 and 7) whose text holds `<h1>`-`<h6>` to `html_headings`,
which reads the block's tags in order:

- a heading element counts unless it sits in a comment or inside an element that is not a
  section container (`<details>`, `<summary>`, a table, a list, a quote, code...): a summary is
  a fold's label, a heading in a table cell is a column header;
- its title is its text content, tags left out (`<br>` is a space), entities still encoded
  (the document decodes them after reading a cp1252/Latin-1 list's bytes as that encoding);
  the `alt` text of its images when it has no text (`<h1><img alt="Logo"></h1>`);
- at most one heading starts on a line (sections are line ranges): a heading element that
  starts on the line where another began is not one.

Only the block is read: what is open before it (a `<details>` in an earlier block) does not
count, so every block is decided from its own lines, as the incremental re-scan requires.
"""

from __future__ import annotations

import re

#: The cheap test an HTML block must pass before its tags are read.
HEADING_TAG = re.compile(r"<[hH][1-6]")

# One token: a comment (to the block's end when unclosed), what HTML reads as one (`<?php ...>`,
# `<!DOCTYPE ...>`: up to the next `>`), or a start or end tag. A quoted attribute value may
# hold `>` but not `<`, so a stray quote cannot make one attempt read the rest of the block
# again and again.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<[!?][^>]*>?"
    r"""|<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>""",
    re.DOTALL,
)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)

#: Elements whose content is no section heading: folds, tables, lists, quotes, code, forms.
_NOT_SECTIONS = frozenset(
    [
        "details",
        "summary",
        "table",
        "ul",
        "ol",
        "dl",
        "menu",
        "blockquote",
        "pre",
        "code",
        "textarea",
        "template",
        "svg",
        "math",
        "button",
        "select",
        "noscript",
    ]
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
#: Elements whose content is text, never tags (HTML's raw text elements): their end tags.
_RAW_TEXT = {name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in ("script", "style")}

# A heading found in a block: (level, title with entities encoded, the line its start tag is
# on, counted from the block's first line).
BlockHeading = tuple[int, str, int]


def html_headings(text: str) -> list[BlockHeading]:
    """The heading elements of one HTML block's text, in order (see the module docstring)."""
    found: list[BlockHeading] = []
    inside = 0  # depth of open elements that hold no sections
    heading: tuple[int, int, list[str], list[str]] | None = None  # level, line, text, alt texts
    pos = 0
    counted = line = 0  # newlines before offset `counted`: counted on, never from the start
    while True:
        m = _TOKEN.search(text, pos)
        if heading is not None:
            heading[2].append(text[pos : m.start() if m else len(text)])
        if m is None:
            break
        pos = m.end()
        name = m.group(2)
        if name is None:
            continue  # a comment
        name = name.lower()
        closing = m.group(1) == "/"
        void = m.group(3).rstrip().endswith("/")
        if name in _RAW_TEXT and not closing and not void:
            # Script and style hold text, never tags: go on at their end tag.
            end = _RAW_TEXT[name].search(text, pos)
            pos = end.start() if end else len(text)
        elif name in _HEADINGS:
            if heading is not None:
                # An end tag of any level ends it; so does another heading's start (HTML).
                found.append(_found(heading))
                heading = None
            if closing or void or inside:
                continue
            line += text.count("\n", counted, m.start())
            counted = m.start()
            if not found or found[-1][2] != line:  # a second heading on a line is not one
                heading = (int(name[1]), line, [], [])
        elif name in _NOT_SECTIONS:
            if closing:
                inside = max(inside - 1, 0)
            elif not void:
                inside += 1
        elif heading is not None:
            if name == "br":
                heading[2].append(" ")
            elif name == "img" and not closing:
                alt = _ALT.search(m.group(3))
                if alt is not None:
                    heading[3].append(next(g for g in alt.groups() if g is not None))
    if heading is not None:
        found.append(_found(heading))
    return found


def _found(heading: tuple[int, int, list[str], list[str]]) -> BlockHeading:
    """(level, title, line) of a heading read to its end."""
    level, line, parts, alts = heading
    return level, _title(parts, alts), line


def _title(parts: list[str], alts: list[str]) -> str:
    """A heading's text content, whitespace folded; its images' alt text when it has none."""
    title = " ".join("".join(parts).split())
    return title or " ".join(" ".join(alts).split())
