"""An insertion keeps what was learned (templates, table heads): learning is once per file state."""

from __future__ import annotations

import pytest
from benchmarks.listgen import generate_list
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Paper
from papershelf.sync.styles import carry_list_habits, infer_style, plan_insertion, render_entry
from papershelf.sync.styles.cache import doc_cache, section_key
from papershelf.sync.styles.table import carry_separators, header_of

PAPER = Paper(
    arxiv_id="2611.01234",
    title="Carried habits of long lists",
    authors=("Ada Lovelace", "Alan Turing"),
    published="2026-11-02",
)


def _insert(doc, target):
    style = infer_style(doc, target)
    plan = plan_insertion(doc, target, style, PAPER)
    new = doc.with_lines_inserted(plan.at_line, plan.lines)
    carry_list_habits(doc, new, target)
    return style, new


@pytest.mark.parametrize("list_style", ["bold_arxiv", "link_date", "table"])
def test_every_section_keeps_its_template_and_it_writes_what_a_fresh_parse_would(
    list_style,
) -> None:
    doc = parse_list(generate_list(list_style, 3_000, seed=5))
    sections = doc.sections_with_entries()
    target, other = sections[len(sections) // 2], sections[-1]
    infer_style(doc, other)
    style, new = _insert(doc, target)
    carried = doc_cache(new)["styles"]
    assert carried[section_key(target)] is style
    assert carried[section_key(other)] is infer_style(doc, other)
    # The carried template writes exactly what the list, learned afresh, would write.
    fresh = parse_list(new.render())
    probe = PAPER.replace(
        title="Another probe paper", arxiv_id="2611.05678", url="https://arxiv.org/abs/2611.05678"
    )
    for section in (target, other):
        again = infer_style(fresh, fresh.section(section.address))
        assert render_entry(probe, carried[section_key(section)]) == render_entry(probe, again)


def test_a_person_s_edit_is_a_new_file_state_learned_afresh() -> None:
    doc = parse_list(generate_list("link_date", 200, seed=5))
    target = doc.sections_with_entries()[0]
    infer_style(doc, target)
    edited = parse_list(
        doc.render()
        + b"\n## Added by hand\n\n- [X](https://arxiv.org/abs/2601.00001), Jan. 1 2026.\n"
    )
    assert "styles" not in doc_cache(edited)


def _fresh_separators(doc) -> list[int]:
    fresh = parse_list(doc.render())
    header_of(fresh, _AnyEntry())  # computes the document's table heads
    return doc_cache(fresh)["separators"]


def test_table_heads_are_carried_exactly_into_a_generated_table_list() -> None:
    doc = parse_list(generate_list("table", 2_000, seed=5))
    header_of(doc, _AnyEntry())
    for target in doc.sections_with_entries()[:3]:
        target = doc.section(target.address)
        style = infer_style(doc, target)
        plan = plan_insertion(doc, target, style, PAPER)
        new = doc.with_lines_inserted(plan.at_line, plan.lines)
        carry_list_habits(doc, new, target, plan.at_line, len(new.lines) - len(doc.lines))
        assert doc_cache(new)["separators"] == _fresh_separators(new)
        doc = new


ROWS = st.sampled_from(
    ["| a | b |", "|---|---|", "--|--", "text", "", "| x |", ":--- | ---:", "- item", "|"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ROWS, min_size=1, max_size=12), st.data())
def test_carried_table_heads_equal_a_fresh_scan_whatever_goes_in(lines, data) -> None:
    """Even lines verify_insertion would refuse (a row that makes a head) are carried right."""
    doc = parse_list("".join(line + "\n" for line in lines).encode())
    header_of(doc, _AnyEntry())
    at = data.draw(st.integers(0, len(doc.lines)))
    new_lines = data.draw(st.lists(ROWS, min_size=1, max_size=3))
    new = doc.with_lines_inserted(at, new_lines)
    carry_separators(doc, new, at, len(new.lines) - len(doc.lines))
    assert doc_cache(new)["separators"] == _fresh_separators(new)


class _AnyEntry:
    start = 0
