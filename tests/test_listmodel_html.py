"""HTML headings (`<h2 align="center">Papers</h2>`) are sections, like ATX and setext headings."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from test_listmodel_props import EXAMPLES, LINE, markdown

from papershelf.sync.errors import ListChanged
from papershelf.sync.listmodel import describe, parse_list, verify_insertion
from papershelf.sync.listmodel.htmlheads import html_headings

HTML_LIST = FIXTURES / "lists" / "html_headings.md"
TITLE = "Awesome Efficient Transformers"


def _doc(text: str):
    return parse_list(text.encode("utf-8"))


def _heads(text: str) -> list[tuple[int, str, int]]:
    return [(h.level, h.title, h.line) for h in _doc(text).headings]


# --- what is a heading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "heads"),
    [
        ('<h2 align="center">Papers</h2>\n', [(2, "Papers", 0)]),
        ('<h3 id="x">Title</h3>\n', [(3, "Title", 0)]),
        ("<H4>Upper Case</H4>\n", [(4, "Upper Case", 0)]),
        ("<h2>\n  Split over\n  lines\n</h2>\n", [(2, "Split over lines", 0)]),
        ('<h2\n  align="center">Tag over lines</h2>\n', [(2, "Tag over lines", 0)]),
        (
            '<h3><a href="#top"><img src="up.svg"></a> <b>Bold</b> &amp; <i>more</i></h3>\n',
            [(3, "Bold & more", 0)],
        ),
        ("<h2>Caf&eacute; &#x2014;&nbsp;Tea&#33;</h2>\n", [(2, "Café — Tea!", 0)]),
        ("<h2>Two<br>lines</h2>\n", [(2, "Two lines", 0)]),
        ('<h1><img src="logo.png" alt="Logo &amp; co"></h1>\n', [(1, "Logo & co", 0)]),
        ('<h1><img src="logo.png"></h1>\n', [(1, "", 0)]),
        ('<h2 title="a > b">Quoted &gt;</h2>\n', [(2, "Quoted >", 0)]),
        ('<div align="center">\n  <h1>Wrapped</h1>\n</div>\n', [(1, "Wrapped", 0)]),
        ('<p align="center">\n<img src="b.png">\n<h2>In a p</h2>\n</p>\n', [(2, "In a p", 0)]),
        ("<center><h2>Centred</h2></center>\n", [(2, "Centred", 0)]),
        ("<h2>Unclosed\n", [(2, "Unclosed", 0)]),
        ("<h2>a <!-- not <b>this</b> --> b</h2>\n", [(2, "a b", 0)]),
        ("Paragraph text\n<h2>Interrupts it</h2>\n", [(2, "Interrupts it", 1)]),
        # Not headings: where markdown or HTML makes them something else.
        ("```html\n<h2>Code</h2>\n```\n", []),
        ("    <h2>Indented code</h2>\n", []),
        ("<!--\n<h2>Commented out</h2>\n-->\n", []),
        ("<div>\n<!-- <h2>Commented out</h2> -->\n</div>\n", []),
        ("<details>\n<summary><h3>A fold</h3></summary>\n\n- x\n\n</details>\n", []),
        ("<details open>\n<h3>Inside a fold</h3>\n</details>\n", []),
        ("<table><tr><td><h3>Column</h3></td></tr></table>\n", []),
        ("<ul>\n<li><h3>Item</h3></li>\n</ul>\n", []),
        ("Text with <h2>an inline heading</h2> in it.\n", []),
        ("*Emphasis* then <h2>inline</h2>\n", []),
        ("- <h2>In a list item</h2>\n", []),
        ("> <h2>In a quote</h2>\n", []),
        ("<h7>No such level</h7>\n", []),
        ("<h2/>\n", []),
        ("<header>x</header>\n", []),
    ],
)
def test_what_counts_as_an_html_heading(text: str, heads: list) -> None:
    assert _heads(text) == heads
    assert parse_list(text.encode()).render() == text.encode()


def test_html_headings_join_the_atx_and_setext_tree() -> None:
    doc = _doc(
        "# Top\n\n## A\n\n<h3>B</h3>\n\n- b\n\n<h2>C</h2>\n\n- c\n\nD\n-\n\n<h4>E</h4>\n\n- e\n"
    )
    assert [(h.level, h.path, h.html, h.setext) for h in doc.headings] == [
        (1, ("Top",), False, False),
        (2, ("Top", "A"), False, False),
        (3, ("Top", "A", "B"), True, False),
        (2, ("Top", "C"), True, False),
        (2, ("Top", "D"), False, True),
        (4, ("Top", "D", "E"), True, False),
    ]
    assert doc.section("A > B") is doc.section("B") is doc.sections[3]
    assert [e.section for e in doc.entries] == [
        ("Top", "A", "B"),
        ("Top", "C"),
        ("Top", "D", "E"),
    ]
    assert doc.section_addresses() == ["Top", "Top > A", "Top > A > B", "Top > C", "Top > D"] + [
        "Top > D > E"
    ]


def test_a_block_with_several_headings_gives_each_its_section() -> None:
    text = (
        '<div align="center">\n'  # 0
        "  <h1>Awesome</h1>\n"  # 1
        "  <p>A tagline</p>\n"  # 2
        "  <h3>Contents</h3>\n"  # 3
        "</div>\n"  # 4
        "\n"  # 5
        "- [entry](https://arxiv.org/abs/2401.00001)\n"  # 6
    )
    doc = _doc(text)
    # The first heading's section takes the block from its first line; a later one starts at
    # its own tag. The body of all but the last is empty; the last one's starts after the block.
    assert [(h.title, h.line, h.path) for h in doc.headings] == [
        ("Awesome", 0, ("Awesome",)),
        ("Contents", 3, ("Awesome", "Contents")),
    ]
    first, last = doc.sections[1:]
    assert (first.heading_line, first.start, first.end) == (0, 3, 3)
    assert (last.heading_line, last.start, last.end) == (3, 5, 7)
    assert first.entries == [] and len(last.entries) == 1


def test_two_headings_starting_on_one_line_are_one_section() -> None:
    assert _heads("<h2>One</h2><h3>Two</h3>\n") == [(2, "One", 0)]
    assert _heads("<h1>Open <h2>Implied</h2>\n") == [(1, "Open", 0)]


def test_the_scanner_reads_a_block_tag_by_tag() -> None:
    block = "<div>\n<h2>A &amp; B</h2>\n<details><h3>x</h3></details>\n<h3>\nC\n</h3>\n"
    assert html_headings(block) == [(2, "A &amp; B", 1), (3, "C", 3)]
    # A stray quote or `<` cannot make it read past the next tag, nor hide a later heading.
    assert html_headings('<a href="x>\n<h2>After a stray quote</h2>\n') == [
        (2, "After a stray quote", 1)
    ]
    assert html_headings("<h2>a < b</h2>") == [(2, "a < b", 0)]


def test_a_stray_quote_in_a_big_block_stays_linear() -> None:
    """Every tag after a broken quote would re-read the block if a quoted value could hold `<`."""
    block = '<div title="broken>\n' + "<span>x</span>\n" * 20_000 + "<h2>Last</h2>\n"
    assert html_headings(block) == [(2, "Last", 20_001)]


def test_a_latin1_lists_html_heading_reads_in_its_encoding() -> None:
    doc = parse_list(b"<h2>Th\xe9orie &eacute;t&eacute;</h2>\n\n- [\xc9t\xe9](https://x.org/1)\n")
    assert doc.legacy_encoding == "cp1252"
    assert doc.headings[0].title == "Théorie été"
    assert doc.section("Théorie été") is doc.sections[1]


def test_describe_shows_html_sections() -> None:
    report = describe(_doc('<h2 align="center">Papers</h2>\n\n- [A](https://x.org/a)\n'))
    assert report["sections"][1] == {
        "address": "Papers",
        "title": "Papers",
        "level": 2,
        "heading_line": 1,
        "entries": 1,
    }
    assert report["entries"][0]["section"] == "Papers"


# --- splicing -----------------------------------------------------------------------------------


def test_an_insertion_into_the_heading_block_is_refused_and_after_it_accepted() -> None:
    doc = _doc('<h2 align="center">\nPapers\n</h2>\n\n- [A](https://x.org/a)\n')
    inside = ["- [B](https://x.org/b)"]
    with pytest.raises(ListChanged):
        verify_insertion(doc, doc.with_lines_inserted(2, inside), 2, inside)
    after = doc.with_lines_inserted(5, inside)
    verify_insertion(doc, after, 5, inside)
    assert [e.section for e in after.entries] == [("Papers",), ("Papers",)]


@pytest.mark.parametrize(
    ("at", "new"),
    [
        (0, ["<h2>New first</h2>", ""]),  # a heading above everything
        (2, [""]),  # a blank line splits the block: the second heading starts its own
        (3, ["<h3>Between</h3>"]),  # joins the block: a third heading
        (1, ["<details>"]),  # folds the block's first heading away
        (5, ["</h2>"]),  # closes nothing: the body below gains an HTML line
    ],
)
def test_an_insertion_rescans_html_headings_as_a_full_parse_does(at: int, new: list) -> None:
    doc = _doc(
        '<div align="center">\n<h1>One</h1>\n<h2>Two</h2>\n</div>\n\n- [A](https://x.org/a)\n'
    )
    after = doc.with_lines_inserted(at, new)
    full = parse_list(after.render())
    assert (after._heads, after.blocks, list(after._raw)) == (
        full._heads,
        full.blocks,
        list(full._raw),
    )
    assert after.headings == full.headings


# --- agreement with an HTML parser --------------------------------------------------------------

_MD = MarkdownIt("commonmark").enable("table")
# The elements the docs name as holding no sections (script and style: html.parser's CDATA).
_NOT_SECTIONS = {"details", "summary", "table", "ul", "ol", "dl", "menu", "blockquote", "pre"}
_NOT_SECTIONS |= {"code", "textarea", "template", "svg", "math", "button", "select", "noscript"}


_RAW_BLOCK = re.compile(r" {0,3}(?:<[!?]|<(?:script|pre|style|textarea)(?:[ \t>]|$))", re.I | re.M)


class _Headings(HTMLParser):
    """The rules of the docs, from Python's HTML parser: (level, title, start tag line)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, int]] = []
        self.inside = 0
        self.open: tuple[int, int, list[str], list[str]] | None = None

    def _close(self) -> None:
        if self.open is not None:
            level, line, parts, alts = self.open
            title = " ".join("".join(parts).split()) or " ".join(" ".join(alts).split())
            self.found.append((level, title, line))
            self.open = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        line = self.getpos()[0] - 1
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._close()
            if not self.inside and not (self.found and self.found[-1][2] == line):
                self.open = (int(tag[1]), line, [], [])
        elif tag in _NOT_SECTIONS:
            self.inside += 1
        elif self.open is not None and tag == "br":
            self.open[2].append(" ")
        elif self.open is not None and tag == "img":
            self.open[3].extend(v for k, v in attrs if k == "alt" and v is not None)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in _NOT_SECTIONS and tag not in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._close()
        elif tag in _NOT_SECTIONS:
            self.inside = max(self.inside - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.open is not None:
            self.open[2].append(data)


def _span(token: Token) -> list[int]:
    """The lines a block token covers (markdown-it gives them for every block token)."""
    assert token.map is not None
    return token.map


def _oracle(text: str, html_lines: set[int]) -> list[tuple[int, str, int]] | None:
    """HTML headings by markdown-it's html_block tokens and html.parser (None: it cannot say).

    `html_lines`: the lines where our scan starts an HTML block."""
    found = []
    for token in _MD.parse(text):
        if token.type == "table_open" and _span(token)[0] in html_lines:
            return None  # markdown-it tries tables first; cmark-gfm (GitHub) does not
        if token.type != "html_block" or token.level != 0:
            continue
        content = token.content
        if _RAW_BLOCK.match(content):
            continue  # CommonMark types 1-5 (`<pre>`, a comment...): no headings in them
        if "<![" in content:
            return None  # html.parser reads `<![CDATA[` to `]]>`, HTML to the next `>`
        parser = _Headings()
        parser.feed(content)
        # Unclosed at the block's end, HTML reads a comment (or `<?`, `<!X`) to the end;
        # html.parser would give it back as text.
        if parser.rawdata.startswith("<!--"):
            parser.feed("-->")
        elif parser.rawdata.startswith(("<!", "<?")):
            parser.feed(">")
        parser.close()
        parser._close()
        start = _span(token)[0]
        found += [
            (lv, t, start + (line if k else 0)) for k, (lv, t, line) in enumerate(parser.found)
        ]
    return found


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE.filter(lambda t: "\r" not in t and "\x0b" not in t), max_size=25))
@example(['<div align="center">', "<h1>A &amp; B</h1>", "<h3>", "C", "</h3>", "</div>"])
@example(["<details>", "<summary><h3>Summary</h3></summary>", "<h2>x</h2>", "</details>"])
def test_html_headings_agree_with_markdown_it_and_html_parser(lines: list[str]) -> None:
    """Block extents from markdown-it (CommonMark), headings and titles from html.parser."""
    text = "".join(line + "\n" for line in lines)
    if text.startswith("---"):
        return  # front matter: markdown-it does not know it
    doc = parse_list(text.encode("utf-8"))
    expected = _oracle(text, {b.start for b in doc.blocks if b.kind == "html"})
    if expected is not None:
        assert [(h.level, h.title, h.line) for h in doc.headings if h.html] == expected


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown())
def test_every_html_section_spans_its_heading_and_body(data: bytes) -> None:
    doc = parse_list(data)
    assert doc.render() == data
    for section in doc.sections[1:]:
        assert section.heading_line is not None
        assert section.heading_line < section.start <= section.end or (
            section.heading_line == section.start == section.end  # a block's earlier heading
        )


# --- a centred README, end to end ---------------------------------------------------------------


def test_centred_readme_sections() -> None:
    doc = parse_list(HTML_LIST.read_bytes())
    assert doc.render() == HTML_LIST.read_bytes()
    assert [s.address for s in doc.sections[1:]] == [
        TITLE,
        f"{TITLE} > Table of Contents",
        f"{TITLE} > 📚 Surveys",
        f"{TITLE} > ⚡ Attention",
        f"{TITLE} > ⚡ Attention > Sparse Attention",
        f"{TITLE} > ⚡ Attention > Linear Attention",
        f"{TITLE} > 🗜️ Quantization & Pruning",
        f"{TITLE} > Benchmarks",
        f"{TITLE} > Benchmarks > Long Range Arena",
        f"{TITLE} > Contributing",
    ]
    counts = {s.title: len(s.entries) for s in doc.sections[1:]}
    assert counts["Sparse Attention"] == 2
    assert counts["Linear Attention"] == 3  # the folded `<details>` entry included
    assert counts["🗜️ Quantization & Pruning"] == 2
    assert counts["Contributing"] == 1  # its paragraph, inline `<h4>` and all
    assert [h.html for h in doc.headings].count(True) == 8
    html_lines = {b.start for b in doc.blocks if b.kind == "html"}
    assert [(h.level, h.title, h.line) for h in doc.headings if h.html] == _oracle(
        HTML_LIST.read_text(encoding="utf-8"), html_lines
    )


def test_add_under_an_html_h3_lands_in_its_section(tmp_path: Path) -> None:
    from papershelf.sync.insert import add_paper
    from papershelf.sync.paper import Paper
    from papershelf.sync.workspace import open_workspace

    root = tmp_path / "ws"
    root.mkdir()
    before = HTML_LIST.read_bytes()
    (root / "README.md").write_bytes(before)
    paper = Paper(
        arxiv_id="2103.02143",
        url="https://arxiv.org/abs/2103.02143",
        title="Random Feature Attention",
        authors=("Hao Peng",),
        published="2021-03-03",
    )
    result = add_paper(open_workspace(root), paper, "README.md", "Sparse Attention")
    after = (root / "README.md").read_bytes()
    assert result.status == "added"
    assert result.section == f"{TITLE} > ⚡ Attention > Sparse Attention"
    entry = "- [Random Feature Attention](https://arxiv.org/abs/2103.02143), Mar. 3 2021."
    assert result.entry == entry
    lines = before.decode().splitlines(keepends=True)
    big_bird = next(i for i, line in enumerate(lines) if "Big Bird" in line)
    assert after.decode() == "".join(lines[: big_bird + 1] + [entry + "\n"] + lines[big_bird + 1 :])


def test_api_and_parse_list_html_sections(tmp_path: Path, capsys) -> None:
    from papershelf.server.app import create_app
    from papershelf.server.cli import main
    from papershelf.server.services import Services
    from papershelf.sync.workspace import open_workspace

    root = tmp_path / "ws"
    root.mkdir()
    (root / "README.md").write_bytes(HTML_LIST.read_bytes())
    assert main(["parse", str(root / "README.md"), "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert f"{TITLE} > ⚡ Attention > Linear Attention" in [
        s["address"] for s in parsed["sections"]
    ]

    token = "html-headings-token-0123456789abcdef"
    services = Services.build(open_workspace(root))
    client = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": token}).test_client()
    body = client.get("/api/lists", headers={"X-Papershelf-Token": token}).get_json()
    (listed,) = body["lists"]
    sections = {s["path"]: s for s in listed["sections"]}
    assert sections[f"{TITLE} > Benchmarks > Long Range Arena"] == {
        "path": f"{TITLE} > Benchmarks > Long Range Arena",
        "label": "Benchmarks > Long Range Arena",  # the path below the list's <h1> title
        "title": "Long Range Arena",
        "level": 3,
        "entries": 1,
    }
