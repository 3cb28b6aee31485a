"""What `papershelf add` tells a person: the section's path, what was left out, a second list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_support import run

from papershelf.server import cli_lists
from papershelf.sync.section_label import bytes_title, section_label

READING = """\
# Reading

## Scaling

### Other

- [Sparse Retrievers Revisited](https://arxiv.org/abs/2301.00011), Jan. 5 2023.

## Agents

### Other

- [Tool Use by Imitation](https://arxiv.org/abs/2303.00033), Mar. 9 2023.
"""

TOPICS = """\
## Agents

- [Planning with Models](https://arxiv.org/abs/2305.00055), May 1 2023.
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "reading.md").write_text(READING, encoding="utf-8")
    (root / "topics.md").write_text(TOPICS, encoding="utf-8")
    return root


def add(ws: Path, *args: str) -> list[str]:
    return ["add", *args, "--workspace", str(ws)]


def test_the_section_is_named_by_its_path_below_the_list_title(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        add(
            ws,
            "2304.00044",
            "--title",
            "Memory",
            "--list",
            "reading.md",
            "--section",
            "Agents > Other",
        ),
        capsys,
    )
    assert (code, err) == (0, "")
    # Not "Other" (two sections are called that), not "Reading > Agents > Other" (the title).
    assert out.splitlines()[0] == "added to reading.md › Agents > Other (line 14)"
    code, out, _ = run(add(ws, "2304.00044", "--list", "reading.md", "--section", "Agents"), capsys)
    assert out.splitlines()[0] == "already listed in reading.md › Agents > Other (line 14)"


def test_a_paper_in_another_list_says_the_asked_list_was_not_changed_and_offers_also(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (ws / "topics.md").read_bytes()
    code, out, err = run(
        add(ws, "2301.00011", "--title", "Sparse", "--list", "topics.md", "--section", "Agents"),
        capsys,
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "not added to topics.md: already listed in reading.md › Scaling > Other (line 7)"
        " (add --also to list it in topics.md too)"
    )
    assert (ws / "topics.md").read_bytes() == before


def test_also_files_a_paper_in_a_second_list_but_never_twice_in_one(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        add(
            ws,
            "https://arxiv.org/abs/2301.00011",
            "--title",
            "Sparse Retrievers Revisited",
            "--published",
            "2023-01-05",
            "--list",
            "topics.md",
            "--section",
            "Agents",
            "--also",
            "--json",
        ),
        capsys,
    )
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert (result["status"], result["list"], result["line"]) == ("added", "topics.md", 4)
    lines = (ws / "topics.md").read_text(encoding="utf-8").splitlines()
    assert lines[3] == (
        "- [Sparse Retrievers Revisited](https://arxiv.org/abs/2301.00011), Jan. 5 2023."
    )
    assert "Sparse Retrievers Revisited" in (ws / "reading.md").read_text(encoding="utf-8")
    # Again, with --also: the list asked for has it now, so nothing is written twice.
    before = (ws / "topics.md").read_bytes()
    code, out, _ = run(
        add(
            ws, "2301.00011", "--title", "S", "--list", "topics.md", "--section", "Agents", "--also"
        ),
        capsys,
    )
    assert code == 0 and out.startswith("already listed in topics.md › Agents (line 4)")
    assert (ws / "topics.md").read_bytes() == before


@dataclass(frozen=True)
class _LeftOutResult:
    """An add result carrying the engine's `left_out` (the contract the style engine fills)."""

    inner: Any
    left_out: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.inner.to_dict(), "left_out": list(self.left_out)}


def test_fields_the_list_does_not_show_are_named_in_one_line(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_add = cli_lists.add_paper
    monkeypatch.setattr(
        cli_lists,
        "add_paper",
        lambda *a, **k: _LeftOutResult(real_add(*a, **k), ("tags", "code_url")),
    )
    args = ["2304.00044", "--title", "Memory", "--tag", "agents", "--list", "topics.md"]
    code, out, err = run(add(ws, *args, "--section", "Agents"), capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "tags, code link not written: topics.md shows no tags or code link"
    )
    code, out, _ = run(add(ws, "2304.00045", *args[1:], "--section", "Agents", "--json"), capsys)
    assert json.loads(out)["left_out"] == ["tags", "code_url"]


def test_nothing_left_out_adds_no_line(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        add(ws, "2304.00044", "--title", "Memory", "--list", "topics.md", "--section", "Agents"),
        capsys,
    )
    assert code == 0 and len(out.splitlines()) == 2


@pytest.mark.parametrize(
    ("text", "address", "label"),
    [
        ("# Plaza\n\n## Scaling\n\n### Other\n", "Plaza > Scaling > Other", "Scaling > Other"),
        ("# Plaza\n\n## Scaling\n", "Plaza", "Plaza"),  # the title section keeps its name
        ("## Scaling\n\n### Other\n", "Scaling > Other", "Scaling > Other"),  # no title
        ("# A\n\n# B\n\n## Other\n", "B > Other", "B > Other"),  # two level-1: no title
        ("Plaza\n=====\n\nScaling\n-------\n", "Plaza > Scaling", "Scaling"),  # setext
        ("\ufeff# Plaza\r\n\r\n## Scaling\r\n", "Plaza > Scaling", "Scaling"),  # BOM, CRLF
    ],
)
def test_section_label(text: str, address: str, label: str) -> None:
    assert section_label(address, bytes_title(text.encode("utf-8"))) == label
