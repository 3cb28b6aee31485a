"""The time-split measurement of section suggestion: an older list is the knowledge (pure).

Given two versions of one list, the papers the newer version has and the older lacks are the
questions; the older version's entries are all the ranker may learn from, each filed where the
newer version files it (so a renamed, re-nested or split-off section keeps its papers); the
sections offered are the newer version's (a section none of the older papers is in is known by its
heading alone). Top-1 and top-3 count how often the section the curator chose is the first, or
among the first three, suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from papershelf.sync.index import entry_keys, normalize_title
from papershelf.sync.listmodel import parse_list
from papershelf.sync.styles import paper_entries

from .knowledge import document_knowledge, entry_text
from .rank import KnownEntry, Ranker


@dataclass(frozen=True)
class Question:
    """One paper of the newer list: its text, the section it is in, and what was suggested.

    `known_section`: the knowledge has at least one paper in the curator's section (the section
    can be learned); otherwise only its heading is known. `same_heading`: the older list already
    had that section under the same heading path (a subset of the known ones).
    """

    title: str
    gold: str
    suggested: tuple[str, ...]
    known_section: bool
    same_heading: bool = True

    @property
    def top1(self) -> bool:
        """The first suggestion is the curator's section."""
        return bool(self.suggested) and self.suggested[0] == self.gold

    @property
    def top3(self) -> bool:
        """The curator's section is among the first three suggestions."""
        return self.gold in self.suggested[:3]


def _rates(pool: list[Question]) -> tuple[int, float, float]:
    n = len(pool)
    if not n:
        return 0, 0.0, 0.0
    return n, round(sum(q.top1 for q in pool) / n, 4), round(sum(q.top3 for q in pool) / n, 4)


@dataclass
class SplitResult:
    """Questions and their accuracy: all, answerable (section known), and by kind of section."""

    questions: list[Question] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Counts and rates, rounded.

        `known_*`: questions whose section the knowledge has papers in (answerable);
        `same_heading_*`: the part of those whose section the older list had under the same
        heading path; `heading_only_*`: sections no paper of the knowledge is in (only their
        heading is known).
        """
        out: dict[str, Any] = {}
        pools = {
            "": self.questions,
            "known_": [q for q in self.questions if q.known_section],
            "same_heading_": [q for q in self.questions if q.known_section and q.same_heading],
            "heading_only_": [q for q in self.questions if not q.known_section],
        }
        for prefix, pool in pools.items():
            n, top1, top3 = _rates(pool)
            name = "questions" if not prefix else f"{prefix}section_questions"
            if prefix in ("same_heading_", "heading_only_"):
                name = f"{prefix}questions"
            out[name] = n
            out[f"{prefix}top1"] = top1
            out[f"{prefix}top3"] = top3
        return out


def _paper_entries_with_sections(doc: Any) -> list[tuple[str, Any]]:
    out = []
    for entry, fields in paper_entries(doc):
        section = doc.section_of_line(entry.start)
        out.append((getattr(section, "address", "") if section is not None else "", fields))
    return out


def _keys(fields: Any) -> set[str]:
    """A paper's identity keys and its normalised title (how two versions of a list match it)."""
    keys = set(entry_keys(fields)[0])
    if fields.title:
        keys.add("title:" + normalize_title(fields.title))
    return keys


def time_split(
    older: bytes, newer: bytes, list_path: str = "list.md", *, as_written: bool = False
) -> SplitResult:
    """Measure suggestion on the papers `newer` adds to `older` (see the module docstring).

    The knowledge is the older list's papers (their text as the older list writes it). Each is
    placed in the section where the newer list files the same paper, so a section renamed,
    re-nested or split off between the two versions keeps what it learned; a paper the newer list
    dropped stays in its old section when that section still exists, and is left out otherwise.
    `as_written`: each older paper stays in its older section (left out if the newer list has no
    section at that address), the stricter reading.
    """
    old_doc, new_doc = parse_list(older), parse_list(newer)
    new_sections, _ = document_knowledge(list_path, new_doc)
    offered = {s.section for s in new_sections}
    placed: dict[str, str] = {}
    for address, fields in _paper_entries_with_sections(new_doc):
        if address:
            for key in _keys(fields):
                placed.setdefault(key, address)
    old_addresses: set[str] = set()
    seen: set[str] = set()
    knowledge: list[KnownEntry] = []
    for address, fields in _paper_entries_with_sections(old_doc):
        keys = _keys(fields)
        seen |= keys
        old_addresses.add(address)
        now = None if as_written else next((placed[k] for k in sorted(keys) if k in placed), None)
        section = now or (address if address in offered else None)
        text = entry_text(fields)
        if section and text.strip():
            knowledge.append(KnownEntry(list_path, section, text, fields.title or ""))
    known_sections = {e.section for e in knowledge}
    ranker = Ranker.fit(new_sections, knowledge)
    result = SplitResult()
    asked: set[str] = set()
    pending = []
    for address, fields in _paper_entries_with_sections(new_doc):
        keys = _keys(fields)
        title_key = "title:" + normalize_title(fields.title or "")
        if not address or keys & seen or title_key in asked:
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
                same_heading=address in old_addresses,
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
    """`python -m papershelf.feeds.evaluate [--as-written] OLDER NEWER` (time split) or `... --loo LIST`."""
    import json
    import sys
    from pathlib import Path

    args = list(sys.argv[1:] if argv is None else argv)
    as_written = "--as-written" in args
    args = [a for a in args if a != "--as-written"]
    if len(args) != 2:
        raise SystemExit(
            "usage: python -m papershelf.feeds.evaluate [--as-written] OLDER NEWER | --loo LIST"
        )
    try:
        if args[0] == "--loo":
            result = leave_one_out(Path(args[1]).read_bytes())
        else:
            older, newer = Path(args[0]).read_bytes(), Path(args[1]).read_bytes()
            result = time_split(older, newer, as_written=as_written)
    except OSError as exc:
        raise SystemExit(f"evaluate: cannot read {exc.filename}: {exc.strerror}") from None
    print(json.dumps(result.to_dict()))


if __name__ == "__main__":
    main()
