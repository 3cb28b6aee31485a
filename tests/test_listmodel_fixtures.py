"""The list model on real-shaped lists: our fixtures, and the shared seeds when they are present."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED_SEEDS

from papershelf.sync.errors import BadInput, ListChanged
from papershelf.sync.listmodel import ListDocument, describe, parse_list, verify_insertion
from papershelf.sync.listmodel.lines import strip_ending

LISTS = FIXTURES / "lists"
FIXTURE_FILES = sorted(LISTS.glob("*.md"))
SEED_FILES = sorted(SHARED_SEEDS.glob("*.txt")) if SHARED_SEEDS.is_dir() else []
needs_seeds = pytest.mark.skipif(not SEED_FILES, reason="shared/seeds is not here")


def _parse(path: Path) -> ListDocument:
    return parse_list(path.read_bytes())


def _seed(prefix: str) -> ListDocument:
    if not SEED_FILES:
        pytest.skip("shared/seeds is not here")
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    return _parse(path)


def _ranges(doc: ListDocument, section: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of a section's entries."""
    return [(e.start + 1, e.end) for e in doc.section(section).entries]


def _copy_entry_to_section_end(doc: ListDocument, address: str) -> tuple[int, list[str]]:
    """An insertion that repeats the section's first entry after its last one, in its spacing."""
    entries = doc.section(address).entries
    first, last = entries[0], entries[-1]
    new = [strip_ending(line) for line in doc.lines[first.start : first.end]]
    if first.kind == "paragraph":
        new = ["", *new]  # paragraphs need a blank line between them
    return last.end, new


def _assert_each_section_takes_an_entry(doc: ListDocument) -> int:
    checked = 0
    for address in doc.section_addresses():
        if not doc.section(address).entries:
            continue
        at, new = _copy_entry_to_section_end(doc, address)
        after = doc.with_lines_inserted(at, new)
        verify_insertion(doc, after, at, new)
        assert after.render().startswith(doc.bom)
        assert len(after.entries) == len(doc.entries) + 1
        checked += 1
    return checked


# --- every file round-trips and takes an entry in every section -------------------------------


def test_fixture_folder_is_populated() -> None:
    assert len(FIXTURE_FILES) >= 12


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_round_trips(path: Path) -> None:
    data = path.read_bytes()
    doc = parse_list(data)
    assert doc.render() == data
    assert doc.bom + "".join(doc.lines).encode("utf-8", "surrogateescape") == data


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_sections_each_take_an_entry(path: Path) -> None:
    doc = _parse(path)
    filled = [a for a in doc.section_addresses() if doc.section(a).entries]
    assert _assert_each_section_takes_an_entry(doc) == len(filled) > 0


@needs_seeds
@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_round_trips(path: Path) -> None:
    data = path.read_bytes()
    assert parse_list(data).render() == data


@needs_seeds
@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_sections_each_take_an_entry_and_refuse_splits(path: Path) -> None:
    doc = _parse(path)
    assert _assert_each_section_takes_an_entry(doc) > 0
    for entry in doc.entries:
        if entry.end - entry.start > 1:  # inside a multi-line entry: must be refused
            at = entry.start + 1
            after = doc.with_lines_inserted(at, ["- [Split](https://arxiv.org/abs/2401.99999)"])
            with pytest.raises(ListChanged):
                verify_insertion(doc, after, at, ["- [Split](https://arxiv.org/abs/2401.99999)"])


# --- seed structure ---------------------------------------------------------------------------


def test_seed_003_sections_and_entry_ranges() -> None:
    doc = _seed("003")
    addresses = doc.section_addresses()
    assert "Awesome llm training > Alignment > Survey" in addresses
    assert "Awesome llm training > Alignment > Paper & Projects" in addresses
    assert "Awesome llm training > Extra reference" in addresses  # "## Extra reference "
    assert doc.section("Alignment > Survey").address == "Awesome llm training > Alignment > Survey"
    with pytest.raises(BadInput, match="ambiguous"):
        doc.section("Other")
    # The TOC (tab-indented) is one entry right under the H1.
    assert _ranges(doc, "Awesome llm training") == [(3, 21)]
    # Wrapped title, blank line, tab-indented author line: one entry of lines 25-28.
    pretrain = _ranges(doc, "Pretrain")
    assert pretrain[:4] == [(25, 28), (29, 32), (33, 35), (36, 39)]
    first = doc.section("Pretrain").entries[0]
    text = doc.entry_text(first)
    assert text.startswith("- **SpacTor-T5: Pre-training T5 Models")
    assert "\n  Token Detection**" in text
    assert text.endswith("Sanjiv Kumar*")
    assert "Jean-Fran√ßois" in text  # mojibake kept as is
    assert all(e.kind == "item" and e.marker == "-" for e in doc.entries)


def test_seed_002_paragraph_entries() -> None:
    doc = _seed("002")
    assert [b.kind for b in doc.blocks] == ["front_matter"]
    assert doc.section_addresses()[0] == "Efficient Training: Low-Rank"
    low_rank = doc.section("efficient training: low-rank").entries
    assert [e.kind for e in low_rank] == ["paragraph"] * 6
    assert (low_rank[0].start + 1, low_rank[0].end) == (12, 15)
    assert (
        doc.entry_text(low_rank[0]).splitlines()[-1]
        == "<https://aclanthology.org/2021.acl-long.353>"
    )
    rl = doc.section("RL Training").entries
    assert doc.entry_text(rl[0]) == "RL spinup:"
    assert (rl[1].kind, rl[1].marker) == ("item", "-")


def test_seed_000_items_with_nested_notes() -> None:
    doc = _seed("000")
    assert doc.section_addresses() == [
        "Optimization",
        "Pre-training",
        "Peft techniques",
        "Alignment, preference alignment, reward models",
    ]
    multi = [(e.start + 1, e.end) for e in doc.entries if e.end - e.start > 1]
    assert (39, 41) in multi
    note = doc.entry_at(39)
    assert note is not None and doc.entry_text(note).count("\n  - _") == 2
    assert all(e.kind == "item" for e in doc.entries)


def test_seed_004_toc_and_duplicate_title() -> None:
    doc = _seed("004")
    assert _ranges(doc, "LLM Training") == [(3, 14)]  # the exact path wins over the suffix
    assert doc.section("LLM Training > LLM Training").heading_line == 19
    assert _ranges(doc, "Pretraining") == [(29, 31), (32, 35)]
    info = describe(doc)
    assert info["sections"][0]["address"] == ""
    assert sum(s["entries"] for s in info["sections"]) == len(info["entries"])


# --- fixture specifics ------------------------------------------------------------------------


def test_crlf_fixture_gets_crlf_lines() -> None:
    doc = _parse(LISTS / "link_date_crlf.md")
    assert doc.eol == "\r\n"
    at, new = _copy_entry_to_section_end(doc, "Optimizers")
    data = doc.with_lines_inserted(at, new).render()
    assert data.count(b"\n") == data.count(b"\r\n")


def test_no_final_newline_fixture_stays_without_one() -> None:
    doc = _parse(LISTS / "plain_no_final_newline.md")
    new = ["- [Appended](https://arxiv.org/abs/2401.99998)"]
    after = doc.with_lines_inserted(len(doc.lines), new)
    verify_insertion(doc, after, len(doc.lines), new)
    assert after.render() == doc.render() + b"\n" + new[0].encode()


def test_bom_fixture_keeps_bom_once() -> None:
    doc = _parse(LISTS / "plain_bom_crlf.md")
    after = doc.with_lines_inserted(0, ["Intro line."])
    assert after.render().startswith(b"\xef\xbb\xbfIntro line.\r\n# Reading list")


def test_fences_and_html_hide_headings_and_entries() -> None:
    doc = _parse(LISTS / "fences_html.md")
    assert [h.title for h in doc.headings] == ["Code and HTML", "Papers"]
    texts = [doc.entry_text(e).splitlines()[0] for e in doc.entries]
    assert not any("Not an entry" in t or "not an entry" in t for t in texts)
    assert any("Inside details" in t for t in texts)
    item_with_fence = doc.entries[1]
    assert doc.entry_text(item_with_fence).endswith("  ```")


def test_setext_and_table_fixtures() -> None:
    setext = _parse(LISTS / "setext.md")
    assert [(h.title, h.level, h.setext) for h in setext.headings] == [
        ("Awesome Setext List", 1, True),
        ("Retrieval", 2, True),
        ("Memory", 2, True),
        ("Deeper ATX under setext", 3, False),
    ]
    table = _parse(LISTS / "table.md")
    assert [len(table.section(s).entries) for s in ("Pretraining", "Finetuning")] == [3, 2]
    assert {e.kind for e in table.section("Finetuning").entries} == {"row"}


def test_item_right_above_an_indented_code_block_is_refused() -> None:
    doc = _parse(LISTS / "tabs_trailing_spaces.md")
    code = next(b for b in doc.blocks if b.kind == "code")
    at = code.start - 1  # the blank line above the code block
    new = ["- [Would swallow the code](https://arxiv.org/abs/2401.99997)"]
    after = doc.with_lines_inserted(at, new)
    with pytest.raises(ListChanged, match="code block"):
        verify_insertion(doc, after, at, new)


# --- agreement with markdown-it-py on real-shaped files ---------------------------------------


@pytest.mark.parametrize("path", FIXTURE_FILES + SEED_FILES, ids=lambda p: p.name)
def test_structure_agrees_with_markdown_it(path: Path) -> None:
    """Headings and entry ranges as a CommonMark parser sees them (front matter blanked out)."""
    from test_listmodel_props import _markdown_it_structure

    doc = _parse(path)
    lines = list(doc.lines)
    for block in doc.blocks:
        if block.kind == "front_matter":  # markdown-it does not know front matter
            lines[block.start : block.end] = ["\n"] * (block.end - block.start)
    text = "".join(lines)
    if "\r" in text.replace("\r\n", "\n"):
        pytest.skip("a lone CR is a line break to CommonMark, not here")
    ours = (
        [(h.level, h.line) for h in doc.headings if not h.html],  # HTML ones: html_block tokens
        [(e.start, e.end, e.kind) for e in doc.entries],
    )
    assert ours == _markdown_it_structure(text, doc.lines)
