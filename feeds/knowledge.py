"""What the lists know, as ranking input: their sections and their papers' text (pure).

Read from the index's compact records and outlines (`papershelf.sync.index`): ranking never needs a list's
full document model. The document-based forms are for one parsed list (the time split, tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from papershelf.sync.index_records import (
    PaperText,
    SectionInfo,
    index_records,
    outline_of,
    ranking_text,
)

from .rank import KnownEntry, Ranker, SectionRef
from .relevance import ListPapers, even_sample


def entry_text(fields: Any, abstract: str | None = None) -> str:
    """The text ranking uses for one entry: title, tags, note, and the abstract when known."""
    return ranking_text(fields, abstract)


def paper_text(title: str | None, abstract: str | None = None) -> str:
    """The text ranking uses for a paper: title and abstract."""
    return " ".join(p for p in (title or "", abstract or "") if p)


def _abstract(paper: PaperText, abstracts: Mapping[str, str]) -> str | None:
    """The abstract known for a paper (by any of its keys), or None."""
    return next((abstracts[k] for k in paper.keys if k in abstracts), None)


def _texts(
    papers: Sequence[PaperText], abstracts: Mapping[str, str] | None
) -> list[tuple[str, str, str]]:
    """(section, text with the abstract when one is known, title) of each paper."""
    abstracts = abstracts or {}
    out = []
    for paper in papers:
        abstract = _abstract(paper, abstracts)
        text = f"{paper.text} {abstract}" if abstract else paper.text
        if text.strip():
            out.append((paper.section, text, " ".join((paper.title or text).split())[:200]))
    return out


def list_knowledge(
    list_path: str,
    outline: Sequence[SectionInfo],
    papers: Sequence[PaperText],
    abstracts: Mapping[str, str] | None = None,
) -> tuple[list[SectionRef], list[KnownEntry]]:
    """The sections papers can go to in one list, and its paper entries as knowledge.

    A section qualifies when it holds paper entries, or when it is a fresh empty leaf (no entries,
    no subsections). Sections of only non-paper lines (contents, links, licence) never do. A list
    without headings is one section, addressed "" (where `papershelf add --section ""` writes).
    """
    per_section: dict[str, list[tuple[str, str]]] = {}
    flat = not any(section.address for section in outline)
    for address, text, title in _texts(papers, abstracts):
        if address or flat:
            per_section.setdefault(address, []).append((text, title))
    sections: list[SectionRef] = []
    if flat and "" in per_section:
        sections.append(SectionRef(list_path, "", ""))
    for section in outline:
        empty_leaf = not section.entries and not section.children
        if section.address and (section.address in per_section or empty_leaf):
            sections.append(SectionRef(list_path, section.address, section.title))
    entries = [
        KnownEntry(list_path, address, text, title)
        for address, texts in per_section.items()
        for text, title in texts
    ]
    return sections, entries


def _parsed(list_path: str, doc: Any) -> tuple[tuple[SectionInfo, ...], list[PaperText]]:
    """A parsed list as the index keeps it: outline and papers."""
    records = index_records(list_path, doc)
    papers = [PaperText(r.section, r.text, r.title or "", r.primary) for r in records]
    return outline_of(doc, records), papers


def document_knowledge(
    list_path: str, doc: Any, abstracts: Mapping[str, str] | None = None
) -> tuple[list[SectionRef], list[KnownEntry]]:
    """`list_knowledge` of one parsed list."""
    return list_knowledge(list_path, *_parsed(list_path, doc), abstracts)


def index_knowledge(
    index: Any, abstracts: Mapping[str, str] | None = None
) -> tuple[list[SectionRef], list[KnownEntry]]:
    """Sections and entries of every indexed list, from the index's records."""
    papers = index.papers()
    sections: list[SectionRef] = []
    entries: list[KnownEntry] = []
    for list_path, outline in index.outlines().items():
        s, e = list_knowledge(list_path, outline, papers.get(list_path, ()), abstracts)
        sections += s
        entries += e
    return sections, entries


def _list_papers(
    list_path: str,
    outline: Sequence[SectionInfo],
    papers: Sequence[PaperText],
    abstracts: Mapping[str, str] | None,
    cap: int | None = None,
) -> ListPapers:
    """What a list knows for relevance: its papers (at most `cap` of those with a text, evenly
    spread), or its headings while it has none."""
    if cap is not None and len(papers) > cap:
        # Sampled before their texts are built: a 50,000-entry workspace builds 4,000, not all.
        known = abstracts or {}
        usable = [p for p in papers if p.text.strip() or _abstract(p, known)]
        papers = [usable[k] for k in even_sample(len(usable), cap)]
    found = _texts(papers, abstracts)
    if found:
        return ListPapers(
            list_path, tuple(t for _, t, _ in found), tuple(title for _, _, title in found)
        )
    headings = tuple(s.title for s in outline if s.address and s.title.strip())
    return ListPapers(list_path, headings, headings, from_headings=True)


def list_papers(list_path: str, doc: Any, abstracts: Mapping[str, str] | None = None) -> ListPapers:
    """`ListPapers` of one parsed list."""
    return _list_papers(list_path, *_parsed(list_path, doc), abstracts)


def index_papers(
    index: Any, abstracts: Mapping[str, str] | None = None, cap: int | None = None
) -> list[ListPapers]:
    """`ListPapers` of every indexed list (at most `cap` papers each), from the index's records."""
    papers = index.papers()
    return [
        _list_papers(path, outline, papers.get(path, ()), abstracts, cap)
        for path, outline in index.outlines().items()
    ]


def fit_ranker(documents: Mapping[str, Any], abstracts: Mapping[str, str] | None = None) -> Ranker:
    """A Ranker of every section of these parsed lists (`{list path: ListDocument}`)."""
    sections: list[SectionRef] = []
    entries: list[KnownEntry] = []
    for list_path in sorted(documents):
        s, e = document_knowledge(list_path, documents[list_path], abstracts)
        sections += s
        entries += e
    return Ranker.fit(sections, entries)


def fit_index_ranker(index: Any, abstracts: Mapping[str, str] | None = None) -> Ranker:
    """A Ranker of every section of the indexed lists."""
    return Ranker.fit(*index_knowledge(index, abstracts))
