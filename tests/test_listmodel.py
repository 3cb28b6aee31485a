"""The lossless list model: round-trips, structure, section addressing, splicing and verifying."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from papershelf.sync.errors import BadInput, ListChanged, NotFound
from papershelf.sync.listmodel import describe, parse_list, verify_insertion

LISTS = FIXTURES / "lists"


def _doc(text: str):
    return parse_list(text.encode("utf-8"))


def _spans(doc) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.kind) for e in doc.entries]


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n",
        b"\r\n",
        b"no newline",
        b"\xef\xbb\xbf# T\r\n\r\n- a\r\n",
        b"- a\n- b",
        b"\x00\xff\xfe\x80 bad utf8\n\r\r\n\x0b\x1c\xe2\x80\xa8 line\n",
        b"lone\rcr\n- item\r",
        b"\t- tab\t \n   trailing   \n",
        b"\xef\xbb\xbf",
        b"\xed\xa0\x80 encoded surrogate\n",
    ],
)
def test_render_is_identity_on_odd_bytes(data: bytes) -> None:
    assert parse_list(data).render() == data


def test_lines_keep_their_endings_and_split_on_newline_only() -> None:
    doc = parse_list(b"a\r\nb\x0bc\xe2\x80\xa8d\ne")
    assert doc.lines == ["a\r\n", "b\x0bc\u2028d\n", "e"]
    assert doc.eol == "\n"  # one CRLF, one LF: ties go to LF
    assert parse_list(b"a\r\nb\r\nc\n").eol == "\r\n"


def test_bom_is_kept_apart() -> None:
    doc = parse_list(b"\xef\xbb\xbf# Title\n- x\n")
    assert doc.bom == b"\xef\xbb\xbf"
    assert doc.lines[0] == "# Title\n"
    assert doc.headings[0].title == "Title"


# --- headings and sections --------------------------------------------------------------------


def test_atx_and_setext_headings_build_paths() -> None:
    doc = _doc("# Top #\n\nIntro\n\nPart A\n------\n- a\n\n### Deep ###\n- b\n\nPart B\n===\n")
    assert [(h.level, h.title, h.line, h.path, h.setext) for h in doc.headings] == [
        (1, "Top", 0, ("Top",), False),
        (2, "Part A", 4, ("Top", "Part A"), True),
        (3, "Deep", 8, ("Top", "Part A", "Deep"), False),
        (1, "Part B", 11, ("Part B",), True),
    ]
    part_a = doc.section("Part A")
    assert (part_a.start, part_a.end) == (6, 8)
    assert [e.section for e in doc.entries] == [
        ("Top",),
        ("Top", "Part A"),
        ("Top", "Part A", "Deep"),
    ]


def test_front_matter_and_fences_hide_headings() -> None:
    text = (
        "---\ntitle: x\n---\n# Real\n```\n# not a heading\n- not an item\n```\n~~~~\n## no\n~~~~\n"
    )
    doc = _doc(text)
    assert [h.title for h in doc.headings] == ["Real"]
    assert doc.entries == []
    assert [b.kind for b in doc.blocks] == ["front_matter", "code", "code"]


def test_html_comment_hides_content() -> None:
    doc = _doc("<!--\n# hidden\n- hidden\n-->\n# Shown\n- shown\n")
    assert [h.title for h in doc.headings] == ["Shown"]
    assert _spans(doc) == [(5, 6, "item")]


# --- entries ----------------------------------------------------------------------------------


def test_item_with_blank_line_and_tab_indented_author_line() -> None:
    text = (
        "## S\n- **A wrapped\n  title**, `arXiv, 1`\n\n\t *Ann Author*\n"
        "- **B**, `arXiv, 2`\n\n\t *Bo Author*\n\n\n## T\n"
    )
    doc = _doc(text)
    assert _spans(doc) == [(1, 5, "item"), (5, 8, "item")]
    assert (
        doc.entry_text(doc.entries[0]) == "- **A wrapped\n  title**, `arXiv, 1`\n\n\t *Ann Author*"
    )


def test_nested_notes_and_lazy_lines_belong_to_the_item() -> None:
    doc = _doc("- [T](u), 2024.\n  - _note_\nlazy line\n- next\n1. ordered\n2) other\n")
    assert [(e.start, e.end, e.marker) for e in doc.entries] == [
        (0, 3, "-"),
        (3, 4, "-"),
        (4, 5, "1."),
        (5, 6, "2)"),
    ]


def test_paragraph_entries_and_table_rows() -> None:
    doc = _doc(
        "**Title**. A et al. ICML'24\\\n<https://x>\n\nIntro:\n- a\n\n"
        "| Date | Title |\n|---|:--:|\n| 2024 | A |\n| 2023 | B |\n\nafter\n"
    )
    assert [(e.start, e.end, e.kind, e.marker) for e in doc.entries] == [
        (0, 2, "paragraph", ""),
        (3, 4, "paragraph", ""),
        (4, 5, "item", "-"),
        (8, 9, "row", "|"),
        (9, 10, "row", "|"),
        (11, 12, "paragraph", ""),
    ]


# --- addressing -------------------------------------------------------------------------------


def test_section_addressing_rules() -> None:
    doc = _doc("# Top\n## Alpha\n### Other\n## Beta\n### Other\n### Survey\n")
    assert doc.section("Top > Beta > Survey").title == "Survey"
    assert doc.section("Survey").path == ("Top", "Beta", "Survey")
    assert doc.section("beta > other").path == ("Top", "Beta", "Other")
    assert doc.section("  SURVEY ").path == ("Top", "Beta", "Survey")
    assert doc.section("").path == ()
    with pytest.raises(BadInput, match="ambiguous") as ambiguous:
        doc.section("Other")
    assert "Top > Alpha > Other" in str(ambiguous.value)
    assert "Top > Beta > Other" in str(ambiguous.value)
    with pytest.raises(NotFound) as missing:
        doc.section("Survy")
    assert missing.value.closest[0] == "Top > Beta > Survey"
    assert doc.section_addresses() == [
        "Top",
        "Top > Alpha",
        "Top > Alpha > Other",
        "Top > Beta",
        "Top > Beta > Other",
        "Top > Beta > Survey",
    ]


def test_section_of_line_and_describe() -> None:
    doc = _doc("intro\n# A\n- a\n# B\n- b\n")
    assert doc.section_of_line(0).path == ()
    assert doc.section_of_line(1).path == ("A",)
    assert doc.section_of_line(2).path == ("A",)
    assert doc.section_of_line(4).path == ("B",)
    assert doc.section_addresses() == ["", "A", "B"]
    info = describe(doc)
    assert info["sections"][1] == {
        "address": "A",
        "title": "A",
        "level": 1,
        "heading_line": 2,
        "entries": 1,
    }
    assert info["entries"][1] == {
        "section": "A",
        "kind": "item",
        "marker": "-",
        "start": 3,
        "end": 3,
    }


# --- splicing ---------------------------------------------------------------------------------


def test_insert_keeps_missing_final_newline() -> None:
    doc = _doc("# A\n- a")
    after = doc.with_lines_inserted(2, ["- b"])
    assert after.render() == b"# A\n- a\n- b"
    verify_insertion(doc, after, 2, ["- b"])


def test_insert_uses_the_files_crlf() -> None:
    doc = parse_list(b"# A\r\n- a\r\n\r\n# B\r\n")
    after = doc.with_lines_inserted(2, ["- b"])
    assert after.render() == b"# A\r\n- a\r\n- b\r\n\r\n# B\r\n"
    verify_insertion(doc, after, 2, ["- b"])


def test_insert_rejects_line_breaks_and_bad_positions() -> None:
    doc = _doc("- a\n")
    with pytest.raises(BadInput):
        doc.with_lines_inserted(0, ["- x\n- y"])
    with pytest.raises(BadInput):
        doc.with_lines_inserted(5, ["- x"])


def test_verify_refuses_swallowing_a_continuation_line() -> None:
    doc = _doc("## S\n- **A**\n\n\t *Author*\n- **B**\n")
    # Right before the author line: the new item would take the author line from **A**.
    after = doc.with_lines_inserted(3, ["- **New**"])
    with pytest.raises(ListChanged):
        verify_insertion(doc, after, 3, ["- **New**"])
    good = doc.with_lines_inserted(4, ["- **New**", "", "\t *Someone*"])
    verify_insertion(doc, good, 4, ["- **New**", "", "\t *Someone*"])


def test_verify_refuses_joining_a_paragraph_and_opening_a_fence() -> None:
    doc = _doc("# S\n\n**A**. X et al.\\\n<https://a>\n\n# T\n- t\n")
    joined = doc.with_lines_inserted(4, ["more text"])
    with pytest.raises(ListChanged):
        verify_insertion(doc, joined, 4, ["more text"])
    fence = doc.with_lines_inserted(5, ["```"])
    with pytest.raises(ListChanged):
        verify_insertion(doc, fence, 5, ["```"])
    good = doc.with_lines_inserted(5, ["**B**. Y et al.\\", "<https://b>", ""])
    verify_insertion(doc, good, 5, ["**B**. Y et al.\\", "<https://b>", ""])


def test_verify_refuses_bytes_that_differ() -> None:
    doc = _doc("- a\n- b\n")
    other = _doc("- a\n- x\n- c\n")
    with pytest.raises(ListChanged):
        verify_insertion(doc, other, 1, ["- x"])


# --- CommonMark corners that decide entry boundaries ------------------------------------------


def test_only_an_ordered_one_interrupts_a_paragraph() -> None:
    doc = _doc("Intro text\n2. not an item\n\nIntro text\n1. an item\n")
    assert _spans(doc) == [(0, 2, "paragraph"), (3, 4, "paragraph"), (4, 5, "item")]


def test_html_type_7_does_not_interrupt_a_paragraph_but_a_div_does() -> None:
    doc = _doc("Text\n<span>\n\nText\n<div>\n- x\n")
    assert _spans(doc) == [(0, 2, "paragraph"), (3, 4, "paragraph")]
    assert [(b.start, b.end, b.kind) for b in doc.blocks] == [(4, 6, "html")]


def test_lazy_lines_stop_at_headings_quotes_and_breaks() -> None:
    doc = _doc("- a\nlazy\n# H\n- b\n> q\n- c\n***\n- d\n===\n")
    assert _spans(doc) == [(0, 2, "item"), (3, 4, "item"), (5, 6, "item"), (7, 9, "item")]
    assert [h.title for h in doc.headings] == ["H"]


def test_empty_item_then_blank_line_ends_it() -> None:
    doc = _doc("-\n\n  not in the item\n\n-\n  in the item\n")
    assert _spans(doc) == [(0, 1, "item"), (2, 3, "paragraph"), (4, 6, "item")]


def test_fenced_code_inside_an_item_keeps_its_unindented_lines_out() -> None:
    doc = _doc("- a\n  ```\n  # inside\nnot lazy\n")
    assert _spans(doc) == [(0, 3, "item"), (3, 4, "paragraph")]
    assert doc.headings == []


def test_multi_line_setext_title_and_atx_closing_sequences() -> None:
    doc = _doc("Two line\n  title\n---\n## A ##\n### B#\n#### #\n#nope\n")
    assert [(h.level, h.title) for h in doc.headings] == [
        (2, "Two line title"),
        (2, "A"),
        (3, "B#"),
        (4, ""),
    ]
    assert _spans(doc) == [(6, 7, "paragraph")]


def test_entry_at_finds_the_entry_holding_a_line() -> None:
    doc = _doc("# S\n- a\n  more\n\n- b\n")
    first = doc.entry_at(2)
    assert first is not None and (first.start, first.end) == (1, 3)
    assert doc.entry_at(3) is None
    assert doc.entry_at(0) is None


def test_entries_are_built_once_when_threads_race() -> None:
    import threading

    doc = parse_list(b"# S\n" + b"".join(b"- [P%d](u)\n" % i for i in range(3000)))
    barrier = threading.Barrier(4)

    def touch() -> None:
        barrier.wait(timeout=10)
        assert len(doc.entries) == 3000

    threads = [threading.Thread(target=touch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(doc.section("S").entries) == 3000


# --- the parse cache --------------------------------------------------------------------------


def test_parse_cache_reuses_a_parse_only_for_identical_bytes() -> None:
    from papershelf.sync.listmodel import ParseCache

    cache = ParseCache(size=2)
    data = b"# S\n- a\n"
    first = cache.parse("a.md", data)
    assert cache.parse("a.md", bytes(data)) is first
    changed = cache.parse("a.md", b"# S\n- b\n")
    assert changed is not first and changed.render() == b"# S\n- b\n"
    after = changed.with_lines_inserted(2, ["- c"])
    cache.remember("a.md", after)
    assert cache.parse("a.md", b"# S\n- b\n- c\n") is after
    cache.parse("b.md", b"x")
    cache.parse("c.md", b"y")  # size 2: a.md, the least recently used, is dropped
    assert cache.parse("a.md", b"# S\n- b\n- c\n") is not after
    assert (cache.hits, cache.misses) == (2, 5)
    cache.forget()
    assert cache.parse("b.md", b"x").render() == b"x"


def test_link_reference_definitions_are_not_entries() -> None:
    doc = _doc(
        '# Refs\n\n[1]: https://arxiv.org/abs/2401.00001 "Paper"\n[two]: <https://x.org>\n\n- item\n'
    )
    assert _spans(doc) == [(5, 6, "item")]
    assert [(b.start, b.end, b.kind) for b in doc.blocks] == [(2, 4, "references")]
    mixed = _doc("[1]: https://x.org\nText after the definition.\n")
    assert _spans(mixed) == [(1, 2, "paragraph")]


def test_definitions_above_a_setext_underline_are_not_its_title() -> None:
    only = _doc("[r]: https://x.org\n-\n")
    assert only.headings == [] and _spans(only) == [(1, 2, "item")]
    mixed = _doc("[r]: https://x.org\nTitle\n---\n")
    assert [(h.title, h.line, h.level) for h in mixed.headings] == [("Title", 1, 2)]


def test_sections_keep_their_entries_after_the_document_is_gone() -> None:
    sections = parse_list(b"# A\n\n- one\n- two\n\n# B\n\n- three\n").sections
    assert [[e.start for e in s.entries] for s in sections] == [[], [2, 3], [7]]


def test_a_document_is_freed_without_the_cyclic_gc() -> None:
    import gc
    import weakref

    doc = parse_list(b"# A\n\n- one\n- two\n")
    assert [e.start for e in doc.sections[1].entries] == [2, 3]
    ref = weakref.ref(doc)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del doc
        # Reference counting alone frees it: no document <-> section cycle for the GC to find.
        assert ref() is None
    finally:
        if was_enabled:
            gc.enable()


def test_entries_built_per_section_match_the_whole_list() -> None:
    data = b"- root\n\n# A\n\n- one\n  more\n- two\n\n## A1\n\n- three\n\n# B\n\ntext\n\n- four\n"
    doc = parse_list(data)
    # Sampled access first, then the whole list: the same objects either way.
    third = doc.entry(2)
    assert doc.entry_count == 6  # "text" is a paragraph entry
    between = doc.entries_between(4, 7)
    whole = doc.entries
    assert [e.start for e in whole] == [0, 4, 6, 10, 14, 16]
    assert third == whole[2]
    assert between == whole[1:3]
    assert doc.entry_at(5) is whole[1]
    assert [s.title for s in doc.sections_with_entries()] == ["", "A", "A1", "B"]
    assert doc.section_address_of_line(10) == "A > A1"


def test_headings_of_a_legacy_list_read_in_its_encoding() -> None:
    """A cp1252/Latin-1 list's headings are the text the file means; its bytes stay as they are."""
    data = "# Liste\n\n## Théorie “x”\n\n- [Réseaux](u)\n\n## Fin\n".encode("cp1252")
    doc = parse_list(data)
    assert doc.section_addresses() == ["Liste", "Liste > Théorie “x”", "Liste > Fin"]
    assert doc.section("Théorie “x”").path == ("Liste", "Théorie “x”")
    assert [h.title for h in doc.headings] == ["Liste", "Théorie “x”", "Fin"]
    assert describe(doc)["entries"][0]["section"] == "Liste > Théorie “x”"
    assert doc.render() == data
    after = doc.with_lines_inserted(5, ["- [Modèle](v)"])
    assert after.section_addresses() == doc.section_addresses()
    assert after.render() == data.replace(b"(u)\n", b"(u)\n- [Mod\xe8le](v)\n")
    # A UTF-8 list with a stray byte keeps it as an escape: it is not in a legacy encoding.
    stray = parse_list("# Liste\n\n## Théorie ".encode() + b"\xff\n")
    assert stray.headings[1].title == "Théorie \udcff"
