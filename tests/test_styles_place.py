"""plan_insertion: where a new entry goes (section order, empty sections) and its blank lines."""

from __future__ import annotations

from pathlib import Path

from papershelf.sync.listmodel import parse_list, verify_insertion
from papershelf.sync.paper import Paper
from papershelf.sync.styles import infer_style, plan_insertion, section_order

STYLES = Path(__file__).resolve().parent / "fixtures" / "styles"


def _plan(data: bytes, section: str, paper: Paper):
    doc = parse_list(data)
    target = doc.section(section)
    plan = plan_insertion(doc, target, infer_style(doc, target), paper)
    after = doc.with_lines_inserted(plan.at_line, plan.lines)
    verify_insertion(doc, after, plan.at_line, plan.lines)
    return plan, after.render().decode()


def _p(ident: str, date: str | None = None, title: str = "New Paper") -> Paper:
    return Paper(url=f"https://arxiv.org/abs/{ident}", arxiv_id=ident, title=title, published=date)


NEWEST_FIRST = b"""# L

## A

- [Three](https://arxiv.org/abs/2403.00003), Mar. 3 2024.
- [Two](https://arxiv.org/abs/2402.00002), Feb. 2 2024.
- [One](https://arxiv.org/abs/2401.00001), Jan. 1 2024.

## B

- [Other](https://arxiv.org/abs/2301.00001), Jan. 1 2023.
"""


def test_newest_first_section_gets_new_papers_on_top() -> None:
    plan, text = _plan(NEWEST_FIRST, "A", _p("2404.00004", "2024-04-04"))
    assert plan.at_line == 4
    assert (
        "## A\n\n- [New Paper](https://arxiv.org/abs/2404.00004), Apr. 4 2024.\n- [Three]" in text
    )


def test_newest_first_section_places_an_older_paper_by_date() -> None:
    _plan_, text = _plan(NEWEST_FIRST, "A", _p("2402.00009", "2024-02-15"))
    assert "- [Three]" in text.split("- [New Paper]")[0]
    assert text.index("- [New Paper]") < text.index("- [Two]")


def test_ascending_section_keeps_order_and_append_section_appends() -> None:
    ascending = (
        NEWEST_FIRST.replace(b"Three", b"X3").replace(b"One", b"Three").replace(b"X3", b"One")
    )
    lines = ascending.decode().splitlines()
    lines[4], lines[6] = lines[6], lines[4]
    data = ("\n".join(lines) + "\n").encode()
    doc = parse_list(data)
    assert section_order(doc, doc.section("A"))[0] == "ascending"
    _plan_, text = _plan(data, "A", _p("2404.00004", "2024-04-04"))
    assert text.index("- [New Paper]") > text.index("2403.00003")
    assert text.index("- [New Paper]") < text.index("## B")


def test_unordered_section_appends_after_its_last_entry() -> None:
    data = (STYLES / "link_date.md").read_bytes()
    plan, text = _plan(data, "Fine-tuning", _p("2410.00001", "2024-10-01"))
    assert "[code](https://github.com/example/mixing).\n- [New Paper]" in text
    assert "- [New Paper](https://arxiv.org/abs/2410.00001), Oct. 1 2024.\n\n### Surveys" in text


def test_empty_section_gets_the_lists_gap_after_its_heading() -> None:
    data = (STYLES / "link_date.md").read_bytes()
    _plan_, text = _plan(data, "Surveys", _p("2410.00001", "2024-10-01"))
    assert text.endswith(
        "### Surveys\n\n- [New Paper](https://arxiv.org/abs/2410.00001), Oct. 1 2024.\n"
    )


def test_empty_bold_section_followed_by_blank_lines_and_a_heading() -> None:
    data = (STYLES / "bold_arxiv.md").read_bytes()
    plan, text = _plan(data, "Empty", _p("2410.00001"))
    head = text.split("## Empty\n", 1)[1]
    assert head.startswith("\n- **New Paper**, `arXiv, 2410.00001`")
    assert "\n\n## Misc" in head


def test_blog_paragraphs_are_separated_by_one_blank_line() -> None:
    data = (STYLES / "blog.md").read_bytes()
    _plan_, text = _plan(data, "Adapters", _p("2410.00001", "2024-10-01"))
    assert (
        "<https://arxiv.org/abs/2402.01234>\n\n**New Paper**. 2024\\\n<https://arxiv.org/abs/2410.00001>\n\n\n# Reinforcement"
        in text
    )


def test_nothing_outside_the_new_lines_changes() -> None:
    data = (STYLES / "bold_arxiv.md").read_bytes()
    plan, text = _plan(data, "Mixtures", _p("2410.00001"))
    before = data.decode().splitlines(keepends=True)
    after = text.splitlines(keepends=True)
    added = len(plan.lines)
    assert after[: plan.at_line] == before[: plan.at_line]
    assert after[plan.at_line + added :] == before[plan.at_line :]


def test_crlf_lists_get_crlf_entries() -> None:
    data = NEWEST_FIRST.replace(b"\n", b"\r\n")
    _plan_, text = _plan(data, "B", _p("2302.00001", "2023-02-01"))
    assert "\r\n- [New Paper]" in text and "\n- [New Paper]" not in text.replace("\r\n", "")


def test_mostly_newest_first_section_takes_new_papers_on_top() -> None:
    # Batches put on top in any order: not sorted, but clearly newest first.
    ids = ["2404.00009", "2404.00004", "2403.00003", "2403.00007", "2402.00002", "2401.00001"]
    lines = ["# L", "", "## A", ""] + [
        f"- [P{i}](https://arxiv.org/abs/{x})" for i, x in enumerate(ids)
    ]
    data = ("\n".join(lines) + "\n").encode()
    doc = parse_list(data)
    assert section_order(doc, doc.section("A"))[0] == "prepend"
    plan, text = _plan(data, "A", _p("2403.00005"))
    assert plan.at_line == 4


def test_mostly_oldest_first_section_appends() -> None:
    data = (STYLES / "link_date.md").read_bytes()
    doc = parse_list(data)
    assert section_order(doc, doc.section("Optimizers"))[0] == "append"
    _plan_, text = _plan(data, "Optimizers", _p("2401.00001", "2024-01-01"))
    assert text.index("[New Paper]") > text.index("Gradient Clipping Reconsidered")


HTML_TABLE = b"""# T

## Html

<table>
<tr><td><a href="https://arxiv.org/abs/2401.00251">A</a></td></tr>
</table>

## Other

- [X](https://arxiv.org/abs/2401.00252), Jan. 1 2024.
- [Y](https://arxiv.org/abs/2401.00253), Jan. 2 2024.
"""


def test_a_section_holding_only_html_gets_the_entry_after_it() -> None:
    """The entry follows the table as a list item, a blank line after the HTML block ends it."""
    plan, text = _plan(HTML_TABLE, "Html", _p("2503.00003", "2025-03-04"))
    assert plan.at_line == 8
    assert text == HTML_TABLE.decode().replace(
        "</table>\n\n",
        "</table>\n\n- [New Paper](https://arxiv.org/abs/2503.00003), Mar. 4 2025.\n\n",
    )
    # A list that writes entries right under headings still needs the blank line after HTML.
    tight = HTML_TABLE.replace(b"## Other\n\n", b"## Other\n")
    _plan_, text = _plan(tight, "Html", _p("2503.00003", "2025-03-04"))
    assert "</table>\n\n- [New Paper](https://arxiv.org/abs/2503.00003), Mar. 4 2025.\n" in text


FOLDED = b"""# Awesome

## Surveys

- [New One](https://arxiv.org/abs/2409.00001), Sep. 1 2024.
- [New Two](https://arxiv.org/abs/2410.00002), Oct. 2 2024.

<details><summary>Older surveys</summary>

- [Old One](https://arxiv.org/abs/2201.00001), Jan. 1 2022.
- [Old Two](https://arxiv.org/abs/2202.00002), Feb. 2 2022.

</details>

## Next

- [X](https://arxiv.org/abs/2401.00252), Jan. 1 2024.
"""
FRESH = "- [New Paper](https://arxiv.org/abs/2503.00004), Mar. 4 2025.\n"


def test_a_new_entry_joins_the_visible_list_not_the_folded_details() -> None:
    """Curators fold old entries into <details>: a new paper goes with the visible ones."""
    _plan_, text = _plan(FOLDED, "Surveys", _p("2503.00004", "2025-03-04"))
    assert text == FOLDED.decode().replace("Oct. 2 2024.\n", "Oct. 2 2024.\n" + FRESH)
    # Newest first above the fold: on top of the visible list.
    top = FOLDED.replace(
        b"- [New One](https://arxiv.org/abs/2409.00001), Sep. 1 2024.\n"
        b"- [New Two](https://arxiv.org/abs/2410.00002), Oct. 2 2024.\n",
        b"- [New Three](https://arxiv.org/abs/2411.00003), Nov. 3 2024.\n"
        b"- [New Two](https://arxiv.org/abs/2410.00002), Oct. 2 2024.\n"
        b"- [New One](https://arxiv.org/abs/2409.00001), Sep. 1 2024.\n",
    )
    _plan_, text = _plan(top, "Surveys", _p("2503.00004", "2025-03-04"))
    assert text == top.decode().replace("## Surveys\n\n", "## Surveys\n\n" + FRESH)


def test_a_section_folded_whole_gets_the_entry_inside_its_details() -> None:
    """With no entry outside a <details> block, the fold is the list: the entry goes in it."""
    folded = FOLDED.replace(
        b"- [New One](https://arxiv.org/abs/2409.00001), Sep. 1 2024.\n"
        b"- [New Two](https://arxiv.org/abs/2410.00002), Oct. 2 2024.\n\n",
        b"",
    )
    _plan_, text = _plan(folded, "Surveys", _p("2503.00004", "2025-03-04"))
    assert text == folded.decode().replace("Feb. 2 2022.\n", "Feb. 2 2022.\n" + FRESH)


def test_the_order_of_the_visible_part_is_not_the_sections() -> None:
    """Asking a section's order first (as a merge does) does not decide its visible part's."""
    top = FOLDED.replace(
        b"- [New One](https://arxiv.org/abs/2409.00001), Sep. 1 2024.\n"
        b"- [New Two](https://arxiv.org/abs/2410.00002), Oct. 2 2024.\n",
        b"- [New Three](https://arxiv.org/abs/2411.00003), Nov. 3 2024.\n"
        b"- [New Two](https://arxiv.org/abs/2410.00002), Oct. 2 2024.\n"
        b"- [New One](https://arxiv.org/abs/2409.00001), Sep. 1 2024.\n",
    )
    doc = parse_list(top)
    target = doc.section("Surveys")
    whole = section_order(doc, target)[0]  # the whole section, folded entries included
    assert whole in ("append", "prepend", "ascending", "descending")
    plan = plan_insertion(doc, target, infer_style(doc, target), _p("2503.00004", "2025-03-04"))
    assert plan.at_line == 4
