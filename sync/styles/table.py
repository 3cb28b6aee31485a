"""Markdown table rows: columns matched by header name, cells written like the table's own."""

from __future__ import annotations

import bisect
import re
from itertools import accumulate
from typing import Any

from ..listmodel.lines import strip_ending
from .text import LINK_RE, clean_title, escape_text, parse_date

#: A table's delimiter row (`|---|:--:|`), the line without its ending.
_SEPARATOR = r"[ \t]*\|?[ \t]*:?-{2,}[-:| \t]*"
_SEPARATOR_RE = re.compile(_SEPARATOR)
#: The same over a whole text; starts with a literal newline so the regex engine skips quickly
#: to line starts.
_SEPARATOR_LINE_RE = re.compile(r"\n" + _SEPARATOR + r"(?=\r?\n|$)")
_SPLIT_RE = re.compile(r"(?<!\\)\|")
#: Header words, in priority order, that say which Paper field a column holds.
ROLES = (
    ("date", ("date", "year", "time", "published", "month")),
    ("authors", ("author",)),
    ("venue", ("venue", "publication", "conference", "journal", "where")),
    ("code", ("code", "github", "repo", "implementation")),
    ("tags", ("keyword", "tag", "topic", "categor")),
    ("title", ("title", "paper", "name")),
    ("link", ("link", "pdf", "url", "arxiv")),
)


def role_of(header: str) -> str | None:
    """The Paper field a column holds, from its header text; None for columns we leave empty."""
    name = clean_title(header).lower()
    for role, words in ROLES:
        if any(w in name for w in words):
            return role
    return None


def split_row(line: str) -> tuple[list[str], bool, bool]:
    """Raw cells of a row (padding kept) and whether it has leading and trailing pipes."""
    text = line.rstrip("\r\n")
    stripped = text.strip()
    lead, trail = stripped.startswith("|"), stripped.endswith("|") and len(stripped) > 1
    inner = stripped[1 if lead else 0 : len(stripped) - 1 if trail else len(stripped)]
    return _SPLIT_RE.split(inner), lead, trail


def _placeholder(cell: str) -> bool:
    """A cell that stands for "nothing": empty, `-`, `—`, `N/A`..."""
    return not any(ch.isalnum() for ch in cell) or cell.lower() in ("n/a", "na", "none", "tbd")


def header_of(doc: Any, entry: Any) -> list[str] | None:
    """The header cells of the table a row belongs to: the nearest `|---|` line above it."""
    from .entries import doc_cache

    cache = doc_cache(doc)
    if "separators" not in cache:
        # One C-level regex pass over the joined text per document, not a Python loop per line.
        ends = list(accumulate(map(len, doc.lines)))
        found = _SEPARATOR_LINE_RE.finditer("".join(doc.lines))
        seps = [bisect.bisect_right(ends, m.start()) + 1 for m in found]
        cache["separators"] = [i for i in seps if i and "|" in doc.lines[i - 1]]
    seps = cache["separators"]
    k = bisect.bisect_left(seps, entry.start) - 1
    if k < 0:
        return None
    return [c.strip() for c in split_row(doc.lines[seps[k] - 1])[0]]


def carry_separators(old: Any, new: Any, at_line: int, count: int) -> None:
    """Give `new` (`old` with `count` lines put in at `at_line`) the table heads `old` found.

    Heads below move down; the new lines, and the old line just after them (its line above
    changed), are checked one by one. Exact, so it is carried on lists of any length.
    """
    from .entries import doc_cache

    seps = doc_cache(old).get("separators")
    if seps is None:
        return
    lines = new.lines
    redo = range(max(at_line, 1), min(at_line + count + 1, len(lines)))
    moved = [s + count if s >= at_line else s for s in seps]
    found = [
        i for i in redo if _SEPARATOR_RE.fullmatch(strip_ending(lines[i])) and "|" in lines[i - 1]
    ]
    doc_cache(new)["separators"] = sorted({*(s for s in moved if s not in redo), *found})


def extract_row(text: str, header: list[str]) -> Any:
    """Fields of one table row, columns read by their header's role."""
    from .fields import EntryFields, _arxiv_of, _identities

    cells, lead, trail = split_row(text)
    layout: dict[str, Any] = {
        "pipes": (lead, trail),
        "cells": tuple(cells),
        "header": tuple(header),
    }
    values: dict[str, Any] = {"links": []}
    urls: list[str] = []
    filled = []
    for i, raw in enumerate(cells):
        role = role_of(header[i]) if i < len(header) else None
        cell = raw.strip()
        links = [(m.group(1), m.group(2)) for m in LINK_RE.finditer(cell)]
        urls += [u for _, u in links]
        before = len(values) + len(layout)
        filled.append(False)
        if _placeholder(cell) and role != "title":
            continue  # `-`, `N/A` or nothing: the column has no value for this paper
        if role == "title":
            m = LINK_RE.fullmatch(cell)
            title_raw = m.group(1) if m else cell.strip("*")
            values["title_raw"] = title_raw
            values["title_shape"] = "link" if m else ("bold" if cell.startswith("**") else "plain")
            if m:
                values["url"] = m.group(2)
        elif role == "date":
            d = parse_date(cell)
            if d:
                values["date"] = d.iso
                layout["date"] = d
        elif role == "authors" and cell:
            values["authors"] = tuple(a.strip() for a in re.split(r",\s*|;\s*", cell) if a.strip())
        elif role == "venue" and cell:
            values["venue"] = cell
        elif role == "code" and links:
            values["code"] = links[0][1]
            layout["code_cell"] = cell.replace(links[0][1], "{url}")
        elif role == "tags" and cell:
            values["tags"] = tuple(
                t.strip().strip("`") for t in re.split(r",\s*|`\s+`", cell) if t.strip()
            )
            layout["tags_shape"] = "code" if cell.startswith("`") else "comma"
        elif role == "link" and links:
            values.setdefault("url", links[0][1])
            layout["link_cell"] = cell.replace(links[0][1], "{url}")
        filled[-1] = len(values) + len(layout) > before
    layout["filled"] = tuple(filled)
    layout["title_shape"] = values.get("title_shape")
    url = values.get("url")
    title_raw = values.get("title_raw")
    return EntryFields(
        family="table" if title_raw is not None else "unknown",
        title=clean_title(title_raw) if title_raw else None,
        title_raw=title_raw,
        url=url,
        identities=_identities([u for u in [url, *urls] if u]),
        arxiv_id=_arxiv_of(url),
        date=values.get("date"),
        authors=values.get("authors", ()),
        venue=values.get("venue"),
        tags=values.get("tags", ()),
        code_url=values.get("code"),
        layout=layout,
    )


def render_row(paper: Any, style: Any, url: str | None) -> list[str]:
    """One table row for `paper` in the table's column order and cell padding."""
    d = style.details
    cells = []
    for head in d.get("header", ()):
        role = role_of(head)
        cells.append(_cell(role, paper, style, url))
    pad = d.get("cell_pad", " ")
    empty = d.get("empty_cells") or {}
    lead, trail = d.get("pipes", (True, True))
    widths = d.get("widths") or {}
    out = []
    for i, c in enumerate(cells):
        text = f"{pad}{c}{pad}" if c else empty.get(i, pad + pad)
        if c and i in widths and len(text) < widths[i]:
            text = f"{pad}{c}".ljust(widths[i])  # keep the column aligned
        out.append(text)
    body = "|".join(out)
    return [("|" if lead else "") + body + ("|" if trail else "")]


def _cell(role: str | None, paper: Any, style: Any, url: str | None) -> str:
    d = style.details
    if role == "title":
        title = escape_text(paper.title or "", "cell")
        shape = d.get("title_shape", "link")
        if shape == "link" and url:
            return f"[{escape_text(paper.title or '', 'link').replace('|', chr(92) + '|')}]({url})"
        return f"**{title}**" if shape == "bold" else title
    if role == "date" and paper.published:
        return style.dates.format(paper.published)
    if role == "authors":
        return escape_text(", ".join(paper.authors), "cell")
    if role == "venue" and paper.venue:
        return escape_text(paper.venue, "cell")
    if role == "code" and paper.code_url:
        return d.get("code_cell", "[code]({url})").replace("{url}", paper.code_url)
    if role == "tags" and paper.tags:
        if d.get("tags_shape") == "code":
            return " ".join(f"`{escape_text(t, 'cell')}`" for t in paper.tags)
        return ", ".join(escape_text(t, "cell") for t in paper.tags)
    if role == "link" and url:
        return d.get("link_cell", "[link]({url})").replace("{url}", url)
    return ""
