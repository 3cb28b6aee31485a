"""Property tests of the list model over generated markdown and arbitrary bytes.

- `render()` gives back the input, for markdown from a grammar and for any bytes;
- the parse is structurally sane (sorted, non-overlapping entries inside their sections);
- an insertion re-scanned near the splice equals a full parse of the result;
- `verify_insertion` agrees with a brute-force check that compares everything;
- headings and entries agree with markdown-it-py (CommonMark) on generated markdown.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from papershelf.sync.errors import BadInput, ListChanged
from papershelf.sync.listmodel import ListDocument, kinds, parse_list, verify_insertion
from papershelf.sync.listmodel.rows import EntryRows, LineNumbers

WORDS = st.sampled_from(
    ["Paper", "scaling", "LoRA", "ünïcode", "¬∑", "a|b", "`x`", "**bold**", "[l](u)", "#tag", ""]
)
TEXT = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)

# HTML headings as centred READMEs write them: alone, split over lines, wrapped, with inline
# tags and entities; and the places where an `<h2>` is no heading.
HTML_HEADING = st.one_of(
    st.builds(
        lambda n, attrs, t: f"<h{n}{attrs}>{t}</h{n}>",
        st.integers(1, 7),
        st.sampled_from(["", ' align="center"', " id='x'", ' ALIGN="center"']),
        TEXT,
    ),
    st.sampled_from(
        [
            "<h2>",
            "</h2>",
            '<H3 id="a">',
            "</H3>",
            '<div align="center">',
            '<p align="center">',
            "</p>",
            "<details>",
            "</details>",
            "<summary><h3>Summary</h3></summary>",
            "<!-- <h2>Hidden</h2> -->",
            '<h1><img src="l.png" alt="Logo &amp; co"></h1>',
            '  <a href="#top"><b>Top</b> &amp; more</a>',
            "text <h2>inline</h2> text",
            "<table><tr><td><h4>Cell</h4></td></tr></table>",
            "<h2>One</h2><h3>Two</h3>",
            "<h4>Broken <br/>line</h4>",
        ]
    ),
)

# Line shapes that exercise every rule the scanner has.
LINE = st.one_of(
    TEXT,
    HTML_HEADING,
    st.builds(lambda h, t: f"{'#' * h} {t}", st.integers(1, 7), TEXT),
    st.builds(lambda m, t: f"{m} {t}", st.sampled_from(["-", "*", "+", "1.", "2)", "10."]), TEXT),
    st.builds(
        lambda p, t: f"{p}{t}", st.sampled_from(["  ", "\t", "\t ", "    ", " ", "   - "]), TEXT
    ),
    st.sampled_from(
        [
            "",
            "",
            "",
            "-",
            "---",
            "===",
            "***",
            "- - -",
            "```",
            "~~~",
            "```py",
            "  ```",
            "<!--",
            "-->",
            "<div>",
            "</div>",
            "<https://x.org>",
            "<script>",
            "</script>",
            "<pre class='x'>",
            "<?php",
            "?>",
            "<!DOCTYPE html>",
            "<![CDATA[",
            "]]>",
            "<span>",
            "<a href='u'>",
            "> - quoted item",
            "> ```",
            "   > quote",
            "    - indented four",
            "- # Heading in an item",
            "  # heading inside",
            "  ===",
            "  ---",
            "  ***",
            "-     code in an item",
            "*not a bullet*",
            "[r]: https://x.org",
            "[ref label]: <https://y.org> 'title'",
            "[]: not a definition",
            "> quote",
            "| a | b |",
            "|---|---|",
            "| 1 | 2 |",
            "a | b",
            "--- | ---",
            "\t *Author One, Author Two*",
            "  Wrapped title**, `arXiv, 2401.1`",
            "    code",
            "text   ",
            "\t",
            "   ",
            "x\ry",
            "\x0b\x0c\u2028",
        ]
    ),
)
# More examples for a long local run: PAPERSHELF_HYPOTHESIS_EXAMPLES=5000 pytest ...
EXAMPLES = int(os.environ.get("PAPERSHELF_HYPOTHESIS_EXAMPLES", "300"))
ENDING = st.sampled_from(["\n", "\n", "\n", "\r\n"])


@st.composite
def markdown(draw: st.DrawFn) -> bytes:
    """A markdown document from the grammar, with mixed endings, maybe a BOM, maybe no final EOL."""
    lines = draw(st.lists(LINE, max_size=40))
    if draw(st.booleans()) and lines:
        lines = ["---", "title: t", "---", *lines] if draw(st.booleans()) else ["---", *lines]
    text = "".join(line + draw(ENDING) for line in lines)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if draw(st.booleans()) else data


def _sane(doc: ListDocument) -> None:
    n = len(doc.lines)
    sections = doc.sections
    assert sections[0].path == () and sections[0].start == 0
    for a, b in zip(sections, sections[1:], strict=False):
        assert a.end == b.heading_line
    assert sections[-1].end == n
    previous_end = 0
    for e in doc.entries:
        assert previous_end <= e.start < e.end <= n
        assert doc.lines[e.start].strip(" \t\r\n") and doc.lines[e.end - 1].strip(" \t\r\n")
        section = doc.section_of_line(e.start)
        assert e.section == section.path
        assert section.start <= e.start and e.end <= section.end
        assert e in section.entries
        previous_end = e.end
    assert sum(len(s.entries) for s in sections) == len(doc.entries)
    lines = [h.line for h in doc.headings]
    assert lines == sorted(set(lines))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown())
def test_generated_markdown_round_trips_and_is_sane(data: bytes) -> None:
    doc = parse_list(data)
    assert doc.render() == data
    assert doc.bom + "".join(doc.lines).encode("utf-8", "surrogateescape") == data
    _sane(doc)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_round_trip(data: bytes) -> None:
    doc = parse_list(data)
    assert doc.render() == data
    assert all(line.endswith("\n") for line in doc.lines[:-1])
    _sane(doc)


def _structure(doc: ListDocument) -> tuple:
    return (doc._raw, doc._heads, doc.blocks, doc._starts, doc.eol, doc.lines)


def _oracle_accepts(before: ListDocument, after: ListDocument, at: int, new: list[str]) -> bool:
    """Brute force: compare every heading, block and entry, and their texts."""
    k = len(after.lines) - len(before.lines)

    def moved(line: int) -> int:
        return line + k if line >= at else line

    def moved_end(end: int) -> int:
        return end + k if end > at else end

    if [(h.level, h.title, h.path, h.html, moved(h.line)) for h in before.headings] != [
        (h.level, h.title, h.path, h.html, h.line) for h in after.headings
    ]:
        return False
    if [(s.start + k if s.start > at else s.start) for s in before.sections] != [
        s.start for s in after.sections
    ]:
        return False
    if any(b.start < at < b.end for b in before.blocks):
        return False
    if [(moved(b.start), moved_end(b.end), b.kind) for b in before.blocks] != [
        tuple(b) for b in after.blocks
    ]:
        return False
    if any(e.start < at < e.end for e in before.entries):
        return False
    old = {
        (moved(e.start), moved_end(e.end), e.kind, e.indent, e.marker, before.entry_text(e))
        for e in before.entries
    }
    now = [(e.start, e.end, e.kind, e.indent, e.marker, after.entry_text(e)) for e in after.entries]
    fresh = [e for e in now if e not in old]
    if len(now) != len(old) + 1 or len(fresh) != 1:
        return False
    nonblank = [at + i for i, t in enumerate(new[:k]) if t.strip(" \t")]
    if not nonblank or (fresh[0][0], fresh[0][1]) != (nonblank[0], nonblank[-1] + 1):
        return False
    target = before.sections[0] if at == 0 else before.section_of_line(at - 1)
    return after.section_of_line(fresh[0][0]).path == target.path


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown(), st.data())
def test_insertion_rescan_equals_full_parse_and_verify_matches_oracle(
    data: bytes, choice: st.DataObject
) -> None:
    before = parse_list(data)
    at = choice.draw(st.integers(0, len(before.lines)))
    new = choice.draw(st.lists(LINE.filter(lambda t: "\r" not in t), min_size=1, max_size=4))
    after = before.with_lines_inserted(at, new)
    full = parse_list(after.render())
    assert _structure(after) == _structure(full)
    _sane(after)
    try:
        verify_insertion(before, after, at, new)
        accepted = True
    except ListChanged:
        accepted = False
    assert accepted == _oracle_accepts(before, full, at, new)


@contextlib.contextmanager
def _tiny_chunks() -> Iterator[None]:
    """Scan results in chunks of two rows, so even short documents span many chunks."""
    saved = EntryRows.chunk_rows, LineNumbers.chunk_rows
    EntryRows.chunk_rows = LineNumbers.chunk_rows = 2
    try:
        yield
    finally:
        EntryRows.chunk_rows, LineNumbers.chunk_rows = saved


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown(), st.data())
def test_successive_insertions_equal_a_full_parse_and_render_their_lines(
    data: bytes, choice: st.DataObject
) -> None:
    """Each insertion builds on the last one's moved chunks; bytes are spliced, not re-encoded."""
    with _tiny_chunks():
        doc = parse_list(data)
        for _ in range(choice.draw(st.integers(1, 4))):
            at = choice.draw(st.integers(0, len(doc.lines)))
            new = choice.draw(
                st.lists(LINE.filter(lambda t: "\r" not in t), min_size=1, max_size=3)
            )
            doc = doc.with_lines_inserted(at, new)
            rendered = doc.render()
            assert rendered == doc.bom + "".join(doc.lines).encode("utf-8", "surrogateescape")
            assert _structure(doc) == _structure(parse_list(rendered))
            _sane(doc)


# --- agreement with a CommonMark parser ---------------------------------------------------------

_MD = MarkdownIt("commonmark").enable("table")


def _span(token: Token) -> list[int]:
    """The lines a block token covers (markdown-it gives them for every block token)."""
    assert token.map is not None
    return token.map


def _markdown_it_structure(text: str, lines: list[str]) -> tuple[list, list]:
    """Top-level headings and entry ranges as markdown-it-py sees them (blank tails trimmed)."""

    def trim(start: int, end: int) -> int:
        while end > start and not lines[end - 1].strip(" \t\r\n"):
            end -= 1
        return end

    tokens = _MD.parse(text)
    heads = [
        (int(t.tag[1]), _span(t)[0]) for t in tokens if t.type == "heading_open" and t.level == 0
    ]
    entries = []
    for t in tokens:
        if t.type == "list_item_open" and t.level == 1:
            entries.append((_span(t)[0], trim(*_span(t)), "item"))
        elif t.type == "paragraph_open" and t.level == 0:
            entries.append((_span(t)[0], _span(t)[1], "paragraph"))
        elif t.type == "tbody_open" and t.level == 1:
            entries += [(r, r + 1, "row") for r in range(*_span(t))]
    return heads, sorted(entries)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE.filter(lambda t: "\r" not in t and "\x0b" not in t), max_size=25))
# Found by hypothesis: a setext underline left of a nested item's text is that text's lazy line.
@example(["- Paper", "   - Paper", "  ===", "Paper"])
@example(["- a", "  - b", "", "    c", "  ===", "x"])
@example(["- a", "  ===", "x"])
def test_headings_and_entries_agree_with_markdown_it(lines: list[str]) -> None:
    """Where it matters (top-level headings, items, paragraphs, rows) we parse as CommonMark.

    Known, deliberate differences are left out: a paragraph of one paper per line (one entry
    per line here, joined back for the comparison), front matter (markdown-it does not know it), a
    lone CR (a line break to CommonMark, kept inside the line here), a table whose header line
    is also a heading or list item (markdown-it tries tables first; GitHub does not), and text
    right after link reference definitions (cmark and GitHub keep it in the paragraph).
    """
    text = "".join(line + "\n" for line in lines)
    if text.startswith("---"):
        return
    doc = parse_list(text.encode("utf-8"))
    reference_ends = {b.end for b in doc.blocks if b.kind == "references"}
    if any(e.start in reference_ends for e in doc.entries):
        return  # text right after definitions: a paragraph to cmark, a new block to markdown-it
    for t in _MD.parse(text):
        if t.type == "table_open":
            found = kinds.measure(doc.lines[_span(t)[0]])
            if (
                found is None
                or found[0] >= 4
                or kinds.classify(found[1].rstrip("\n")) != kinds.TEXT
            ):
                return
    ours = (
        [(h.level, h.line) for h in doc.headings if not h.html],  # HTML ones: html_block tokens
        _paragraphs_joined([(e.start, e.end, e.kind) for e in doc.entries]),
    )
    assert ours == _markdown_it_structure(text, doc.lines)


def _paragraphs_joined(entries: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Entries as markdown has them: a paragraph written one paper per line (entries that touch,
    no blank line between) is one paragraph to markdown, deliberately one entry per line here."""
    out: list[tuple[int, int, str]] = []
    for start, end, kind in entries:
        if out and kind == "paragraph" == out[-1][2] and out[-1][1] == start:
            out[-1] = (out[-1][0], end, kind)
        else:
            out.append((start, end, kind))
    return out


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown())
def test_every_unique_address_resolves_to_its_section(data: bytes) -> None:
    doc = parse_list(data)
    addresses = [s.address for s in doc.sections[1:]]
    for section in doc.sections[1:]:
        if not section.address.strip():
            continue  # a heading with no title: "" addresses the root
        if addresses.count(section.address) == 1:
            assert doc.section(section.address) is section
        else:
            with pytest.raises(BadInput, match="ambiguous"):
                doc.section(section.address)
