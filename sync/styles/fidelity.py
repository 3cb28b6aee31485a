"""Fidelity: take each paper entry out, add it back from its fields, compare the bytes."""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..listmodel import parse_list
from .entries import entry_fields, fields_to_paper, own_literals
from .order import learn_placement, visible_part
from .place import insertion_at, joins_next, plan_insertion
from .render import render_entry
from .style import infer_style


@dataclass(frozen=True)
class EntryResult:
    """One entry's round trip: byte-identical or not (with a diff), and whether placement agreed."""

    section: str
    line: int  # 1-based line of the entry in the original file
    title: str
    family: str
    ok: bool
    placed: bool
    diff: str = ""
    carried: bool = False  # came back with help from a kept note or list-specific slot value


@dataclass(frozen=True)
class FidelityReport:
    """Per-entry results of `measure_fidelity` and the rates derived from them."""

    results: tuple[EntryResult, ...]

    @property
    def total(self) -> int:
        """How many paper entries were measured."""
        return len(self.results)

    @property
    def passed(self) -> int:
        """How many came back byte-identical."""
        return sum(r.ok for r in self.results)

    @property
    def rate(self) -> float:
        """Share of paper entries re-rendered byte-identically at their own position."""
        return self.passed / self.total if self.total else 1.0

    @property
    def placement_rate(self) -> float:
        """Share of entries whose position plan_insertion chose by itself matches the original."""
        return sum(r.placed for r in self.results) / self.total if self.total else 1.0

    @property
    def end_to_end_rate(self) -> float:
        """Share of entries both placed and rendered exactly: the whole add path unaided."""
        return sum(r.ok and r.placed for r in self.results) / self.total if self.total else 1.0

    @property
    def carried(self) -> int:
        """Passes that needed a kept note or a per-entry slot value (a citation count)."""
        return sum(r.ok and r.carried for r in self.results)

    def summary(self) -> str:
        """One line: passed/total, rate, placement and end-to-end rates."""
        return (
            f"{self.passed}/{self.total} byte-identical ({self.rate:.1%}, {self.carried} with a "
            f"kept note or slot); placement {self.placement_rate:.1%}; "
            f"end-to-end {self.end_to_end_rate:.1%}"
        )


def _blank(lines: list[str], start: int, stop: int) -> bool:
    return start <= stop and all(not lines[i].strip() for i in range(start, stop))


def _removal(doc: Any, entries: list, k: int) -> tuple[int, int]:
    """Lines [start, end) an entry owns: itself and the blank separator on the side it joins."""
    lines = doc.lines
    entry = entries[k]
    start, end = entry.start, entry.end
    after = entries[k + 1] if k + 1 < len(entries) else None
    first = k == 0 or (after is not None and joins_next(doc, entries[k - 1], after))
    if not first and _blank(lines, entries[k - 1].end, start):
        start = entries[k - 1].end
    elif first and after is not None and _blank(lines, end, after.start):
        end = after.start
    return start, end


def _find_section(doc: Any, heading_line: int | None, title: str) -> Any:
    for section in doc.sections:
        if section.heading_line == heading_line and section.title == title:
            return section
    raise LookupError(f"section at line {heading_line} vanished")


def measure_fidelity(data: bytes) -> FidelityReport:
    """For every paper entry: remove it, re-infer the style, re-render and splice it back, compare."""
    doc = parse_list(data)
    results = []
    for section in doc.sections:
        entries = list(section.entries)
        for k, entry in enumerate(entries):
            fields = entry_fields(doc, entry)
            if not fields.is_paper:
                continue
            start, end = _removal(doc, entries, k)
            reduced = parse_list(
                b"".join(_raw(doc, i) for i in range(len(doc.lines)) if not start <= i < end)
            )
            target = _find_section(reduced, section.heading_line, section.title)
            style = infer_style(reduced, target)
            paper = fields_to_paper(fields)
            plan = insertion_at(reduced, target, style, k, render_entry(paper, style))
            rebuilt = reduced.with_lines_inserted(plan.at_line, plan.lines).render()
            chosen = plan_insertion(
                reduced,
                target,
                style,
                paper,
                learn_placement(reduced, visible_part(reduced, target)),
            )
            ok = rebuilt == data
            results.append(
                EntryResult(
                    section=section.address,
                    line=entry.start + 1,
                    title=fields.title or "",
                    family=fields.family,
                    ok=ok,
                    placed=chosen.at_line == plan.at_line,
                    diff="" if ok else _diff(data, rebuilt),
                    carried=bool(fields.note or own_literals(fields)),
                )
            )
    return FidelityReport(tuple(results))


def _raw(doc: Any, i: int) -> bytes:
    line = doc.lines[i]
    return line if isinstance(line, bytes) else line.encode("utf-8", "surrogateescape")


def _diff(before: bytes, after: bytes, limit: int = 8) -> str:
    a = before.decode("utf-8", "replace").splitlines()
    b = after.decode("utf-8", "replace").splitlines()
    lines = [ln for ln in difflib.unified_diff(a, b, "list", "re-added", n=0, lineterm="")][2:]
    return "\n".join(lines[:limit])


def main(argv: list[str] | None = None) -> int:
    """`python -m papershelf.sync.styles.fidelity FILE...`: print each file's fidelity and its failures."""
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args
    for name in (a for a in args if a != "-v"):
        report = measure_fidelity(Path(name).read_bytes())
        print(f"{Path(name).name}: {report.summary()}")
        for r in report.results:
            if verbose and not r.ok:
                print(
                    f"  line {r.line} [{r.family}] {r.title[:60]}\n    "
                    + r.diff.replace("\n", "\n    ")
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
