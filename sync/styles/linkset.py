"""The `link_set` shape: a title followed only by bracketed links, `- **Title** [[paper](u)] [[code](u)]`."""

from __future__ import annotations

import re
from typing import Any

from ..identity import parse_arxiv_id
from .text import LINK_RE, clean_title, escape_text, majority, safe_url

#: What may stand between the links: brackets, separators, spaces; anything else is free text.
_ONLY_PUNCT = re.compile(r"^[\s\[\]()|·•,;:/\-–—]*$")
_BOLD_TITLE = re.compile(r"\*\*((?:\\.|[^\\*]|\*(?!\*))+?)\*\*")
_PAPER_LABELS = frozenset({"paper", "pdf", "arxiv", "link", "url", "abs", "openreview", "acl"})
_CODE_LABELS = frozenset({"code", "github", "repo", "official code", "project"})


def extract_link_set(lines: list[str], layout: dict[str, Any]) -> Any | None:
    """Fields of `**Title** [[paper](u)] [[code](u)]` or `[Title](u) [[code](u)]`; else None."""
    from .fields import EntryFields, _identities

    if len(lines) != 1:
        return None
    first = lines[0]
    bold = _BOLD_TITLE.match(first)
    link = LINK_RE.match(first)
    if bold:
        title_raw, url, layout["title_ctx"], end = bold.group(1), None, "bold", bold.end()
    elif link:
        title_raw, url, layout["title_ctx"], end = link.group(1), link.group(2), "link", link.end()
    else:
        return None
    rest = first[end:]
    found = list(LINK_RE.finditer(rest))
    if not found or not _ONLY_PUNCT.match(LINK_RE.sub("", rest)):
        return None
    code = None
    pieces, pos = [], 0
    for m in found:
        label, target = m.group(1).strip().lower(), m.group(2)
        if label in _CODE_LABELS and code is None:
            code, slot = target, "{code}"
        elif url is None and (label in _PAPER_LABELS or parse_arxiv_id(target)):
            url, slot = target, "{url}"
        else:
            return None  # a link we would not know how to write again
        pieces += [_esc(rest[pos : m.start(2)]), slot, _esc(rest[m.end(2) : m.end()])]
        pos = m.end()
    template = "".join(pieces) + _esc(rest[pos:])
    if url is None:
        return None
    layout["link_template"] = template
    layout["trail"] = ""
    parsed = parse_arxiv_id(url)
    return EntryFields(
        family="link_set",
        title=clean_title(title_raw),
        title_raw=title_raw,
        url=url,
        identities=_identities([url, code or ""]),
        arxiv_id=str(parsed) if parsed else None,
        code_url=code,
        layout=layout,
    )


def _esc(text: str) -> str:
    """Literal text for a str.format template."""
    return text.replace("{", "{{").replace("}", "}}")


def learn(pool: list, pick: Any) -> dict[str, Any]:
    """Templates by whether the entry has a code link, and how the title is written."""
    templates = {}
    for has_code in (True, False):
        shown = [f.layout.get("link_template") for f in pool if bool(f.code_url) == has_code]
        if shown:
            templates[has_code] = majority(shown)
    return {"templates": templates, "title_ctx": pick(lambda f: f.layout.get("title_ctx"), "bold")}


def render(paper: Any, style: Any, url: str, head: Any) -> list[str]:
    """The entry for `paper` with the template the list uses for papers like it."""
    d = style.details
    templates = d.get("templates") or {}
    want = bool(paper.code_url)
    template = templates.get(want) or templates.get(not want) or " [[paper]({url})]"
    if "{code}" in template and not paper.code_url:
        template = re.sub(r"\s*\[*\[[^\[\]]*\]\(\{code\}\)\]*", "", template)
    body = template.format(url=url, code=safe_url(paper.code_url or ""))
    title = paper.title or ""
    if d.get("title_ctx") == "link":
        return head(style, f"[{escape_text(title, 'link')}]({url}){body}")
    return head(style, f"**{escape_text(title, 'bold')}**{body}")
