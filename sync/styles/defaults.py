"""The style of a list with no paper entries to learn from, learned from a small sample list."""

from __future__ import annotations

from functools import cache
from typing import Any

#: A list written in papershelf's default style: `- [Title](abs url), Mon. D YYYY.`, then a code
#: link, other links and tags, each closed by a period.
SAMPLE = """# Papers

- [A Sample Paper on Training](https://arxiv.org/abs/2401.00001), Jan. 2 2024.
- [Another Sample Paper](https://arxiv.org/abs/2402.00002), Feb. 3 2024. [code](https://github.com/o/r).
- [A Third Sample Paper](https://arxiv.org/abs/2403.00003), Mar. 4 2024. [blog](https://example.org/b). `tag`.
- [A Fourth Sample Paper](https://arxiv.org/abs/2404.00004), Apr. 5 2024. [code](https://github.com/o/s). [blog](https://example.org/c). `tag`.
- [A Fifth Sample Paper](https://openreview.net/forum?id=x), ICLR 2024.
"""


@cache
def default_template() -> Any:
    """The template learned from SAMPLE, with one blank line around a list's entries."""
    from dataclasses import replace

    from ..listmodel import parse_list
    from .style import examples_of
    from .template import learn_template

    doc = parse_list(SAMPLE.encode())
    section = doc.section("Papers")
    template = learn_template(examples_of(doc, list(section.entries), own=True))
    return replace(template, gap=0, lead_gap=1, tail_gap=1)


def __getattr__(name: str) -> Any:
    if name == "DEFAULT_TEMPLATE":
        return default_template()
    raise AttributeError(name)
