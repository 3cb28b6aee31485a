"""What the lists know, as ranking input: their sections and their entries' text (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.index import keyed_entries

from .rank import KnownEntry, Ranker, SectionRef
from .relevance import ListPapers


def entry_text(fields: Any, abstract: str | None = None) -> str:
    """The text ranking uses for one entry: title, tags, note, and the abstract when known."""
    parts = [fields.title or "", " ".join(fields.tags or ()), fields.note or "", abstract or ""]
    return " ".join(p for p in parts if p)


def paper_text(title: str | None, abstract: str | None = None) -> str:
    """The text ranking uses for a paper: title and abstract."""
    return " ".join(p for p in (title or "", abstract or "") if p)


def document_knowledge(
    list_path: str, doc: Any, abstracts: Mapping[str, str] | None = None
) -> tuple[list[SectionRef], list[KnownEntry]]:
    """The sections papers can go to in one list, and its paper entries as knowledge.

    A section qualifies when it holds paper entries, or when it is a fresh empty leaf (no entries,
    no subsections). Sections of only non-paper lines (contents, links, licence) never do. A list
    without headings is one section, addressed "" (where `papershelf add --section ""` writes).
    """
    per_section: dict[str, list[tuple[str, str]]] = {}
    flat = not any(section.address for section in doc.sections)
    for address, text, title in _paper_texts(doc, abstracts):
        if address or flat:
            per_section.setdefault(address, []).append((text, title))
    sections: list[SectionRef] = []
    if flat and "" in per_section:
        sections.append(SectionRef(list_path, "", ""))
    all_sections = list(doc.sections)
    for i, section in enumerate(all_sections):
        address = section.address
        if not address:
            continue
        has_children = any(
            other.path[: len(section.path)] == section.path and len(other.path) > len(section.path)
            for other in all_sections[i + 1 :]
        )
        empty_leaf = not section.entries and not has_children
        if address in per_section or empty_leaf:
            sections.append(SectionRef(list_path, address, section.title))
    entries = [
        KnownEntry(list_path, address, text, title)
        for address, texts in per_section.items()
        for text, title in texts
    ]
    return sections, entries


def _paper_texts(doc: Any, abstracts: Mapping[str, str] | None) -> list[tuple[str, str, str]]:
    """(section address, ranking text, title) of every paper entry of `doc`, in file order."""
    abstracts = abstracts or {}
    out = []
    for entry, fields, keys, _ in keyed_entries(doc):  # keyed once per document, by the index
        section = doc.section_of_line(entry.start)
        address = getattr(section, "address", "") if section is not None else ""
        abstract = next((abstracts[k] for k in keys if k in abstracts), None) if abstracts else None
        text = entry_text(fields, abstract)
        if text.strip():
            out.append((address, text, " ".join((fields.title or text).split())[:200]))
    return out


def list_papers(list_path: str, doc: Any, abstracts: Mapping[str, str] | None = None) -> ListPapers:
    """What a list knows for relevance: all its papers, or its headings while it has none."""
    found = _paper_texts(doc, abstracts)
    if found:
        return ListPapers(
            list_path, tuple(t for _, t, _ in found), tuple(title for _, _, title in found)
        )
    headings = tuple(s.title for s in doc.sections if s.address and s.title.strip())
    return ListPapers(list_path, headings, headings, from_headings=True)


def workspace_papers(
    documents: Mapping[str, Any], abstracts: Mapping[str, str] | None = None
) -> list[ListPapers]:
    """`list_papers` of every list, by list path."""
    return [list_papers(path, documents[path], abstracts) for path in sorted(documents)]


def workspace_knowledge(
    documents: Mapping[str, Any], abstracts: Mapping[str, str] | None = None
) -> tuple[list[SectionRef], list[KnownEntry]]:
    """Sections and entries of every list (`{list path: ListDocument}`)."""
    sections: list[SectionRef] = []
    entries: list[KnownEntry] = []
    for list_path in sorted(documents):
        s, e = document_knowledge(list_path, documents[list_path], abstracts)
        sections += s
        entries += e
    return sections, entries


def fit_ranker(documents: Mapping[str, Any], abstracts: Mapping[str, str] | None = None) -> Ranker:
    """A Ranker of every section of these lists."""
    sections, entries = workspace_knowledge(documents, abstracts)
    return Ranker.fit(sections, entries)
