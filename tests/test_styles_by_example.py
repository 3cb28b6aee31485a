"""Style by example: lists in shapes no code names are written in their own style and place.

Each list below is written the way real curated lists are (numbered entries with an author line,
`[YYYY/MM]` prefixes, quoted titles with `[2024-07]`, `+` items with badge lines, paragraphs
closed by hard breaks, nested field bullets, tables with `<br>` cells). Nothing in the engine
knows these shapes: the entry a paper gets is learned from the list's own entries.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from papershelf.sync.insert import add_paper
from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Link, Paper
from papershelf.sync.styles import infer_style, plan_insertion
from papershelf.sync.workspace import Workspace

NEW = Paper(
    url="https://arxiv.org/abs/2409.01234",
    arxiv_id="2409.01234",
    title="Learning Styles from Lists",
    authors=("Ana Lima", "Bo Chen", "Carla Diaz"),
    published="2024-09-02",
    code_url="https://github.com/lab/styles",
)


def _added(data: str, section: str, paper: Paper = NEW) -> tuple[list[str], str]:
    """The new entry's lines and the list's text after adding `paper` to `section`."""
    doc = parse_list(data.encode())
    target = doc.section(section)
    plan = plan_insertion(doc, target, infer_style(doc, target), paper)
    after = doc.with_lines_inserted(plan.at_line, plan.lines).render().decode()
    return [line for line in plan.lines if line.strip()], after


NUMBERED_AUTHORS = """# Reading list

## Retrieval

1. **Dense Passage Retrieval for Open-Domain QA** [[paper](https://arxiv.org/abs/2004.04906)]
   *Vladimir Karpukhin, Barlas Oguz, Sewon Min*
2. **REALM: Retrieval-Augmented Language Model Pre-Training** [[paper](https://arxiv.org/abs/2002.08909)]
   *Kelvin Guu, Kenton Lee, Zora Tung*
3. **Atlas: Few-shot Learning with Retrieval Augmented Language Models** [[paper](https://arxiv.org/abs/2208.03299)] [[code](https://github.com/facebookresearch/atlas)]
   *Gautier Izacard, Patrick Lewis, Maria Lomeli*
4. **Self-RAG: Learning to Retrieve, Generate, and Critique** [[paper](https://arxiv.org/abs/2310.11511)]
   *Akari Asai, Zeqiu Wu, Yizhong Wang*
"""


def test_numbered_entries_with_an_italic_author_line_get_the_next_number() -> None:
    lines, text = _added(NUMBERED_AUTHORS, "Retrieval")
    assert lines == [
        "5. **Learning Styles from Lists** [[paper](https://arxiv.org/abs/2409.01234)] "
        "[[code](https://github.com/lab/styles)]",
        "   *Ana Lima, Bo Chen, Carla Diaz*",
    ]
    assert text.endswith("   *Akari Asai, Zeqiu Wu, Yizhong Wang*\n" + "\n".join(lines) + "\n")


DATE_PREFIX = """# Agents

## Papers

- [2024/06] **Agent Workflow Memory** [[paper](https://arxiv.org/abs/2409.07429)]
- [2024/03] **SWE-agent: Agent-Computer Interfaces Enable Automated Software Engineering** [[paper](https://arxiv.org/abs/2405.15793)] [[code](https://github.com/princeton-nlp/SWE-agent)]
- [2023/10] **Voyager: An Open-Ended Embodied Agent with Large Language Models** [[paper](https://arxiv.org/abs/2305.16291)]
- [2023/05] **Reflexion: Language Agents with Verbal Reinforcement Learning** [[paper](https://arxiv.org/abs/2303.11366)]
"""


def test_a_date_prefix_list_newest_first_gets_the_paper_on_top_with_its_prefix() -> None:
    lines, text = _added(DATE_PREFIX, "Papers")
    assert lines == [
        "- [2024/09] **Learning Styles from Lists** [[paper](https://arxiv.org/abs/2409.01234)] "
        "[[code](https://github.com/lab/styles)]"
    ]
    assert "## Papers\n\n" + lines[0] + "\n- [2024/06]" in text


QUOTED = """# Code LLMs

## Code Generation

- "Evaluating Large Language Models Trained on Code" [2021-07] [[paper](https://arxiv.org/abs/2107.03374)]
- "Program Synthesis with Large Language Models" [2021-08] [[paper](https://arxiv.org/abs/2108.07732)]
- "CodeT: Code Generation with Generated Tests" [2022-07] [ICLR 2023] [[paper](https://arxiv.org/abs/2207.10397)]
- "Teaching Large Language Models to Self-Debug" [2023-04] [ICLR 2024] [[paper](https://arxiv.org/abs/2304.05128)]
- "Reflexion: Language Agents with Verbal Reinforcement Learning" [2023-03] [NeurIPS 2023] [[paper](https://arxiv.org/abs/2303.11366)] [[repo](https://github.com/noahshinn/reflexion)]
"""


def test_quoted_titles_with_a_month_and_venue_brackets() -> None:
    paper = NEW.replace(venue="EMNLP 2024", code_url=None)
    lines, _text = _added(QUOTED, "Code Generation", paper)
    assert lines == [
        '- "Learning Styles from Lists" [2024-09] [EMNLP 2024] [[paper](https://arxiv.org/abs/2409.01234)]'
    ]


BADGES = """# Efficient LLMs

## Quantization

+ **GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers**
  [![arXiv](https://img.shields.io/badge/arXiv-2210.17323-b31b1b.svg)](https://arxiv.org/abs/2210.17323) [![GitHub](https://img.shields.io/github/stars/IST-DASLab/gptq?style=social)](https://github.com/IST-DASLab/gptq)
+ **AWQ: Activation-aware Weight Quantization for LLM Compression and Acceleration**
  [![arXiv](https://img.shields.io/badge/arXiv-2306.00978-b31b1b.svg)](https://arxiv.org/abs/2306.00978) [![GitHub](https://img.shields.io/github/stars/mit-han-lab/llm-awq?style=social)](https://github.com/mit-han-lab/llm-awq)
+ **SmoothQuant: Accurate and Efficient Post-Training Quantization for Large Language Models**
  [![arXiv](https://img.shields.io/badge/arXiv-2211.10438-b31b1b.svg)](https://arxiv.org/abs/2211.10438) [![GitHub](https://img.shields.io/github/stars/mit-han-lab/smoothquant?style=social)](https://github.com/mit-han-lab/smoothquant)
"""


def test_plus_items_with_badge_lines_derive_the_badges_from_the_id_and_repository() -> None:
    lines, _text = _added(BADGES, "Quantization")
    assert lines == [
        "+ **Learning Styles from Lists**",
        "  [![arXiv](https://img.shields.io/badge/arXiv-2409.01234-b31b1b.svg)](https://arxiv.org/abs/2409.01234) "
        "[![GitHub](https://img.shields.io/github/stars/lab/styles?style=social)](https://github.com/lab/styles)",
    ]


PARAGRAPHS = """# Diffusion

## Image Generation

**Scalable Diffusion Models with Transformers** \\
*William Peebles, Saining Xie* \\
arXiv 2022. [[Paper](https://arxiv.org/abs/2212.09748)] [[Github](https://github.com/facebookresearch/DiT)] \\
19 Dec 2022

**High-Resolution Image Synthesis with Latent Diffusion Models** \\
*Robin Rombach, Andreas Blattmann, Dominik Lorenz, Patrick Esser, Björn Ommer* \\
CVPR 2022. [[Paper](https://arxiv.org/abs/2112.10752)] [[Github](https://github.com/CompVis/latent-diffusion)] \\
20 Dec 2021

**Improved Denoising Diffusion Probabilistic Models** \\
*Alex Nichol, Prafulla Dhariwal* \\
ICML 2021. [[Paper](https://arxiv.org/abs/2102.09672)] [[Github](https://github.com/openai/improved-diffusion)] \\
08 Feb 2021

**Denoising Diffusion Probabilistic Models** \\
*Jonathan Ho, Ajay Jain, Pieter Abbeel* \\
NeurIPS 2020. [[Paper](https://arxiv.org/abs/2006.11239)] \\
19 Jun 2020
"""


def test_hard_break_paragraphs_newest_first() -> None:
    paper = NEW.replace(venue="arXiv 2024")
    lines, text = _added(PARAGRAPHS, "Image Generation", paper)
    assert lines == [
        "**Learning Styles from Lists** \\",
        "*Ana Lima, Bo Chen, Carla Diaz* \\",
        "arXiv 2024. [[Paper](https://arxiv.org/abs/2409.01234)] [[Github](https://github.com/lab/styles)] \\",
        "02 Sep 2024",
    ]
    assert "## Image Generation\n\n" + "\n".join(lines) + "\n\n**Scalable Diffusion" in text


NESTED_FIELDS = """# RLHF

## Papers

- [Direct Preference Optimization: Your Language Model is Secretly a Reward Model](https://arxiv.org/abs/2305.18290)
  - Rafael Rafailov, Archit Sharma, Eric Mitchell
  - Keyword: DPO, Preference Optimization
  - Code: [Official](https://github.com/eric-mitchell/direct-preference-optimization)
- [RRHF: Rank Responses to Align Language Models with Human Feedback](https://arxiv.org/abs/2304.05302)
  - Zheng Yuan, Hongyi Yuan, Chuanqi Tan
  - Keyword: Ranking Loss
- [Constitutional AI: Harmlessness from AI Feedback](https://arxiv.org/abs/2212.08073)
  - Yuntao Bai, Saurav Kadavath, Sandipan Kundu
  - Keyword: RLAIF, Harmlessness
  - Code: [Official](https://github.com/anthropics/ConstitutionalHarmlessnessPaper)
"""


def test_nested_field_bullets_carry_authors_keywords_and_code() -> None:
    paper = NEW.replace(tags=("Style", "Lists"))
    lines, text = _added(NESTED_FIELDS, "Papers", paper)
    assert lines == [
        "- [Learning Styles from Lists](https://arxiv.org/abs/2409.01234)",
        "  - Ana Lima, Bo Chen, Carla Diaz",
        "  - Keyword: Style, Lists",
        "  - Code: [Official](https://github.com/lab/styles)",
    ]
    assert "## Papers\n\n" + "\n".join(lines) + "\n- [Direct Preference" in text


BR_TABLE = """# MLLMs

## Instruction Tuning

|  Title  |   Venue  |   Date   |   Code   |   Demo   |
|:--------|:--------:|:--------:|:--------:|:--------:|
| ![Star](https://img.shields.io/github/stars/QwenLM/Qwen2.5-VL.svg?style=social&label=Star) <br> [**Qwen2.5-VL Technical Report**](https://arxiv.org/pdf/2502.13923) <br> | arXiv | 2025-02-19 | [Github](https://github.com/QwenLM/Qwen2.5-VL) | [Demo](https://huggingface.co/spaces/Qwen/Qwen2.5-VL) |
| [**CompCap: Improving Multimodal LLMs with Composite Captions**](https://arxiv.org/pdf/2412.05243) | arXiv | 2024-12-06 | [Coming soon]() | - |
| [**Florence-VL: Enhancing Vision-Language Models with Generative Vision Encoder**](https://arxiv.org/pdf/2412.04424) | arXiv | 2024-12-05 | - | - |
| [**NVILA: Efficient Frontier Visual Language Models**](https://arxiv.org/pdf/2412.04468) | arXiv | 2024-12-05 | - | - |
| ![Star](https://img.shields.io/github/stars/OpenGVLab/InternVL.svg?style=social&label=Star) <br> [**Expanding Performance Boundaries of Open-Source Multimodal Models**](https://arxiv.org/pdf/2412.05271) <br> | arXiv | 2024-12-06 | [Github](https://github.com/OpenGVLab/InternVL) | - |

## Benchmarks

| Name | Paper | Link | Notes |
|:-----|:-----:|:----:|:-----:|
| **MME** | [MME: A Comprehensive Evaluation Benchmark](https://arxiv.org/pdf/2306.13394) | [Link](https://github.com/BradyFU/MME) | Perception and cognition |
"""


def test_br_title_cells_are_papers_and_the_row_follows_its_own_table() -> None:
    """Two table bugs: a `[Coming soon]()` cell spliced the URL between every character, and a
    `<br>` title cell was not read, so the row came from another section's table."""
    lines, text = _added(BR_TABLE, "Instruction Tuning")
    assert lines == [
        "| ![Star](https://img.shields.io/github/stars/lab/styles.svg?style=social&label=Star) <br> "
        "[**Learning Styles from Lists**](https://arxiv.org/pdf/2409.01234) <br> | arXiv | "
        "2024-09-02 | [Github](https://github.com/lab/styles) | - |"
    ]
    assert text.index(lines[0]) < text.index("| [**CompCap")
    no_code = _added(BR_TABLE, "Instruction Tuning", NEW.replace(code_url=None))[0]
    assert no_code == [
        "| [**Learning Styles from Lists**](https://arxiv.org/pdf/2409.01234) | arXiv | 2024-09-02 | - | - |"
    ]


MOJIBAKE = """# Training

## Papers

- **Token Mixing Revisited**, `arXiv, 2410.08003`, [arxiv](http://arxiv.org/abs/2410.08003v1), [pdf](http://arxiv.org/pdf/2410.08003v1.pdf), cication: [**-1**](None)

\t *Gus Hahn, Hana Ito* ¬∑ ([mix](https://github.com/gh/mix) - gh) ![Star](https://img.shields.io/github/stars/gh/mix.svg?style=social&label=Star)
- **Routing Collapse**, `arXiv, 2410.07004`, [arxiv](http://arxiv.org/abs/2410.07004v1), [pdf](http://arxiv.org/pdf/2410.07004v1.pdf), cication: [**-1**](None)

\t *Mia Nord, Ned Olsen* ¬∑ ([route](https://github.com/mn/route) - mn) ![Star](https://img.shields.io/github/stars/mn/route.svg?style=social&label=Star)
"""


def test_a_garbled_separator_is_written_repaired_and_check_leaves_the_entry_alone() -> None:
    from papershelf.sync.check import check_document

    lines, text = _added(MOJIBAKE, "Papers")
    assert lines[-1].startswith("\t *Ana Lima, Bo Chen, Carla Diaz* · ([styles]")
    doc = parse_list(text.encode())
    flagged = {f.line for f in check_document("l.md", doc) if f.code == "mojibake"}
    new_line = text.split("\n").index(lines[-1]) + 1
    assert new_line not in flagged and len(flagged) == 2


def test_the_author_rule_is_the_lists_not_only_the_sections() -> None:
    # Only the first section shows long author lists (elided as `A, B, C, ..., Y, Z`); a paper
    # with many authors added to the second follows the list's rule all the same.
    first = [
        "Ada",
        "Bo",
        "Cy",
        "Di",
        "Ed",
        "Flo",
        "Gus",
        "Hal",
        "Ivo",
        "Jan",
        "Kai",
        "Lea",
        "Mo",
        "Ned",
        "Ola",
        "Pia",
        "Quin",
        "Raj",
        "Sam",
        "Tom",
    ]
    last = [
        "Lima",
        "Chen",
        "Diaz",
        "Patel",
        "Novak",
        "Ade",
        "Hahn",
        "Ito",
        "Moss",
        "Lund",
        "Nord",
        "Olsen",
        "Pike",
        "Rao",
        "Stone",
        "Wu",
        "Xu",
    ]
    many = tuple(f"{a} {b}" for a in first[:6] for b in last[:6])[:34]
    body = "".join(
        f"- **Paper {n}**, `arXiv, 2410.0000{n}`, [arxiv](http://arxiv.org/abs/2410.0000{n}v1)\n\n"
        f"\t *{first[n]} {last[n]}, {first[n + 1]} {last[n]}, {first[n + 2]} {last[n]}, ..., "
        f"{first[n + 3]} {last[n]}, {first[n + 4]} {last[n]}*\n"
        for n in range(1, 6)
    )
    data = f"# L\n\n## Pretrain\n\n{body}\n## Other\n\n- **Solo**, `arXiv, 2410.00009`, [arxiv](http://arxiv.org/abs/2410.00009v1)\n\n\t *P Q*\n"
    lines, _text = _added(data, "Other", NEW.replace(authors=many, code_url=None))
    assert lines[-1] == f"\t *{many[0]}, {many[1]}, {many[2]}, ..., {many[-2]}, {many[-1]}*"


def test_tags_the_list_does_not_show_are_reported_left_out() -> None:
    doc = parse_list(NUMBERED_AUTHORS.encode())
    target = doc.section("Retrieval")
    plan = plan_insertion(
        doc, target, infer_style(doc, target), NEW.replace(tags=("rag",), venue="ICLR 2025")
    )
    assert set(plan.left_out) == {"tags", "venue", "published"}
    assert "rag" not in "\n".join(plan.lines)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_placement_follows_where_the_lists_git_history_put_its_additions(tmp_path: Path) -> None:
    """A section in no date order: the list's own history (three additions on top) decides."""
    ws = tmp_path / "ws"
    ws.mkdir()
    _git(ws, "init", "-q", "-b", "main")
    _git(ws, "config", "user.email", "t@example.org")
    _git(ws, "config", "user.name", "T")
    entries = [
        "- [Beta](https://arxiv.org/abs/2301.00002), Jan. 2 2023.",
        "- [Alpha](https://arxiv.org/abs/2305.00001), May 1 2023.",
        "- [Gamma](https://arxiv.org/abs/2302.00003), Feb. 3 2023.",
    ]
    path = ws / "papers.md"
    for k in range(len(entries)):
        path.write_text("# Papers\n\n## Mixed\n\n" + "\n".join(entries[: k + 1][::-1]) + "\n")
        _git(ws, "add", "papers.md")
        _git(ws, "commit", "-q", "-m", f"add {k}")
    extra = "- [Delta](https://arxiv.org/abs/2303.00004), Mar. 4 2023."
    path.write_text(path.read_text().replace("## Mixed\n\n", f"## Mixed\n\n{extra}\n"))
    _git(ws, "commit", "-qam", "add delta on top")
    result = add_paper(Workspace(ws), NEW, "papers.md", "Mixed")
    assert result.placement.startswith("top: ") and "git history" in result.placement
    assert path.read_text().split("\n")[4].startswith("- [Learning Styles from Lists]")
    assert result.to_dict()["placement"] == result.placement


@pytest.mark.parametrize(
    ("data", "section"),
    [
        (NUMBERED_AUTHORS, "Retrieval"),
        (DATE_PREFIX, "Papers"),
        (QUOTED, "Code Generation"),
        (BADGES, "Quantization"),
        (PARAGRAPHS, "Image Generation"),
        (NESTED_FIELDS, "Papers"),
        (BR_TABLE, "Instruction Tuning"),
    ],
)
def test_a_paper_without_code_or_date_is_written_cleanly(data: str, section: str) -> None:
    bare = Paper(url="https://arxiv.org/abs/2409.05678", arxiv_id="2409.05678", title="Bare Paper")
    lines, _text = _added(data, section, bare)
    written = "\n".join(lines)
    assert "()" not in written and "[]" not in written and "****" not in written
    assert "Bare Paper" in written and "2409.05678" in written


def test_links_given_become_the_lists_labelled_links() -> None:
    paper = NEW.replace(code_url=None, links=(Link("Project", "https://example.org/p"),))
    lines, _text = _added(
        PARAGRAPHS.replace(
            "] [[Github](https://github.com/facebookresearch/DiT)]",
            "] [[Project](https://www.wpeebles.com/DiT)]",
        ),
        "Image Generation",
        paper,
    )
    # The list names a preprint's venue `arXiv {year}`: the paper, with none, gets `arXiv 2024`.
    assert (
        "arXiv 2024. [[Paper](https://arxiv.org/abs/2409.01234)] [[Project](https://example.org/p)] \\"
        in lines
    )


CITATIONS = """# Deep Learning Papers Reading Roadmap

## 1.3 ImageNet Evolution

**[4]** Krizhevsky, Alex, Ilya Sutskever, and Geoffrey E. Hinton. "**Imagenet classification with deep convolutional neural networks**." Advances in neural information processing systems. 2012. [[pdf]](http://papers.nips.cc/paper/4824.pdf) **(AlexNet, Deep Learning Breakthrough)** :star::star::star::star::star:

**[5]** Simonyan, Karen, and Andrew Zisserman. "**Very deep convolutional networks for large-scale image recognition**." arXiv preprint arXiv:1409.1556 (2014). [[pdf]](https://arxiv.org/pdf/1409.1556.pdf) **(VGGNet,Neural Networks become very deep!)** :star::star::star:

**[6]** Szegedy, Christian, et al. "**Going deeper with convolutions**." Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition. 2015. [[pdf]](http://www.cv-foundation.org/going_deeper.pdf) **(GoogLeNet)** :star::star::star:

**[7]** He, Kaiming, et al. "**Deep residual learning for image recognition**." arXiv preprint arXiv:1512.03385 (2015). [[pdf]](https://arxiv.org/pdf/1512.03385.pdf) **(ResNet,Very very deep networks, CVPR best paper)** :star::star::star::star::star:

## 1.4 Speech Recognition Evolution

**[8]** Hinton, Geoffrey, et al. "**Deep neural networks for acoustic modeling in speech recognition**." IEEE Signal Processing Magazine 29.6 (2012): 82-97. [[pdf]](http://cs224d.stanford.edu/papers/maas_paper.pdf) **(Breakthrough in speech recognition)** :star::star::star::star:
"""


def test_numbered_citations_get_the_next_number_authors_first_and_no_other_entrys_note() -> None:
    """`**[7]** He, Kaiming, et al. "**Title**." ...`: the number label is the entry's number,
    the authors before the quoted title are read as such, the first author written surname
    first as the list does, and no other entry's words (`CVPR best paper`) come along."""
    lines, text = _added(CITATIONS, "1.3 ImageNet Evolution")
    (line,) = lines
    assert line.startswith(
        '**[8]** Lima, Ana, Bo Chen, and Carla Diaz. "**Learning Styles from Lists**." '
    ), line
    assert "arxiv.org/pdf/2409.01234" in line
    for words in ("AlexNet", "VGGNet", "ResNet", "best paper", "very deep"):
        assert words not in line
    assert text.index(line) < text.index("## 1.4")


EMOJI_FIELDS = """# Papers with Keyword: security

- [AgentRAE: Remote Action Execution through Notification-based Visual Backdoors](https://arxiv.org/abs/2603.22878)
    - Yutao Luo, Haotian Zhu, Shuchao Pang
    - 🏛️ Institutions: Nanjing University of Science and Technology, Macquarie University
    - 📅 Date: March 24, 2026
    - 📑 Publisher: arXiv
    - 💻 Env: [Mobile]
    - 🔑 Key: [GUI agent], [mobile agent], [backdoor attack]
    - 📖 TLDR: AgentRAE introduces a backdoor attack against screenshot-based mobile agents.

- [Visual Confused Deputy: Exploiting and Defending Perception Failures](https://arxiv.org/abs/2603.14707)
    - Mauro Li, Reuben Binns, Soheil Feizi
    - 🏛️ Institutions: MBZUAI, McGill University
    - 📅 Date: March 16, 2026
    - 📑 Publisher: ICLR 2026
    - 💻 Env: [GUI]
    - 🔑 Key: [security], [safety], [computer-use agent]
    - 📖 TLDR: Formalizes the visual confused deputy as a vulnerability of computer-using agents.
"""


def test_emoji_labelled_field_bullets_write_the_papers_own_fields_only() -> None:
    """`- 📑 Publisher: arXiv` is the venue line (a preprint's `arXiv` too), `- 🔑 Key: [a], [b]`
    the tags each in brackets; institutions, environment and TLDR are each paper's own and are
    not written for another."""
    paper = NEW.replace(venue=None, code_url=None, tags=("security", "GUI agent"))
    lines, _text = _added(EMOJI_FIELDS, "Papers with Keyword: security", paper)
    assert lines == [
        "- [Learning Styles from Lists](https://arxiv.org/abs/2409.01234)",
        "    - Ana Lima, Bo Chen, Carla Diaz",
        "    - 📅 Date: September 2, 2024",
        "    - 📑 Publisher: arXiv",
        "    - 🔑 Key: [security], [GUI agent]",
    ]


TOPIC_BADGES = """# Prompt papers

## Pilot work

1. **Parameter-Efficient Transfer Learning for NLP.** ICML 2019. ![](https://img.shields.io/badge/Adapter-blue)

   *Neil Houlsby, Andrei Giurgiu, Stanislaw Jastrzebski* [[pdf](https://arxiv.org/abs/1902.00751)], 2019.2

2. **Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer.** JMLR. ![](https://img.shields.io/badge/T5-blue) ![](https://img.shields.io/badge/Seq2Seq-red)

   *Colin Raffel, Noam Shazeer, Adam Roberts* [[pdf](https://arxiv.org/abs/1910.10683)], 2019.10

3. **Language Models are Few-Shot Learners.** NeurIPS 2020. ![](https://img.shields.io/badge/Seq2Seq-red) ![](https://img.shields.io/badge/dialogue-brown)

   *Tom Brown, Benjamin Mann, Nick Ryder* [[pdf](https://arxiv.org/abs/2005.14165)], 2020.5
"""


def test_topic_badges_are_the_entrys_tags_and_titles_end_as_the_lists_do() -> None:
    """`![](…/badge/Seq2Seq-red)` is a tag: a paper with tags gets its own (in the colour the list
    gives each), one without gets none of another paper's; `**Title.**`: the period stays."""
    plain = NEW.replace(code_url=None, venue="ICLR 2025")
    lines, _text = _added(TOPIC_BADGES, "Pilot work", plain)
    assert lines[0].startswith("4. **Learning Styles from Lists.** ICLR 2025. "), lines
    assert "badge" not in "".join(lines)
    tagged = plain.replace(tags=("Seq2Seq", "Prompting"))
    lines, _text = _added(TOPIC_BADGES, "Pilot work", tagged)
    assert lines[0] == (
        "4. **Learning Styles from Lists.** ICLR 2025. "
        "![](https://img.shields.io/badge/Seq2Seq-red) ![](https://img.shields.io/badge/Prompting-red)"
    ), lines


VENUE_FIRST = """# Graph LLM

## Reasoning

- (*NeurIPS'23*) Can Language Models Solve Graph Problems in Natural Language? [[paper](https://arxiv.org/abs/2305.10037)][[code](https://github.com/Arthur-Heng/NLGraph)]
- (*arXiv 2023.10*) Talk like a Graph: Encoding Graphs for Large Language Models [[paper](https://arxiv.org/abs/2310.04560)]
- (*ICLR'24*) Graph Neural Prompting with Large Language Models [[paper](https://arxiv.org/abs/2309.15427)]
- (*arXiv 2023.11*) GraphLLM: Boosting Graph Reasoning Ability of Large Language Model [[paper](https://arxiv.org/abs/2310.05845)]
"""

ROBOTICS = """# LLM robotics

## Planning

* **SayCan**: "Do As I Can, Not As I Say: Grounding Language in Robotic Affordances", *CoRL, 2022*. [[Paper](https://arxiv.org/abs/2204.01691)]
* **LM-Nav**: "Robotic Navigation with Large Pre-Trained Models of Language, Vision, and Action", *CoRL, 2022*. [[Paper](https://arxiv.org/abs/2207.04429)]
* **Code-As-Policies**: "Code as Policies: Language Model Programs for Embodied Control", *ICRA, 2023*. [[Paper](https://arxiv.org/abs/2209.07753)]
* **LEO**: "An Embodied Generalist Agent in 3D World", *arXiv, Nov 2023*. [[Paper](https://arxiv.org/abs/2311.12871)]
"""

DASHED = """# Reasoning foundations

## Expressivity

- **A Little Depth Goes a Long Way** — William Merrill, Ashish Sabharwal (2025, NeurIPS 2025). [paper](https://arxiv.org/abs/2503.03961).
- **Physics of Language Models: Part 1** — Zeyuan Allen-Zhu, Yuanzhi Li (2023). [paper](https://arxiv.org/abs/2305.13673).
- **Physics of Language Models: Part 3.1** — Zeyuan Allen-Zhu, Yuanzhi Li (2023, ICML 2024). [paper](https://arxiv.org/abs/2309.14316).
- **Tighter Bounds on the Expressivity of Transformer Encoders** — David Chiang, Peter Cholak, Anand Pillay (2023, ICML 2023). [paper](https://arxiv.org/abs/2301.10743).

## Changelog

- 2026-05-14 — [Tighter Bounds on the Expressivity of Transformer Encoders](https://arxiv.org/abs/2301.10743)
"""


@pytest.mark.parametrize(
    ("data", "section", "venue", "expected"),
    [
        (
            VENUE_FIRST,
            "Reasoning",
            "NeurIPS 2024",
            "- (*NeurIPS'24*) Learning Styles from Lists [[paper]",
        ),
        (VENUE_FIRST, "Reasoning", None, "- (*arXiv 2024.09*) Learning Styles from Lists [[paper]"),
        (
            ROBOTICS,
            "Planning",
            "NeurIPS 2024",
            '* "Learning Styles from Lists", *NeurIPS, ',
        ),
        (
            DASHED,
            "Expressivity",
            None,
            "- **Learning Styles from Lists** — Ana Lima, Bo Chen, Carla Diaz (2024). [paper]",
        ),
    ],
)
def test_venues_dates_and_authors_where_the_list_puts_them(
    data: str, section: str, venue: str | None, expected: str
) -> None:
    """A venue emphasised before the title (`(*NeurIPS'23*) Title`), venues without their year
    beside a date (`*CoRL, 2022*`), a run of names after a dash, years where most dates are
    years: each read as that field and written with the new paper's own, never another's
    (`Yuanzhi Li` once wrote itself after a new paper's authors)."""
    paper = NEW.replace(venue=venue, code_url=None)
    (line,), _text = _added(data, section, paper)
    assert line.startswith(expected), line
    assert "Yuanzhi" not in line and "2022" not in line


ONE_PER_LINE = """# Inference systems

## Quantization kernels

**MARLIN: Mixed-Precision Auto-Regressive Parallel Inference on Large Language Models** (PPoPP 2025) [[paper]](https://arxiv.org/abs/2408.11743) ⭐⭐
**T-MAC: CPU Renaissance via Table Lookup for Low-Bit LLM Deployment on Edge** (EuroSys 2025) [[paper]](https://arxiv.org/abs/2407.00088) ⭐
**LiquidGEMM: Hardware-Efficient W4A8 GEMM Kernel for High-Performance LLM Serving** (ArXiV 2025.09) [[paper]](https://arxiv.org/abs/2509.01229) ⭐⭐⭐

## Next
"""


def test_a_paragraph_of_one_paper_per_line_is_one_entry_per_line() -> None:
    """Lines that each open with `**` and hold their own link, with no blank line between, are
    one paragraph to markdown and a paper each to the list: each is found (so each is known as
    listed), and a new one is its own line with no other paper's words and no one's rating."""
    doc = parse_list(ONE_PER_LINE.encode())
    assert [e.end - e.start for e in doc.section("Quantization kernels").entries] == [1, 1, 1]
    paper = NEW.replace(code_url=None, venue="OSDI 2025")
    (line,), text = _added(ONE_PER_LINE, "Quantization kernels", paper)
    assert (
        line
        == "**Learning Styles from Lists** (OSDI 2025) [[paper]](https://arxiv.org/abs/2409.01234)"
    )
    assert text.count("LiquidGEMM") == 1
