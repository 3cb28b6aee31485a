"""What an entry says of its own paper is never copied into another's; weak evidence decides nothing.

A table's figure column (`<img src="figures/X.png">`, one file per paper) is each row's own data:
a new row leaves it blank. A link given twice (the paper's page as an extra `Paper` link) is
written once. A section of three entries whose dates happen to rise says nothing of the list's
order: the list's other sections do.
"""

from __future__ import annotations

from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Link, Paper
from papershelf.sync.styles import infer_style, learn_placement, plan_insertion

PAPER = Paper(
    url="https://arxiv.org/abs/2409.01234",
    arxiv_id="2409.01234",
    title="Learning Styles from Lists",
    published="2024-09-02",
    links=(Link("Paper", "https://arxiv.org/abs/2409.01234"),),
)

FIGURES = """# Efficient models

## Pruning

| Title | Introduction | Links |
|:--|:--:|:--:|
|[Wanda: A Simple Pruning Approach](https://arxiv.org/abs/2306.11695) |<img width="1002" alt="image" src="figures/wanda.png"> |[Paper](https://arxiv.org/abs/2306.11695)|
|[LLM-Pruner: Structural Pruning](https://arxiv.org/abs/2305.11627) |<img width="1061" alt="image" src="figures/llm_pruner.png"> |[Paper](https://arxiv.org/abs/2305.11627)|
|[SparseGPT: One-Shot Pruning](https://arxiv.org/abs/2301.00774) |<img width="800" alt="image" src="figures/sparsegpt.png"> |[Paper](https://arxiv.org/abs/2301.00774)|
"""


def _new_lines(data: str, section: str, paper: Paper = PAPER) -> list[str]:
    doc = parse_list(data.encode())
    target = doc.section(section)
    plan = plan_insertion(doc, target, infer_style(doc, target), paper)
    return [line for line in plan.lines if line.strip()]


def test_a_column_where_every_row_shows_its_own_figure_is_left_blank() -> None:
    (row,) = _new_lines(FIGURES, "Pruning")
    assert "figures/" not in row
    assert row == (
        "|[Learning Styles from Lists](https://arxiv.org/abs/2409.01234) | "
        "|[Paper](https://arxiv.org/abs/2409.01234)|"
    )


def test_a_link_to_the_papers_own_page_is_written_once() -> None:
    data = (
        "## Papers\n\n"
        "- [Wanda](https://arxiv.org/abs/2306.11695) [[blog](https://example.org/wanda)]\n"
        "- [SparseGPT](https://arxiv.org/abs/2301.00774) [[video](https://example.org/v)]\n"
    )
    (line,) = _new_lines(data, "Papers")
    assert line.count("2409.01234") == 1, line


SMALL_SECTIONS = """# Training

## Optimizers

- [Lion](https://arxiv.org/abs/2302.06675)
- [Adam-mini](https://arxiv.org/abs/2406.16793)
- [Sophia](https://arxiv.org/abs/2305.14342)

## Data

- [FineWeb](https://arxiv.org/abs/2406.17557)
- [DoReMi](https://arxiv.org/abs/2305.10429)
- [The Pile](https://arxiv.org/abs/2101.00027)

## Scaling

- [Beyond Chinchilla](https://arxiv.org/abs/2401.00448)
- [Emergent Abilities](https://arxiv.org/abs/2206.07682)
- [Chinchilla](https://arxiv.org/abs/2203.15556)
- [Scaling Laws](https://arxiv.org/abs/2001.08361)
"""


def test_a_small_sections_chance_lean_gives_way_to_the_lists_order() -> None:
    doc = parse_list(SMALL_SECTIONS.encode())
    # Its three entries lean oldest first (rank correlation +1/3), as one in three orders of
    # three entries would by chance: the list's sections, newest first, decide.
    placement = learn_placement(doc, doc.section("Optimizers"))
    assert placement.rule == "top", placement.why
    assert "this list" in placement.why


BENCHMARKS = """# Code

## Program Repair

- "Neural Program Repair: Systems, Challenges and Solutions", 2022-02, Internetware 2022, [[paper](https://arxiv.org/abs/2202.10868)]
- "A Survey of Learning-based Automated Program Repair", 2023-01, arXiv, [[paper](https://arxiv.org/abs/2301.03270)]

| Date    | Venue     | Benchmark | Size | Language | Source                                                      |
| ------- | --------- | --------- | ---- | -------- | ----------------------------------------------------------- |
| 2014-07 | ISSTA     | Defects4J | 357  | Java     | "Defects4J" [[paper](https://arxiv.org/abs/1407.00001)]     |
| 2016-11 | FSE 2016  | BugAID    | 105K | JS       | "BugAID" [[paper](https://arxiv.org/abs/1611.00002)]        |
| 2017-02 | AAAI 2017 | DeepFix   | 6971 | C        | "DeepFix" [[paper](https://arxiv.org/abs/1702.00003)]       |
| 2018-05 | MSR 2018  | Bugs.jar  | 1158 | Java     | "Bugs.jar" [[paper](https://arxiv.org/abs/1805.00004)]      |
| 2019-01 | SANER     | Bears     | 251  | Java     | "Bears" [[paper](https://arxiv.org/abs/1901.00005)]         |
| 2020-07 | ISSTA     | CoCoNut   | 24M  | Python   | "CoCoNut" [[paper](https://arxiv.org/abs/2007.00006)]       |
| 2021-07 | ICML 2021 | TFix      | 105K | JS       | "TFix" [[paper](https://arxiv.org/abs/2107.00007)]          |

\\* These are code-change datasets.

## Next
"""


def test_a_column_of_each_rows_own_values_is_left_blank_even_when_some_repeat() -> None:
    """Sizes (`105K` twice) and languages (`Java` three times of seven) are the rows' data: a
    new row copies neither, and its blank cells keep the table's alignment."""
    paper = Paper(
        url="https://arxiv.org/abs/2303.18184",
        title="A Survey on Automated Program Repair Techniques",
        published="2023-03",
        venue="arXiv",
    )
    (row,) = _new_lines(BENCHMARKS, "Program Repair", paper)
    cells = row.split("|")[1:-1]
    assert [c.strip() for c in cells[2:5]] == ["", "", ""], row
    assert [len(c) for c in cells[:5]] == [9, 11, 11, 6, 10], row


def test_a_new_row_goes_among_the_rows_not_after_a_note_below_the_table() -> None:
    """In a section holding bullets, a table and a closing note, a row is written after the
    table's last row: below the note it would not be a row of the table at all."""
    doc = parse_list(BENCHMARKS.encode())
    target = doc.section("Program Repair")
    paper = Paper(url="https://arxiv.org/abs/2303.18184", title="RepairBench", published="2023-03")
    plan = plan_insertion(doc, target, infer_style(doc, target), paper)
    assert doc.lines[plan.at_line - 1].startswith("| 2021-07"), plan
    assert plan.lines[0].startswith("| 2023-03 ")


def test_a_value_given_in_the_brackets_its_spot_writes_is_not_bracketed_twice() -> None:
    data = (
        "## 2022\n\n"
        "- [InstructGPT](https://arxiv.org/abs/2203.02155) (InstructGPT)\n"
        "- [Sparrow](https://arxiv.org/abs/2209.14375) (Sparrow)\n"
        "- [NLPO](https://arxiv.org/abs/2210.01241) (NLPO)\n"
    )
    paper = Paper(url="https://arxiv.org/abs/2112.09332", title="WebGPT", venue="(WebGPT)")
    (line,) = _new_lines(data, "2022", paper)
    assert line == "- [WebGPT](https://arxiv.org/abs/2112.09332) (WebGPT)", line


#: A hard break written as two trailing spaces, as this list writes it.
HB = "  "
VENUE_LINKS = f"""# Charts

## Captioning

**Natural Language Dataset Generation Framework for Visualizations**{HB}
Hyung-Kwon Ko, Hyeon Jeon, Gwanmo Park{HB}
[CHI 2024](https://arxiv.org/abs/2309.10245) • [Code](https://github.com/hyungkwonko/chart-llm)

**VisText: A Benchmark for Semantically Rich Chart Captioning**{HB}
Benny J. Tang, Angie Boggust, Arvind Satyanarayan{HB}
[ACL 2023 Outstanding paper](https://aclanthology.org/2023.acl-long.401.pdf) • [Code](https://github.com/mitvis/vistext)

**Advancing Multimodal Large Language Models in Chart Question Answering**{HB}
Xingchen Zeng, Haichuan Lin, Yilin Ye, Wei Zeng{HB}
[VIS 2024](https://arxiv.org/abs/2407.20174) • [Code](https://github.com/zengxingchen/ChartQA-MLLM)

**SynChart: Synthesizing Charts from Language Models**{HB}
Mengchen Liu, Qixiu Li, Dongdong Chen{HB}
[arXiv, 25 Sep 2024](https://arxiv.org/abs/2409.16517)

**ChartMoE: Mixture of Expert Connector for Advanced Chart Understanding**{HB}
Zhengzhuo Xu, Bowen Qu, Yiyan Qi{HB}
[NAACL'24 Findings](https://arxiv.org/abs/2409.03277) • [Code](https://chartmoe.github.io/)
"""


def test_a_paper_linked_by_its_venue_gets_its_own_venue_never_another_entrys() -> None:
    """`[CHI 2024](url)`: the label is the entry's venue (a year, or `'24`, says so), read as
    such and written with the new paper's; a paper with neither venue nor date links its title
    instead of borrowing another entry's label."""
    with_venue = Paper(
        url="https://arxiv.org/abs/2410.00001", title="ChartX", authors=("A B",), venue="UIST 2024"
    )
    with_date = Paper(
        url="https://arxiv.org/abs/2410.00002",
        title="ChartY",
        authors=("A B",),
        published="2024-10-02",
    )
    bare = Paper(url="https://arxiv.org/abs/2410.00003", title="ChartZ", authors=("A B",))
    assert _new_lines(VENUE_LINKS, "Captioning", with_venue)[-1] == (
        "[UIST 2024](https://arxiv.org/abs/2410.00001)"
    )
    assert _new_lines(VENUE_LINKS, "Captioning", with_date)[-1] == (
        "[arXiv, 2 Oct 2024](https://arxiv.org/abs/2410.00002)"
    )
    lines = _new_lines(VENUE_LINKS, "Captioning", bare)
    assert lines[0] == "**[ChartZ](https://arxiv.org/abs/2410.00003)**  "
    for label in ("CHI", "ACL", "VIS", "NAACL", "arXiv, 2"):
        assert label not in "".join(lines)


TWO_TABLES = """# World action models

## Quick reference

| # | Paper | Authors | Year | Links |
|---|--------|---------|------|-------|
| 1 | **AC2-VLA**: Action-Context-Aware Adaptive Computation in VLA | Yu et al. | 2026 | [arXiv](https://arxiv.org/abs/2601.19634) |
| 2 | **APPLV**: Adaptive Planner Parameter Learning from VLA | Lu et al. | 2026 | [arXiv](https://arxiv.org/abs/2603.08862) |
| 3 | **AsyncVLA**: Asynchronous Flow Matching for VLA | Jiang et al. | 2025 | [arXiv](https://arxiv.org/abs/2511.14148) |

## VLA

| Paper | Date | Code |
|-------|------|------|
| [DIAL: Decoupling Intent and Action](https://arxiv.org/abs/2603.29844v1)<br><small>Yi Chen, Yuying Ge et al.</small> | 2026-03-31 |  |
| [FocusVLA: Focused Visual Utilization](https://arxiv.org/abs/2603.28740v1)<br><small>Yichi Zhang, Weihao Yuan et al.</small> | 2026-03-30 |  |

## VLA with reasoning

| # | Paper | Authors | Year | Links |
|---|--------|---------|------|-------|
| 1 | **AsyncVLA**: Asynchronous Flow Matching for VLA | Jiang et al. | 2025 | [arXiv](https://arxiv.org/abs/2511.14148) |
| 2 | **CLARE**: Continuous Learning for VLA via Adapter Routing | Römer et al. | 2026 | [arXiv](https://arxiv.org/abs/2601.09512) |
"""

NEW_VLA = Paper(
    url="https://arxiv.org/abs/2604.00001",
    arxiv_id="2604.00001",
    title="ChartX: A New Thing",
    authors=("Alice Smith", "Bob Jones", "Carol White"),
    published="2026-04-02",
)


def test_a_run_of_names_in_a_cell_is_the_authors_written_as_this_section_writes_them() -> None:
    """`<small>Yi Chen, Yuying Ge et al.</small>`: the whole run is the authors (not its first
    name), the closing tag stays, and full names are kept though another section's table
    writes `Surname et al.`."""
    (row,) = _new_lines(TWO_TABLES, "VLA", NEW_VLA)
    assert row == (
        "| [ChartX: A New Thing](https://arxiv.org/abs/2604.00001)"
        "<br><small>Alice Smith, Bob Jones et al.</small> | 2026-04-02 |  |"
    )


def test_a_paper_listed_in_two_tables_does_not_make_its_subtitle_a_habit() -> None:
    """AsyncVLA's `Asynchronous Flow Matching for VLA` appears twice because the paper does:
    a new row copies no other paper's words, nor another row's number (the `#` column is
    each row's own)."""
    (row,) = _new_lines(TWO_TABLES, "Quick reference", NEW_VLA)
    for words in ("Asynchronous", "Adaptive", "Continuous"):
        assert words not in row, row
    assert row.startswith("| | **[ChartX: A New Thing](https://arxiv.org/abs/2604.00001)** | "), row


JOURNALS = """# Code LLMs

## Malicious code detection

- "Deep Android Malware Detection", 2017-03, CODASPY 2017, [[paper](https://dl.acm.org/doi/10.1145/3029806.3029823)]
- "I-MAD: Interpretable Malware Detector Using Galaxy Transformer", 2019-09, Comput. Secur. 2021, [[paper](https://arxiv.org/abs/1909.06865)]
- "Malicious Code Detection: Run Trace Output Analysis by LSTM", 2021-01, IEEE Access 2021, [[paper](https://arxiv.org/abs/2101.05646)]
- "Malbert: A novel pre-training method for malware detection", 2021-09, Comput. Secur. 2021, [[paper](https://www.sciencedirect.com/science/article/pii/S0167404821002820)]
"""


def test_an_abbreviated_journal_is_not_an_author_and_its_words_go_nowhere_else() -> None:
    """`Comput. Secur. 2021`: `Comput` alone is no author list, so a new paper's authors are not
    written with `. Secur. 2021` after them."""
    paper = Paper(
        url="https://arxiv.org/abs/2410.00001",
        title="Zebra Quokka Paper",
        authors=("Alice Smith", "Bob Jones"),
        published="2024-10-02",
    )
    (line,) = _new_lines(JOURNALS, "Malicious code detection", paper)
    assert "Secur" not in line and "Comput" not in line, line
    assert line.startswith('- "Zebra Quokka Paper", 2024-10, '), line
