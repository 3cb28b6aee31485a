"""What the lists know, as ranking input: their sections and their entries' text (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.index import entry_keys
from sync.styles import paper_entries

from .rank import KnownEntry, Ranker, SectionRef


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
    no subsections). Sections of only non-paper lines (contents, links, licence) never do.
    """
    abstracts = abstracts or {}
    per_section: dict[str, list[tuple[str, str]]] = {}
    for entry, fields in paper_entries(doc):
        section = doc.section_of_line(entry.start)
        address = getattr(section, "address", "") if section is not None else ""
        if not address:
            continue
        keys, _ = entry_keys(fields)
        abstract = next((abstracts[k] for k in keys if k in abstracts), None)
        per_section.setdefault(address, []).append(
            (entry_text(fields, abstract), fields.title or "")
        )
    sections: list[SectionRef] = []
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
