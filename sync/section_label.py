"""How a section is named to people: its heading path without the list's title (pure).

A section's address is its whole heading path (`Awesome llm training > Scaling > Other`): it is
what the API and `--section` take. People read the path below the list's title instead
(`Scaling > Other`): the title is the list's name, which is said next to it already, and a
last heading alone (`Other`) is ambiguous in a list with seven sections called "Other". Commit
messages name sections the same way (sync/gitsync/outline.py: `Outline.path_at`).
"""

from __future__ import annotations

from collections.abc import Iterable

from .listmodel.lines import decode, split_bom

SEP = " > "


def title_heading(headings: Iterable[tuple[int, str]]) -> str | None:
    """The list's title: its one level-1 heading, when it comes first of all; else None."""
    levels_titles = list(headings)
    levels = [level for level, _title in levels_titles]
    if levels and levels[0] == 1 and levels.count(1) == 1:
        return levels_titles[0][1]
    return None


def document_title(doc: object) -> str | None:
    """The title heading of a parsed `ListDocument`, if it has one."""
    return title_heading((h.level, h.title) for h in getattr(doc, "headings", ()))


def bytes_title(data: bytes) -> str | None:
    """The title heading of a list given as bytes, found by scanning headings only (fast)."""
    from .gitsync.outline import outline

    text = decode(split_bom(data)[1]).replace("\r\n", "\n")
    marks = outline(text.split("\n"), text)
    return title_heading(found for i in marks.heads if (found := marks.heading(i)) is not None)


def section_label(address: str, title: str | None) -> str:
    """`address` without the list's title: "Scaling > Other"; the title section itself keeps it."""
    if title is None or not address:
        return address
    head, sep, rest = address.partition(SEP)
    if head.strip() == title.strip() and sep:
        return rest
    return address


def place(list_path: str, address: str, title: str | None, line: int | None = None) -> str:
    """ "plaza.md › Scaling > Other (line 286)": where an entry is, as people read it."""
    label = section_label(address, title)
    where = f"{list_path} › {label}" if label else list_path
    return f"{where} (line {line})" if line else where
