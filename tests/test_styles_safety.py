"""Generated hostile input never breaks a list's structure, in any style (hypothesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Link, Paper
from papershelf.sync.styles import extract_fields, infer_style, plan_insertion

STYLES = Path(__file__).resolve().parent / "fixtures" / "styles"
TARGETS = [
    ("link_date.md", "Optimizers"),
    ("link_date.md", "Surveys"),
    ("bold_arxiv.md", "Mixtures"),
    ("bold_arxiv.md", "Empty"),
    ("blog.md", "Adapters"),
    ("plain.md", "Papers"),
    ("link_set.md", "Distillation"),
    ("table.md", "Papers"),
]
DOCS = {name: parse_list((STYLES / name).read_bytes()) for name in {n for n, _ in TARGETS}}
HEADER = ["Date", "Paper", "Authors", "Venue", "Code", "Notes"]

# Markdown's structural characters, line breaks and a few letters: the mix that breaks lists.
_PIECES = list("ab Z1.#-*_`[]()<>|\\!:\n\t\r'\"&") + ["](", "**", "<script>", "1. ", "- ", "## "]
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=20).map("".join).filter(str.strip)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.sampled_from(TARGETS),
    title=_TEXT,
    venue=st.none() | _TEXT,
    authors=st.lists(_TEXT, max_size=4),
    tags=st.lists(_TEXT, max_size=2),
    note=st.none() | _TEXT,
    label=_TEXT,
)
def test_any_paper_adds_exactly_one_entry_and_nothing_else(
    target, title, venue, authors, tags, note, label
) -> None:
    name, section = target
    doc = DOCS[name]
    place = doc.section(section)
    paper = Paper(
        url="https://arxiv.org/abs/2410.16215",
        arxiv_id="2410.16215",
        title=title,
        authors=tuple(authors),
        venue=venue,
        tags=tuple(tags),
        note=note,
        published="2024-10-21",
        links=(Link(label, "https://example.org/x"),),
    )
    plan = plan_insertion(doc, place, infer_style(doc, place), paper)
    assert all("\n" not in line and "\r" not in line for line in plan.lines)
    after = doc.with_lines_inserted(plan.at_line, plan.lines)
    assert [h.title for h in after.headings] == [h.title for h in doc.headings]
    assert len(after.entries) == len(doc.entries) + 1
    new = next(e for e in after.entries if e.start >= plan.at_line)
    assert new.end <= plan.at_line + len(plan.lines)
    fields = extract_fields(
        after.entry_text(new), table_header=HEADER if name == "table.md" else None
    )
    assert fields.is_paper
    assert "arxiv:2410.16215" in fields.identities
    assert "<script>" not in "\n".join(plan.lines)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("note", ["- <script>alert(1)</script>", "\t <script>x</script>", "<!-- x"])
def test_a_note_shaped_like_the_lists_own_notes_carries_no_raw_html(target, note) -> None:
    name, section = target
    doc = DOCS[name]
    place = doc.section(section)
    paper = Paper(arxiv_id="2410.16215", title="Safe notes", published="2024-10-21", note=note)
    plan = plan_insertion(doc, place, infer_style(doc, place), paper)
    written = "\n".join(plan.lines)
    assert "<script>" not in written and "<!--" not in written
    if name not in ("link_set.md", "table.md"):  # those lists write no notes
        assert "&lt;" in written  # the note is kept, as literal text
