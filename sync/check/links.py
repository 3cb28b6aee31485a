"""Link checks: empty targets (and a list's constant empty slot) and broken targets."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import unquote

from ..closest import closest_names
from ..identity import parse_arxiv_id
from ..listmodel import ListDocument
from ..listmodel.lines import strip_ending
from ..styles import paper_entries
from .anchors import document_anchors
from .findings import INFO, Finding

#: `[text](target)` whose target is empty or a placeholder; images (`![x]()`) included.
EMPTY_LINK_RE = re.compile(
    r"(?<!\\)!?\[(?P<label>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"\(\s*(?P<target><\s*>|None|none|null|undefined|#)?\s*\)"
)
#: The cheap test first: only a line with an empty target can hold an empty link.
_EMPTY_TARGET_RE = re.compile(r"\]\(\s*(?:<\s*>|None|none|null|undefined|#)?\s*\)")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
#: Blocks whose lines are not markdown prose (their text is never checked for links).
_OPAQUE_BLOCKS = frozenset({"code", "front_matter", "html"})

#: An empty link shared by at least this share of a list's paper entries is the list's own
#: constant slot (a generator's placeholder such as `cication: [**-1**](None)`): one `info`.
CONSTANT_SLOT_SHARE = 0.5
CONSTANT_SLOT_MIN = 3
#: An inline link's target: `](target)`, one level of parentheses allowed inside.
_TARGET_RE = re.compile(r"\]\((?P<target>(?:[^()\n]|\([^()\n]*\))*)\)")
_WS_RE = re.compile(r"\s")
_TITLE_RE = re.compile(r"""\s+(?:"[^"]*"|'[^']*'|\([^()]*\))\s*$""")
#: A misspelt web scheme: `htps://`, `http//`, `https:/x`, `http:///x`, `ttps://`.
_BAD_SCHEME_RE = re.compile(r"^(?:h?t{1,3}ps?|ht{1,3}s)(?::+/*|//+)", re.IGNORECASE)
_GOOD_SCHEME_RE = re.compile(r"^https?://[^/\s]", re.IGNORECASE)
_ARXIV_PAPER_PATH_RE = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)*arxiv\.org/(?:abs|pdf)/", re.I)


def _blank_code_spans(text: str) -> str:
    """`text` with its code spans blanked out (same length), so links in them are not seen."""
    if "`" not in text:
        return text
    return _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), text)


def opaque_lines(doc: ListDocument) -> set[int]:
    """Line indexes inside code, html and front-matter blocks."""
    out: set[int] = set()
    for block in doc.blocks:
        if block.kind in _OPAQUE_BLOCKS:
            out.update(range(block.start, block.end))
    return out


def _empty_links(doc: ListDocument) -> list[tuple[int, str, str]]:
    """(line index, link text as written, label) of every empty link outside code."""
    opaque = opaque_lines(doc)
    found = []
    for i, line in enumerate(doc.lines):
        if i in opaque or "](" not in line or not _EMPTY_TARGET_RE.search(line):
            continue
        text = _blank_code_spans(strip_ending(line))
        for m in EMPTY_LINK_RE.finditer(text):
            found.append((i, m.group(0), m.group("label")))
    return found


def check_empty_links(
    list_path: str, doc: ListDocument, *, constant_share: float = CONSTANT_SLOT_SHARE
) -> list[Finding]:
    """Empty links; one the list repeats in most entries is reported once, as its own slot."""
    links = _empty_links(doc)
    if not links:
        return []
    papers = max(len(paper_entries(doc)), 1)
    counts = Counter(text for _, text, _ in links)
    constant = {
        text
        for text, n in counts.items()
        if n >= CONSTANT_SLOT_MIN and n / papers >= constant_share
    }
    findings = []
    reported: set[str] = set()
    for i, text, label in links:
        if text in constant:
            if text not in reported:
                reported.add(text)
                findings.append(
                    Finding(
                        "empty-link",
                        list_path,
                        i + 1,
                        f"{text} has no target in {counts[text]} entries: treated as the "
                        "list's own constant slot",
                        severity=INFO,
                        context={"text": text, "count": counts[text], "constant": True},
                    )
                )
            continue
        findings.append(
            Finding(
                "empty-link",
                list_path,
                i + 1,
                f"link {label.strip() or text!r} has no target: {text}",
                context={"text": text, "constant": False},
            )
        )
    return findings


def broken_reason(target: str) -> str | None:
    """Why a link target cannot work (misspelt scheme, spaces, bad arXiv id), or None."""
    t = target.strip()
    t = t[1:-1].strip() if t.startswith("<") and t.endswith(">") else _TITLE_RE.sub("", t)
    if not t:
        return None
    if _BAD_SCHEME_RE.match(t) and not _GOOD_SCHEME_RE.match(t):
        return "misspelt scheme"
    if not target.strip().startswith("<") and _WS_RE.search(t):
        return "spaces in the target"
    if _ARXIV_PAPER_PATH_RE.match(t) and parse_arxiv_id(t) is None:
        return "not an arXiv id"
    return None


def anchor_reason(target: str, anchors: set[str]) -> str | None:
    """Why an in-page link `#anchor` goes nowhere (no such heading), or None."""
    t = target.strip()
    if not t.startswith("#") or len(t) < 2 or not anchors:
        return None
    anchor = unquote(t[1:]).lower()
    if anchor in anchors:
        return None
    close = closest_names(anchor, sorted(anchors), limit=1)
    return f"no heading has the anchor #{anchor}" + (f" (#{close[0]}?)" if close else "")


def check_broken_links(list_path: str, doc: ListDocument) -> list[Finding]:
    """Link targets that cannot work: misspelt scheme, spaces, no arXiv id, no such heading."""
    opaque = opaque_lines(doc)
    anchors: set[str] | None = None
    findings = []
    for i, line in enumerate(doc.lines):
        if i in opaque or "](" not in line:
            continue
        text = _blank_code_spans(strip_ending(line))
        for m in _TARGET_RE.finditer(text):
            target = m.group("target").strip()
            reason = broken_reason(target)
            if reason is None and target.startswith("#"):
                anchors = document_anchors(doc) if anchors is None else anchors
                reason = anchor_reason(target, anchors)
            if reason:
                findings.append(
                    Finding(
                        "broken-link",
                        list_path,
                        i + 1,
                        f"link target {target!r}: {reason}",
                        context={"target": target, "reason": reason},
                    )
                )
    return findings
