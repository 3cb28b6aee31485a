"""The list model on 50,000-entry lists whose headings are HTML (`<h3 align="center">…</h3>`).

- `link_date` with its 125 headings as centred HTML (every third wrapped in a
  `<div align="center">`, every third split over lines) against the same list with `###`;
- one HTML block of 50,000 headings and no blank line (an HTML-only README): reading a block's
  tags must stay linear in its size;
- an insertion under an HTML heading: splice, re-scan near it, verify.

Run: `.venv/bin/pytest tests/benchmarks/test_bench_parse_html.py`.
"""

from __future__ import annotations

import re

import pytest
from benchmarks.listgen import generate_list

from papershelf.sync.listmodel import parse_list, verify_insertion
from papershelf.sync.listmodel.lines import strip_ending

N_ENTRIES = 50_000
_ATX = re.compile(r"(?m)^(#{1,6}) (.*)\n")


def _as_html(data: bytes) -> bytes:
    """The list with each ATX heading written in one of three centred HTML shapes."""
    count = 0

    def html(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        n, title = len(m.group(1)), m.group(2)
        if count % 3 == 0:
            return f'<div align="center">\n  <h{n}>{title}</h{n}>\n</div>\n'
        if count % 3 == 1:
            return f'<h{n} align="center">{title}</h{n}>\n'
        return f'<h{n} id="s{count}">\n  <a href="#top">{title}</a>\n</h{n}>\n'

    return _ATX.sub(html, data.decode("utf-8")).encode("utf-8")


@pytest.fixture(scope="module")
def lists() -> dict[str, bytes]:
    atx = generate_list("link_date", N_ENTRIES)
    block = "".join(f'<h3 align="center">Section {k} &amp; more</h3>\n' for k in range(N_ENTRIES))
    return {"atx": atx, "html": _as_html(atx), "one_block": f"<div>\n{block}</div>\n".encode()}


def _full_parse(data: bytes):
    doc = parse_list(data)
    doc.entries  # noqa: B018 - builds the Entry objects, which are made lazily
    return doc


@pytest.mark.parametrize("name", ["atx", "html"])
def test_parse_headings(benchmark, lists: dict[str, bytes], name: str) -> None:
    """The same list, headings written `### Title` or as HTML: the same sections, same cost."""
    doc = benchmark(_full_parse, lists[name])
    assert doc.render() == lists[name]
    assert len(doc.headings) == 125 and all(h.html == (name == "html") for h in doc.headings)
    assert len(doc.entries) >= N_ENTRIES
    benchmark.extra_info.update(headings=name, bytes=len(lists[name]))


def test_parse_one_block_of_many_headings(benchmark, lists: dict[str, bytes]) -> None:
    doc = benchmark(parse_list, lists["one_block"])
    assert len(doc.headings) == N_ENTRIES
    assert doc.headings[-1].title == f"Section {N_ENTRIES - 1} & more"


def test_insert_under_an_html_heading(benchmark, lists: dict[str, bytes]) -> None:
    """The list-model part of an add under an HTML heading in the middle of the list."""
    doc = parse_list(lists["html"])
    section = doc.sections[len(doc.sections) // 2]
    assert doc.headings[len(doc.sections) // 2 - 1].html
    first, last = section.entries[0], section.entries[-1]
    new = [strip_ending(line) for line in doc.lines[first.start : first.end]]

    def add_one() -> bytes:
        after = doc.with_lines_inserted(last.end, new)
        verify_insertion(doc, after, last.end, new)
        return after.render()

    out = benchmark(add_one)
    assert parse_list(out).render() == out
