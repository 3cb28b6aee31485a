"""The time-split measurement of section suggestion: an older list is the knowledge (pure).

Given two versions of one list, the papers the newer version has and the older lacks are the
questions; the older version's entries are all the ranker may learn from; the sections offered are
the newer version's (a section added since is known by its heading alone). Top-1 and top-3 count
how often the section the curator chose is the first, or among the first three, suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.index import entry_keys, normalize_title
from sync.listmodel import parse_list
from sync.styles import paper_entries

from .knowledge import document_knowledge, entry_text
from .rank import Ranker


@dataclass(frozen=True)
class Question:
    """One paper of the newer list: its text, the section it is in, and what was suggested."""

    title: str
    gold: str
    suggested: tuple[str, ...]
    known_section: bool

    @property
    def top1(self) -> bool:
        """The first suggestion is the curator's section."""
        return bool(self.suggested) and self.suggested[0] == self.gold

    @property
    def top3(self) -> bool:
        """The curator's section is among the first three suggestions."""
        return self.gold in self.suggested[:3]


@dataclass
class SplitResult:
    """Questions and their accuracy, over all questions and over sections the knowledge has."""

    questions: list[Question] = field(default_factory=list)

    def _rate(self, attr: str, known_only: bool) -> float:
        pool = [q for q in self.questions if q.known_section or not known_only]
        return sum(getattr(q, attr) for q in pool) / len(pool) if pool else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Counts and rates, rounded."""
        known = [q for q in self.questions if q.known_section]
        return {
            "questions": len(self.questions),
            "top1": round(self._rate("top1", False), 4),
            "top3": round(self._rate("top3", False), 4),
            "known_section_questions": len(known),
            "known_top1": round(self._rate("top1", True), 4),
            "known_top3": round(self._rate("top3", True), 4),
        }


def _paper_entries_with_sections(doc: Any) -> list[tuple[str, Any]]:
    out = []
    for entry, fields in paper_entries(doc):
        section = doc.section_of_line(entry.start)
        out.append((getattr(section, "address", "") if section is not None else "", fields))
    return out


def time_split(older: bytes, newer: bytes, list_path: str = "list.md") -> SplitResult:
    """Measure suggestion on the papers `newer` adds to `older` (see the module docstring)."""
    old_doc, new_doc = parse_list(older), parse_list(newer)
    seen: set[str] = set()
    for _, fields in _paper_entries_with_sections(old_doc):
        seen.update(entry_keys(fields)[0])
        if fields.title:
            seen.add("title:" + normalize_title(fields.title))
    _, knowledge = document_knowledge(list_path, old_doc)
    new_sections, _ = document_knowledge(list_path, new_doc)
    known_sections = {e.section for e in knowledge}
    ranker = Ranker.fit(new_sections, knowledge)
    result = SplitResult()
    asked: set[str] = set()
    pending = []
    for address, fields in _paper_entries_with_sections(new_doc):
        keys = set(entry_keys(fields)[0])
        title_key = "title:" + normalize_title(fields.title or "")
        if not address or keys & seen or title_key in seen or title_key in asked:
            continue
        asked.add(title_key)
        pending.append((address, fields))
    ranked = ranker.rank([entry_text(f) for _, f in pending], top_k=3)
    for (address, fields), suggestions in zip(pending, ranked, strict=True):
        result.questions.append(
            Question(
                title=fields.title or "",
                gold=address,
                suggested=tuple(s.section for s in suggestions),
                known_section=address in known_sections,
            )
        )
    return result


def leave_one_out(data: bytes, list_path: str = "list.md") -> SplitResult:
    """Each entry of one list asked with every other entry as knowledge (sections with ≥ 2 entries)."""
    doc = parse_list(data)
    sections, entries = document_knowledge(list_path, doc)
    result = SplitResult()
    for i, entry in enumerate(entries):
        rest = entries[:i] + entries[i + 1 :]
        if not any(other.section == entry.section for other in rest):
            continue
        suggestions = Ranker.fit(sections, rest).rank([entry.text], top_k=3)[0]
        result.questions.append(
            Question(entry.title, entry.section, tuple(s.section for s in suggestions), True)
        )
    return result


def main(argv: list[str] | None = None) -> None:
    """`python -m feeds.evaluate OLDER NEWER` (time split) or `... --loo LIST` (leave one out)."""
    import json
    import sys
    from pathlib import Path

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 2 and args[0] == "--loo":
        result = leave_one_out(Path(args[1]).read_bytes())
    elif len(args) == 2:
        result = time_split(Path(args[0]).read_bytes(), Path(args[1]).read_bytes())
    else:
        raise SystemExit("usage: python -m feeds.evaluate OLDER NEWER | --loo LIST")
    print(json.dumps(result.to_dict()))


if __name__ == "__main__":
    main()
