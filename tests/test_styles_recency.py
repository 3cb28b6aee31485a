"""A curator's newest additions show their current habit, even where older entries outnumber them."""

from __future__ import annotations

from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Paper
from papershelf.sync.styles import infer_style, learn_placement, plan_insertion

# Mostly newest first (two entries out of order), so new papers go on top; the three added
# last write `Official`, the five before them `official`.
CHANGED_LABEL = """# RLHF

## Papers

- [Reward Shaping at Scale](https://arxiv.org/abs/2503.00011)
  - Code: [Official](https://github.com/a/shaping)
- [Dense Rewards](https://arxiv.org/abs/2501.00012)
  - Code: [Official](https://github.com/a/dense)
- [Classic Preference Learning](https://arxiv.org/abs/1706.03741)
  - Code: [Official](https://github.com/a/classic)
- [Direct Preference Optimization](https://arxiv.org/abs/2305.18290)
  - Code: [official](https://github.com/b/dpo)
- [Constitutional AI](https://arxiv.org/abs/2212.08073)
  - Code: [official](https://github.com/b/cai)
- [RRHF](https://arxiv.org/abs/2304.05302)
  - Code: [official](https://github.com/b/rrhf)
- [InstructGPT](https://arxiv.org/abs/2203.02155)
  - Code: [official](https://github.com/b/instructgpt)
- [Learning to Summarize](https://arxiv.org/abs/2009.01325)
  - Code: [official](https://github.com/b/summarize)
"""


def test_a_label_the_latest_additions_changed_is_written_as_they_write_it() -> None:
    doc = parse_list(CHANGED_LABEL.encode())
    section = doc.section("Papers")
    assert learn_placement(doc, section).rule == "top"
    paper = Paper(
        url="https://arxiv.org/abs/2409.01234",
        title="Learning Styles from Lists",
        code_url="https://github.com/lab/styles",
    )
    plan = plan_insertion(doc, section, infer_style(doc, section), paper)
    assert plan.lines == [
        "- [Learning Styles from Lists](https://arxiv.org/abs/2409.01234)",
        "  - Code: [Official](https://github.com/lab/styles)",
    ]
    assert plan.at_line == 4  # on top
