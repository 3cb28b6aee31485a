"""`off-style`: a different shape is reported; an entry missing an optional part is not.

papershelf must never flag what it wrote itself: a paper with no date is written in a dated list
as `[Title](url)` (the date slot left out), and a paper with no arXiv id is written in a
bold-arXiv list as a titled link (that shape is built on the id). Both are the list's style.
"""

from __future__ import annotations

import pytest
from conftest import SHARED_SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.sync.check import check_document
from papershelf.sync.insert import target_section
from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Paper
from papershelf.sync.styles import infer_style, plan_insertion

DATED = (
    "# L\n\n## Optimization\n\n"
    "- [Alpha](https://arxiv.org/abs/2401.00001), Jan. 1 2024.\n"
    "- [Beta](https://arxiv.org/abs/2401.00002), Jan. 2 2024.\n"
    "- [Gamma](https://arxiv.org/abs/2401.00003), Jan. 3 2024.\n"
)
BOLD = "# L\n\n## Pretrain\n\n" + "".join(
    f"- **Bold {n}**, `arXiv, 2401.1316{n}`, [arxiv](http://arxiv.org/abs/2401.1316{n}v1), "
    f"[pdf](http://arxiv.org/pdf/2401.1316{n}v1.pdf)\n\n\t *Ann Bee, Cid Dee*\n"
    for n in range(4)
)


def _off(text: str) -> list[tuple[int, str, str]]:
    findings = check_document("l.md", parse_list(text.encode()))
    return [(f.line, f.context["family"], f.context["expected"]) for f in findings]


def _add(text: str | bytes, section: str, paper: Paper) -> str:
    doc = parse_list(text if isinstance(text, bytes) else text.encode())
    target = target_section(doc, section, "l.md")
    plan = plan_insertion(doc, target, infer_style(doc, target), paper)
    return doc.with_lines_inserted(plan.at_line, plan.lines).render().decode()


def test_undated_entry_papershelf_writes_in_a_dated_list_is_not_off_style() -> None:
    paper = Paper(arxiv_id="2502.00001", title="X paper")
    added = _add(DATED, "Optimization", paper)
    # Every entry of the list ends with a period, and so does one with no date (as real
    # hand-kept lists do: paper-jam writes `- [Title](url).`).
    assert "- [X paper](https://arxiv.org/abs/2502.00001).\n" in added
    assert _off(added) == []


def test_undated_entries_do_not_outvote_the_dated_ones() -> None:
    """Two dated papers and four undated ones are one style: nobody is off-style."""
    undated = "".join(f"- [U{n}](https://arxiv.org/abs/2402.0000{n})\n" for n in range(4))
    two_dated = DATED.replace("- [Gamma](https://arxiv.org/abs/2401.00003), Jan. 3 2024.\n", "")
    assert _off(two_dated + undated) == []


def test_a_different_shape_is_still_off_style() -> None:
    bold = "- **Bold**, `arXiv, 2401.13160`, [arxiv](http://arxiv.org/abs/2401.13160v1)\n"
    assert _off(DATED + bold) == [(8, "bold item", "link item")]
    undated = "".join(f"- [U{n}](https://arxiv.org/abs/2402.0000{n})\n" for n in range(3))
    assert _off("# L\n\n" + undated + bold) == [(6, "bold item", "link item")]


def test_titled_link_without_arxiv_id_in_a_bold_arxiv_list_is_not_off_style() -> None:
    doi = Paper(url="https://doi.org/10.1145/3292500.3330701", title="A DOI paper")
    assert _off(_add(BOLD, "Pretrain", doi)) == []
    # An arXiv paper could have been written bold: as a plain link it is another shape.
    arxiv = BOLD + "- [Plain](https://arxiv.org/abs/2401.13169)\n"
    assert _off(arxiv) == [(17, "link item", "bold item")]


PAPERS = st.builds(
    Paper,
    arxiv_id=st.sampled_from(["2502.00007", None]),
    url=st.sampled_from([None, "https://doi.org/10.1145/3292500.3330701"]),
    title=st.sampled_from(["A New Paper", "Über 中文 🚀"]),
    authors=st.sampled_from([(), ("Ann Bee",), ("Ann Bee", "Cid Dee", "Eve Fox")]),
    published=st.sampled_from([None, "2025-02", "2025-02-03"]),
    venue=st.sampled_from([None, "ICLR 2025"]),
).filter(lambda p: p.identity is not None)


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="shared seeds not present")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SHARED_SEEDS.glob("*.txt")) or [SHARED_SEEDS]), PAPERS, st.data())
def test_what_papershelf_writes_into_a_seed_is_never_off_style(seed, paper, data) -> None:
    doc = parse_list(seed.read_bytes())
    section = data.draw(st.sampled_from([s.address for s in doc.sections if s.path]))
    after = check_document("l.md", parse_list(_add(seed.read_bytes(), section, paper).encode()))
    assert [f.format() for f in after if f.code == "off-style"] == []
