"""infer_style and render_entry: new papers written the way each list writes its own entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Link, Paper
from papershelf.sync.styles import extract_fields, infer_style, plan_insertion, render_entry
from papershelf.sync.styles.style import default_template

STYLES = Path(__file__).resolve().parent / "fixtures" / "styles"

PAPER = Paper(
    url="https://arxiv.org/abs/2410.16215v1",
    arxiv_id="2410.16215v1",
    title="Pre-training Distillation for Large Language Models: A Design Space Exploration",
    authors=(
        "Hao Peng",
        "Xin Lv",
        "Yushi Bai",
        "Zijun Yao",
        "Jiajie Zhang",
        "Lei Hou",
        "Juanzi Li",
    ),
    published="2024-10-21",
)


def _doc(name: str):
    return parse_list((STYLES / name).read_bytes())


def _render(name: str, section: str, paper: Paper = PAPER) -> list[str]:
    doc = _doc(name)
    target = doc.section(section)
    return render_entry(paper, infer_style(doc, target))


def test_link_date_learns_pdf_links_dates_and_terminators() -> None:
    paper = PAPER.replace(
        code_url="https://github.com/o/r", links=(Link("tweet", "https://x.com/s/1"),), tags=("kd",)
    )
    assert _render("link_date.md", "Optimizers", paper) == [
        "- [Pre-training Distillation for Large Language Models: A Design Space Exploration]"
        "(https://arxiv.org/pdf/2410.16215), Oct. 21 2024. [code](https://github.com/o/r). "
        "[tweet](https://x.com/s/1). `kd`."
    ]


def test_link_date_keeps_a_link_shape_the_list_uses_and_reforms_others() -> None:
    # The list writes both abs and pdf links: an abs link stays; an html link becomes the majority pdf.
    kept = _render(
        "link_date.md", "Optimizers", PAPER.replace(url="https://arxiv.org/abs/2410.16215")
    )
    assert "(https://arxiv.org/abs/2410.16215)" in kept[0]
    reformed = _render(
        "link_date.md", "Optimizers", PAPER.replace(url="https://arxiv.org/html/2410.16215v2")
    )
    assert "(https://arxiv.org/pdf/2410.16215)" in reformed[0]


def test_link_date_venue_stands_in_place_of_the_date() -> None:
    line = _render("link_date.md", "Fine-tuning", PAPER.replace(venue="ICLR 2025"))[0]
    assert line.endswith("), ICLR 2025.")


def test_link_date_month_only_and_note_as_the_lists_note_bullets() -> None:
    lines = _render(
        "link_date.md", "Optimizers", PAPER.replace(published="2024-09", note="worth a read")
    )
    assert lines[0].endswith(", Sep. 2024.")
    assert lines[1:] == ['  - _"worth a read"_']


def test_bold_arxiv_elides_authors_and_adds_the_constant_slot_and_code_badge() -> None:
    lines = _render(
        "bold_arxiv.md", "Pretraining", PAPER.replace(code_url="https://github.com/hp/kd")
    )
    # The list wraps long titles near 76 columns with a two-space continuation line (this
    # section keeps the space before the break), and ends a wrapped head without the trailing
    # space it leaves after a one-line head.
    assert lines == [
        "- **Pre-training Distillation for Large Language Models: A Design Space ",
        "  Exploration**, `arXiv, 2410.16215`, [arxiv](http://arxiv.org/abs/2410.16215v1), "
        "[pdf](http://arxiv.org/pdf/2410.16215v1.pdf), cication: [**-1**](None)",
        "",
        "\t *Hao Peng, Xin Lv, Yushi Bai, ..., Lei Hou, Juanzi Li* · ([kd](https://github.com/hp/kd) - hp) "
        "![Star](https://img.shields.io/github/stars/hp/kd.svg?style=social&label=Star)",
    ]


def test_bold_arxiv_wrapped_title_uses_the_lists_continuation_indent() -> None:
    short = _render("bold_arxiv.md", "Mixtures", PAPER.replace(title="A Short Title"))
    assert short[0].startswith("- **A Short Title**, `arXiv, 2410.16215`")
    lines = _render("bold_arxiv.md", "Mixtures", PAPER)
    assert lines[0].startswith("- **Pre-training Distillation for Large Language Models: A")
    assert lines[1].startswith("  ") and "Exploration**, `arXiv, 2410.16215`" in lines[1]
    assert len(lines[0]) <= 76


def test_bold_arxiv_list_writes_non_arxiv_links_as_titled_links() -> None:
    paper = Paper(
        url="https://example.org/post",
        title="A Post",
        links=(Link("video", "https://v.example/1"),),
    )
    assert _render("bold_arxiv.md", "Mixtures", paper) == [
        "- [A Post](https://example.org/post) ",
        "",
        "\t · ([video](https://v.example/1))",
    ]


def test_blog_entry_with_surname_authors_short_venue_and_url_line() -> None:
    two = PAPER.replace(authors=("Xiang Lisa Li", "Percy Liang"), venue="ACL 2021", published=None)
    assert _render("blog.md", "Adapters", two) == [
        "**Pre-training Distillation for Large Language Models: A Design Space Exploration**. "
        "Li and Liang. ACL'21\\",
        "<https://arxiv.org/abs/2410.16215v1>",  # too few arXiv links for a convention: kept
    ]
    many = _render("blog.md", "Adapters", PAPER.replace(note="# not a heading"))
    assert many[0].endswith("Peng et al. 2024\\")
    assert many[1] == "\\# not a heading\\"


def test_table_row_matches_columns_by_header() -> None:
    paper = PAPER.replace(
        url=None, venue="ICLR", code_url="https://github.com/o/r", authors=("A B", "C D")
    )
    assert _render("table.md", "Papers", paper) == [
        "| 2024-10 | [Pre-training Distillation for Large Language Models: A Design Space Exploration]"
        "(https://arxiv.org/abs/2410.16215) | A B, C D | ICLR | [code](https://github.com/o/r) | |"
    ]


def test_plain_list_keeps_its_marker() -> None:
    # A bare id gets the list's link shape (abs, no version).
    assert _render("plain.md", "Papers", PAPER.replace(url=None)) == [
        "* [Pre-training Distillation for Large Language Models: A Design Space Exploration]"
        "(https://arxiv.org/abs/2410.16215)"
    ]


def test_default_style_for_a_list_without_papers() -> None:
    doc = parse_list(b"# Empty list\n\nNothing yet.\n")
    style = infer_style(doc, doc.section("Empty list"))
    assert style.family == default_template().family == "link item"
    assert render_entry(PAPER.replace(url=None), style) == [
        "- [Pre-training Distillation for Large Language Models: A Design Space Exploration]"
        "(https://arxiv.org/abs/2410.16215), Oct. 21 2024."
    ]


def test_style_is_cached_per_document() -> None:
    doc = _doc("link_date.md")
    section = doc.section("Optimizers")
    assert infer_style(doc, section) is infer_style(doc, section)


@pytest.mark.parametrize(
    "title",
    [
        "Evil](https://evil.example) [x",
        "Line one\n## Injected heading",
        "<script>alert(1)</script>",
        "Ticks ` open a code span",
        "**bold** and *stars* and _under_",
        "# Leading hash",
        "- leading dash",
        "> quote",
        "1. numbered",
        "Trailing backslash \\",
    ],
)
@pytest.mark.parametrize(
    ("name", "section"),
    [
        ("link_date.md", "Optimizers"),
        ("bold_arxiv.md", "Mixtures"),
        ("blog.md", "Adapters"),
        ("table.md", "Papers"),
    ],
)
def test_hostile_titles_cannot_break_the_list(title: str, name: str, section: str) -> None:
    doc = _doc(name)
    target = doc.section(section)
    paper = PAPER.replace(title=title)
    plan = plan_insertion(doc, target, infer_style(doc, target), paper)
    text = "\n".join(plan.lines)
    assert "<script" not in text
    after = doc.with_lines_inserted(plan.at_line, plan.lines)
    # Same headings, exactly one more entry, and that entry still says what we gave it.
    assert [h.title for h in after.headings] == [h.title for h in doc.headings]
    assert len(after.entries) == len(doc.entries) + 1
    new = [e for e in after.entries if e.start >= plan.at_line][0]
    fields = extract_fields(after.entry_text(new), table_header=_header(name))
    assert fields.is_paper
    assert fields.url and "evil.example" not in fields.url
    assert fields.arxiv_id and fields.arxiv_id.startswith("2410.16215")
    assert fields.title == " ".join(title.replace("<", "&lt;").split())


def _header(name: str) -> list[str] | None:
    return ["Date", "Paper", "Authors", "Venue", "Code", "Notes"] if name == "table.md" else None


def test_hostile_cells_cannot_add_table_columns() -> None:
    paper = PAPER.replace(title="A | B", authors=("x|y",), venue="V|W")
    line = _render("table.md", "Papers", paper)[0]
    assert line.count("|") - line.count("\\|") == 7


def test_normal_titles_are_written_exactly_as_typed() -> None:
    title = "The Hitchhiker's Guide to *PO: Q&A, 100% (and more) - part 2?"
    line = _render("link_date.md", "Optimizers", PAPER.replace(title=title))[0]
    assert line.startswith(f"- [{title}](")


def test_link_set_uses_the_template_for_papers_with_or_without_code() -> None:
    with_code = _render(
        "link_set.md", "Distillation", PAPER.replace(code_url="https://github.com/o/r")
    )
    assert with_code == [
        "- **Pre-training Distillation for Large Language Models: A Design Space Exploration** "
        "[[paper](https://arxiv.org/abs/2410.16215v1)] [[code](https://github.com/o/r)]"
    ]
    without = _render("link_set.md", "Pruning", PAPER.replace(url=None))
    assert without == [
        "- **Pre-training Distillation for Large Language Models: A Design Space Exploration** "
        "[[paper](https://arxiv.org/abs/2410.16215)]"
    ]


def test_a_one_off_slot_value_is_never_copied_into_a_new_entry() -> None:
    head = "- **T{n}**, `arXiv, 2401.0000{n}`, [arxiv](http://arxiv.org/abs/2401.0000{n}v1), "
    counts = [
        "cication: [**7**](https://scholar.example/7)",
        "cication: [**9**](https://scholar.example/9)",
    ]
    body = "\n".join(
        head.format(n=n) + c + "\n\n\t *A B*" for n, c in zip((1, 2), counts, strict=True)
    )
    doc = parse_list(f"# L\n\n## S\n\n{body}\n".encode())
    lines = render_entry(PAPER, infer_style(doc, doc.section("S")))
    assert "scholar.example" not in lines[0]
    assert lines[0].endswith("[arxiv](http://arxiv.org/abs/2410.16215v1)")


def test_a_venue_with_its_year_is_not_followed_by_the_date() -> None:
    data = (
        (STYLES / "link_date.md")
        .read_bytes()
        .replace(b"), ICLR 2024.", b"), arXiv.v2 Jan. 5 2024.")
    )
    doc = parse_list(data)
    style = infer_style(doc, doc.section("Optimizers"))
    assert render_entry(PAPER.replace(venue="ICLR 2025"), style)[0].endswith("), ICLR 2025.")
    assert render_entry(PAPER.replace(venue="arXiv.v3"), style)[0].endswith(
        "), arXiv.v3 Oct. 21 2024."
    )
