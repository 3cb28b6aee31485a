"""The README's "your own lists" commands do what it says, on a clone of a lists repository."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from gitsync_support import git

from papershelf.server.cli import main

ROOT = Path(__file__).resolve().parent.parent
TRAINING = """\
# Training

## Pre-training

- [Scaling Laws for Neural Language Models](https://arxiv.org/abs/2001.08361), Jan. 23 2020.

## Fine-tuning

- [LoRA: Low-Rank Adaptation of Large Language Models](https://arxiv.org/abs/2106.09685), Jun. 17 2021.
"""


def readme_commands() -> list[list[str]]:
    """The commands of the block under "Your own lists", as argument lists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own lists", 1)[1]
    block = re.search(r"```bash\n(.*?)\n```", section, re.S)
    assert block is not None
    return [shlex.split(line) for line in block.group(1).splitlines()]


def test_the_readme_still_opens_with_the_two_fresh_machine_commands_only() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)\n```", readme, re.S)
    assert first is not None and len(first.group(1).splitlines()) == 2
    assert readme.count("```sh\n") == 1  # .ci/run reads line 2 of every sh block together


def test_three_commands_take_a_newcomer_to_their_own_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = readme_commands()
    assert [c[:2] for c in commands] == [
        [".venv/bin/papershelf", "init"],
        [".venv/bin/papershelf", "add"],
        [".venv/bin/papershelf", "serve"],
    ]
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(remote))
    clone = tmp_path / "my-lists"
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    (clone / "training.md").write_text(TRAINING, encoding="utf-8")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "lists")

    init = [clone.as_posix() if arg == "~/src/my-lists" else arg for arg in commands[0][1:]]
    assert main(init) == 0
    out = capsys.readouterr().out
    assert "training.md (link item): 2 papers in 2 sections: Pre-training, Fine-tuning" in out
    # No network in tests: the README's own advice, --title, stands in for the arXiv lookup.
    assert main([*commands[1][1:], "--title", "Pre-training Distillation"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("added to training.md › Pre-training (line ")
    assert "Pre-training Distillation" in (clone / "training.md").read_text(encoding="utf-8")
    assert main([*commands[2][1:], "--help"]) == 0
