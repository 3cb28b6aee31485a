"""An insertion keeps what was learned: table heads always, samples on long lists and sections."""

from __future__ import annotations

import pytest
from benchmarks.listgen import generate_list
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.listmodel import parse_list
from sync.paper import Paper
from sync.styles import carry_list_habits, infer_style, plan_insertion
from sync.styles.entries import doc_cache
from sync.styles.style import CARRY_MIN_ENTRIES, CARRY_MIN_SECTION_ENTRIES
from sync.styles.table import carry_separators, header_of

PAPER = Paper(
    arxiv_id="2611.01234",
    title="Carried habits of long lists",
    authors=["Ada Lovelace", "Alan Turing"],
    published="2026-11-02",
)


def _insert(doc, target):
    style = infer_style(doc, target)
    plan = plan_insertion(doc, target, style, PAPER)
    new = doc.with_lines_inserted(plan.at_line, plan.lines)
    carry_list_habits(doc, new, target)
    return style, new


@pytest.mark.parametrize("list_style", ["bold_arxiv", "link_date"])
def test_a_long_section_keeps_its_style_and_it_is_what_a_fresh_parse_learns(list_style) -> None:
    doc = parse_list(generate_list(list_style, 16_000, seed=5))
    target = max(doc.sections, key=lambda s: len(doc.entry_indexes(s)))
    assert len(doc.entry_indexes(target)) >= CARRY_MIN_SECTION_ENTRIES
    style, new = _insert(doc, target)
    key = target.heading_line, target.address
    assert doc_cache(new)["styles"][key] is style
    assert doc_cache(new)["list_sample"] is doc_cache(doc)["list_sample"]
    fresh = parse_list(new.render())
    assert infer_style(fresh, fresh.section(target.address)) == style


def test_short_sections_and_short_lists_are_learned_again() -> None:
    tiny = b"\n## Tiny\n\n- [A paper](https://arxiv.org/abs/2601.00001), Jan. 1 2026.\n"
    doc = parse_list(generate_list("link_date", 6_000, seed=5) + tiny)
    assert doc.entry_count >= CARRY_MIN_ENTRIES
    target = doc.section("Tiny")
    assert len(doc.entry_indexes(target)) < CARRY_MIN_SECTION_ENTRIES
    _style, new = _insert(doc, target)
    assert "styles" not in doc_cache(new) and "list_sample" in doc_cache(new)

    short = parse_list(generate_list("link_date", 200, seed=5))
    _style, new = _insert(short, short.sections_with_entries()[0])
    assert doc_cache(new) == {}


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
