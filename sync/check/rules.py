"""The checks of one parsed list: pure functions from a ListDocument to Findings."""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from typing import Any

from ..index import PAPER_KEY_PREFIXES, keyed_entries
from ..listmodel import ListDocument
from ..listmodel.lines import strip_ending
from .findings import Finding, sort_key
from .links import CONSTANT_SLOT_SHARE, check_broken_links, check_empty_links
from .mojibake import changed_runs, document_repairs

log = logging.getLogger(__name__)

#: off-style needs a section of at least this many paper entries with a clear majority.
STYLE_MIN_ENTRIES = 3
STYLE_MAJORITY = 0.6


def check_mojibake(list_path: str, doc: ListDocument) -> list[Finding]:
    """One fixable finding per line holding mojibake, with the repaired line as context."""
    findings = []
    for i, fixed in sorted(document_repairs(doc.lines).items()):
        before = doc.lines[i]
        runs = changed_runs(strip_ending(before), strip_ending(fixed))
        shown = ", ".join(f"{a!r} -> {b!r}" for a, b in runs[:3]) or "mixed-encoding text"
        findings.append(
            Finding(
                "mojibake",
                list_path,
                i + 1,
                f"mis-decoded text: {shown}",
                fixable=True,
                context={"before": before, "after": fixed},
            )
        )
    return findings


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def check_stray_bytes(list_path: str, doc: ListDocument) -> list[Finding]:
    """A line of a UTF-8 list holding bytes that are not UTF-8 (a pasted Word apostrophe 0x92):
    GitHub and editors show each as U+FFFD. A cp1252/Latin-1 list's bytes are its text."""
    findings = []
    for i, line in enumerate(doc.lines):
        if line.isascii() or not _ESCAPED_BYTE.search(line) or doc.legacy_encoding:
            continue
        found = sorted({ord(ch) - 0xDC00 for ch in _ESCAPED_BYTE.findall(line)})
        named = []
        for byte in found[:3]:
            try:
                named.append(f"0x{byte:02X} (cp1252 {bytes([byte]).decode('cp1252')!r})")
            except UnicodeDecodeError:
                named.append(f"0x{byte:02X}")
        findings.append(
            Finding(
                "stray-byte",
                list_path,
                i + 1,
                f"not UTF-8, shown as \ufffd: byte {', '.join(named)}; retype it",
                context={"bytes": [f"0x{byte:02X}" for byte in found]},
            )
        )
    return findings


#: An indented code block whose text reads like an entry's continuation (`*Authors*`, `· (link)`,
#: `[label](url)`) is a continuation cut off from its entry, not code.
_CONTINUATION_RE = re.compile(r"^(?:[*_·\[(!]|.*\]\(https?://)")
_FENCE_RE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")


def _orphan_blocks(doc: ListDocument) -> list[tuple[int, int]]:
    """(start, end) of indented paragraphs and prose-like indented code blocks."""
    spans = [(e.start, e.end) for e in doc.entries if e.kind == "paragraph" and e.indent >= 1]
    for block in doc.blocks:
        if block.kind != "code" or _FENCE_RE.match(doc.lines[block.start]):
            continue
        lines = (strip_ending(line).strip() for line in doc.lines[block.start : block.end])
        if any(_CONTINUATION_RE.match(text) for text in lines):
            spans.append((block.start, block.end))
    return sorted(spans)


def check_orphans(list_path: str, doc: ListDocument) -> list[Finding]:
    """Indented text that no list item holds: a continuation line cut off from its entry."""
    findings = []
    for start, end in _orphan_blocks(doc):
        text = strip_ending(doc.lines[start]).strip()
        findings.append(
            Finding(
                "orphan-line",
                list_path,
                start + 1,
                f"indented text belongs to no entry: {text[:60]!r}",
                context={"text": text, "lines": [start + 1, end]},
            )
        )
    return findings


def check_headings(list_path: str, doc: ListDocument) -> list[Finding]:
    """A heading path seen before: its anchor and its section address collide."""
    first: dict[tuple[str, ...], int] = {}
    findings = []
    for heading in doc.headings:
        seen = first.get(heading.path)
        if seen is None:
            first[heading.path] = heading.line + 1
            continue
        address = " > ".join(heading.path)
        findings.append(
            Finding(
                "duplicate-heading",
                list_path,
                heading.line + 1,
                f"heading {address!r} already appears at line {seen}",
                context={"heading": address, "lines": [seen, heading.line + 1]},
            )
        )
    return findings


def check_duplicates(list_path: str, doc: ListDocument) -> list[Finding]:
    """The same paper twice in one list: reported at each later entry, naming the first."""
    first: dict[str, tuple[int, tuple[str, ...]]] = {}
    findings = []
    for entry, fields, primary, _ in keyed_entries(doc):
        line = entry.start + 1
        for key in primary:
            seen, section = first.setdefault(key, (line, entry.section))
            if seen == line:
                continue
            where = ""
            if section != entry.section:
                where = f" (in {' > '.join(section) or 'the top'} and {' > '.join(entry.section)})"
            findings.append(
                Finding(
                    "duplicate",
                    list_path,
                    line,
                    f"{key} is listed twice: lines {seen} and {line}{where}",
                    context={"identity": key, "lines": [seen, line], "title": fields.title},
                )
            )
            break
    return findings


#: Families that are one shape: a title that is itself the link, however it is emphasised.
_SHAPES = {"bold link item": "link item", "link in bold item": "link item"}


def _shape(family: str) -> str:
    return _SHAPES.get(family, family)


def fits_family(fields: Any, family: str) -> bool:
    """Whether an entry is written in `family`'s style, optional parts left out allowed.

    A list whose titles are not links (`**Title**, [arxiv](...)`) builds its links from the
    arXiv id: a paper without one is written with a titled link, as `render_entry` writes it.
    """
    shape = _shape(fields.family)
    if shape == _shape(family):
        return True
    return not fields.arxiv_id and shape == "link item" and family.endswith(" item")


def majority_family(families: list[str]) -> str | None:
    """The family most entries use, if there are enough entries and it clearly dominates.

    Families of one shape vote together; the majority is named by its most common member.
    """
    if len(families) < STYLE_MIN_ENTRIES:
        return None
    shape, count = Counter(map(_shape, families)).most_common(1)[0]
    if count / len(families) < STYLE_MAJORITY:
        return None
    return Counter(f for f in families if _shape(f) == shape).most_common(1)[0][0]


def check_styles(list_path: str, doc: ListDocument) -> list[Finding]:
    """Papers whose style differs from their section's (else their list's) majority."""
    by_section: dict[tuple[str, ...], list[tuple[Any, Any]]] = defaultdict(list)
    # Only real papers (an arXiv, DOI, OpenReview or ACL identity) count: a list links blogs and
    # projects plainly on purpose, and that is not an off-style paper.
    papers = [
        (entry, fields)
        for entry, fields, primary, _ in keyed_entries(doc)
        if any(k.startswith(PAPER_KEY_PREFIXES) for k in primary)
    ]
    for entry, fields in papers:
        by_section[entry.section].append((entry, fields))
    list_family = majority_family([f.family for _, f in papers])
    findings = []
    for section, items in by_section.items():
        families = [f.family for _, f in items]
        expected, whose = majority_family(families), "its section"
        if expected is None and len(families) < STYLE_MIN_ENTRIES:
            expected, whose = list_family, "the list"
        if expected is None:
            continue
        address = " > ".join(section)
        for entry, fields in items:
            if not fits_family(fields, expected):
                findings.append(
                    Finding(
                        "off-style",
                        list_path,
                        entry.start + 1,
                        f"entry is written as {fields.family}, {whose} as {expected}"
                        + (f" ({address})" if address and whose == "its section" else ""),
                        context={
                            "family": fields.family,
                            "expected": expected,
                            "section": address,
                            "by": "section" if whose == "its section" else "list",
                        },
                    )
                )
    return findings


def check_document(
    list_path: str, doc: ListDocument, *, constant_share: float = CONSTANT_SLOT_SHARE
) -> list[Finding]:
    """Every finding of one list, in line order (pure: no I/O, no other lists)."""
    findings = [
        *check_duplicates(list_path, doc),
        *check_mojibake(list_path, doc),
        *check_stray_bytes(list_path, doc),
        *check_empty_links(list_path, doc, constant_share=constant_share),
        *check_broken_links(list_path, doc),
        *check_orphans(list_path, doc),
        *check_headings(list_path, doc),
        *check_styles(list_path, doc),
    ]
    return sorted(findings, key=sort_key)


def cross_list_duplicates(
    docs: dict[str, ListDocument], only: set[str] | None = None
) -> list[Finding]:
    """Papers listed in more than one list, reported where they repeat, naming another place.

    Over the whole workspace each pair is reported once, at the later list. With `only`, every
    occurrence in those lists is reported unless the pair is already reported in another of them.
    """
    places: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for list_path in sorted(docs):
        here: set[str] = set()
        for entry, _, primary, _ in keyed_entries(docs[list_path]):
            for key in primary:
                if key not in here:  # a repeat within one list is `duplicate`, not this
                    here.add(key)
                    places[key].append((list_path, entry.start + 1, " > ".join(entry.section)))
    findings = []
    for key, where in places.items():
        if len(where) < 2:
            continue
        for k, (list_path, line, _section) in enumerate(where):
            if only is None:
                if k == 0:
                    continue
            elif list_path not in only or (k == 0 and any(other[0] in only for other in where[1:])):
                continue
            other = where[1] if k == 0 else where[0]
            findings.append(
                Finding(
                    "duplicate-across",
                    list_path,
                    line,
                    f"{key} is also in {other[0]} line {other[1]}"
                    + (f" ({other[2]})" if other[2] else ""),
                    context={
                        "identity": key,
                        "other_list": other[0],
                        "other_line": other[1],
                        "other_section": other[2],
                    },
                )
            )
    return sorted(findings, key=sort_key)
