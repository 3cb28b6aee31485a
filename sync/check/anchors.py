"""In-page anchors: the ids GitHub gives headings (`## Fine-tuning` -> `#fine-tuning`)."""

from __future__ import annotations

import logging
import re
import unicodedata

from ..listmodel import ListDocument

log = logging.getLogger(__name__)

_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG_RE = re.compile(r"<[^>]+>")
_HTML_ID_RE = re.compile(r"""<[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def github_slug(title: str) -> str:
    """The anchor GitHub derives from a heading's text (before de-duplication)."""
    text = _TAG_RE.sub("", _LINK_RE.sub(r"\1", _IMAGE_RE.sub("", title)))
    out = []
    for ch in text.strip().lower():
        if ch.isalnum() or ch in "-_" or unicodedata.category(ch).startswith("M"):
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)


def document_anchors(doc: ListDocument) -> set[str]:
    """Every anchor of the document: headings (`x`, `x-1`, ... when repeated) and HTML ids."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for heading in doc.headings:
        slug = github_slug(heading.title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    for line in doc.lines:
        if "<" in line and ("id" in line or "name" in line):
            anchors.update(m.group(1).lower() for m in _HTML_ID_RE.finditer(line))
    return anchors
