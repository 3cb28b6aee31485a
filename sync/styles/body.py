"""Comma-separated head segments and indented author/link sub-lines (the `bold_arxiv` shape)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ..identity import parse_arxiv_id
from .text import LINK_RE, parse_date, split_top, unescape

_FAST_FORM_RE = re.compile(
    r"(https?)://((?:www\.|export\.)?arxiv\.org)/(abs|pdf|html)/\d{4}\.\d{4,5}(v\d+)?(\.pdf)?"
)
_CODE_SPAN_RE = re.compile(r"`([^`]*)`")
_PART_RE = re.compile(
    r"[ \t]*(?P<sep>[^\s(\[*]+)[ \t]+\((?P<link>" + LINK_RE.pattern + r")"
    r"(?P<owner>[ \t]+-[ \t]+[^()]*?)?\)(?P<badge>[ \t]*!\[[^\]]*\]\([^()\s]*\))?"
)
_AUTHORS_RE = re.compile(r"(?P<w>\*|_)(?P<names>(?:\\.|[^*_\\])+)(?P=w)")
_ARXIV_PATH_RE = re.compile(
    r"^/(?P<kind>abs|pdf|html)/(?P<id>(?:[A-Za-z-]+(?:\.[A-Za-z-]+)?/)?[^/]+?)"
    r"(?P<suffix>\.pdf)?(?P<rest>[#?].*|/)?$"
)


@lru_cache(maxsize=65536)
def arxiv_form(url: str) -> tuple[str, str, str, bool, str] | None:
    """The shape of an arXiv link: scheme, host, abs/pdf/html, versioned?, `.pdf` suffix."""
    fast = _FAST_FORM_RE.fullmatch(url)
    if fast:
        # The common shapes, read without urlsplit: lists hold thousands of these links.
        return (
            fast.group(1),
            fast.group(2),
            fast.group(3),
            bool(fast.group(4)),
            fast.group(5) or "",
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.hostname or not parts.hostname.endswith("arxiv.org"):
        return None
    m = _ARXIV_PATH_RE.match(parts.path + (f"?{parts.query}" if parts.query else ""))
    if not m or parse_arxiv_id(m.group("id")) is None:
        return None
    versioned = parse_arxiv_id(m.group("id")).version is not None
    return (parts.scheme, parts.netloc, m.group("kind"), versioned, m.group("suffix") or "")


def arxiv_url(form: tuple[str, str, str, bool, str], arxiv_id: str) -> str:
    """An arXiv link in a learned shape; the version only where the list writes one and we know it."""
    scheme, host, kind, versioned, suffix = form
    parsed = parse_arxiv_id(arxiv_id)
    ident = str(parsed) if parsed and versioned else (parsed.base if parsed else arxiv_id)
    return f"{scheme}://{host}/{kind}/{ident}{suffix}"


def github_repo(url: str) -> tuple[str, str] | None:
    """(owner, repo) of a GitHub repository link."""
    if "github.com" not in url.lower():
        return None  # the common case, decided without parsing the URL
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (parts.hostname or "").lower() not in ("github.com", "www.github.com"):
        return None
    path = [p for p in parts.path.split("/") if p]
    return (path[0], path[1]) if len(path) >= 2 else None


def parse_segments(tail: str, layout: dict[str, Any]) -> dict[str, Any] | None:
    """`, `arXiv, id`, [arxiv](abs), [pdf](pdf), cication: ...` after a bold title."""
    m = re.match(r"^([,.;:][ \t]*)", tail)
    out: dict[str, Any] = {"links": [], "extras": []}
    if not tail:
        layout["segments"] = ()
        return out
    if m is None:
        return None
    sep = m.group(1)
    layout["seg_sep"] = sep
    kinds: list[tuple] = []
    for i, seg in enumerate(split_top(tail[len(sep) :], sep)):
        code = _CODE_SPAN_RE.fullmatch(seg)
        link = LINK_RE.fullmatch(seg)
        if code:
            label, _, value = code.group(1).partition(", ")
            date = parse_date(value) if value else None
            if label.strip().lower() == "arxiv" and parse_arxiv_id(value):
                out["arxiv_id"] = value.strip()
                kinds.append(("code_slot", "arxiv"))
            elif date is not None:
                out["venue"], out["date"] = label.strip(), date.iso
                kinds.append(("code_slot", "venue"))
            else:
                return None
        elif link:
            label, url = unescape(link.group(1)), link.group(2)
            form = arxiv_form(url)
            if form is not None:
                out.setdefault("url", url)
                out["links_arxiv"] = out.get("links_arxiv", 0) + 1
                kinds.append(("arxiv", link.group(1), form))
            else:
                out["links"].append((label, url))
                kinds.append(("link", link.group(1)))
        else:
            out["extras"].append((f"slot{i}", seg))
            kinds.append(("extra", f"slot{i}", seg))
    if out.get("url"):
        parsed = parse_arxiv_id(out["url"])
        out.setdefault("arxiv_id", str(parsed) if parsed else None)
        if parsed and out["arxiv_id"] and parse_arxiv_id(out["arxiv_id"]).version is None:
            out["arxiv_id"] = str(parsed)  # the link's version is the more precise id
    layout["segments"] = tuple(kinds)
    return out


def parse_sublines(lines: list[str], layout: dict[str, Any]) -> dict[str, Any] | None:
    """Blank-separated, indented `*Authors* · ([label](url))` lines under an item; else None."""
    gaps: list[int] = []
    blank = 0
    out: dict[str, Any] = {"links": []}
    sublines: list[tuple] = []
    for i, line in enumerate(lines):
        if not line.strip():
            blank += 1
            continue
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if not indent:
            return None
        if sublines:
            # Lines after the first author/link line were added later by hand or by a tool:
            # they are the entry's note, kept exactly as written.
            layout["note_indent"] = ""
            out["note"] = "\n".join(lines[i - blank :])
            out["note_links"] = [m.group(2) for m in LINK_RE.finditer(out["note"])]
            break
        parsed = _parse_subline(line[len(indent) :], out, layout)
        if parsed is None:
            return None
        gaps.append(blank)
        sublines.append((indent, *parsed))
        blank = 0
    if not sublines or (blank and "note" not in out):
        return None
    layout["sub_gaps"] = tuple(gaps)
    layout["sub_indent"] = sublines[0][0]
    layout["sub_shape"] = tuple(s[1:] for s in sublines)
    return out


def _parse_subline(text: str, out: dict[str, Any], layout: dict[str, Any]) -> tuple | None:
    pos = 0
    has_authors = False
    m = _AUTHORS_RE.match(text)
    if m:
        if "authors" in out:
            return None
        names = tuple(n.strip() for n in m.group("names").split(", "))
        out["authors"] = names
        layout["author_wrap"] = m.group("w")
        pos = m.end()
        has_authors = True
    parts = []
    while pos < len(text):
        p = _PART_RE.match(text, pos)
        if p is None:
            if text[pos:].strip():
                return None
            layout["sub_trail"] = text[pos:]
            break
        layout["part_sep"] = p.group("sep")
        link = LINK_RE.fullmatch(p.group("link"))
        if link is None:
            return None
        label, url = unescape(link.group(1)), link.group(2)
        if p.group("owner") or p.group("badge"):
            repo = github_repo(url)
            if repo is not None and "code" in out:
                out["links"].append(("code", url))  # a second repository, written the same way
                parts.append("link")
            elif repo is not None:
                out["code"] = url
                layout["code_template"] = _code_template(text[p.end("sep") : p.end()], url, repo)
                layout["code_first"] = not out["links"]
                parts.append("code")
            else:
                return None
        else:
            out["links"].append((label, url))
            parts.append("link")
        pos = p.end()
    return (has_authors, tuple(parts))


def _code_template(text: str, url: str, repo: tuple[str, str]) -> str:
    """A code link with its URL, owner and repo replaced by placeholders, learned once per list."""
    owner, name = repo
    body = text.lstrip(" \t")
    body = body.replace("{", "{{").replace("}", "}}")
    body = body.replace(url, "\0url\0").replace(f"{owner}/{name}", "\0owner\0/\0repo\0")
    body = body.replace(f"[{name}]", "[\0repo\0]").replace(f" - {owner})", " - \0owner\0)")
    return (
        body.replace("\0url\0", "{url}")
        .replace("\0owner\0", "{owner}")
        .replace("\0repo\0", "{repo}")
    )
