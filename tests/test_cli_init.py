"""`papershelf init DIR`: a newcomer points papershelf at their own lists and is told what it found."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from cli_support import run
from gitsync_support import git

from papershelf.sync.paths import machine_config_path
from papershelf.sync.workspace import open_workspace

PLAZA = """\
# Awesome llm training

## Scaling

- **Scaling Laws**, `arXiv, 2001.08361`, [arxiv](http://arxiv.org/abs/2001.08361)

### Other

- **Chinchilla**, `arXiv, 2203.15556`, [arxiv](http://arxiv.org/abs/2203.15556)

## MoE

### Other

- **Switch**, `arXiv, 2101.03961`, [arxiv](http://arxiv.org/abs/2101.03961)
"""

TRAINING = """\
## Optimization

- [Adam](https://arxiv.org/abs/1412.6980), Dec. 22 2014.
- [Lion](https://arxiv.org/abs/2302.06675), Feb. 13 2023.
"""


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of a lists repo with a bare remote, as a researcher has one."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(remote))
    root = tmp_path / "lists"
    git(tmp_path, "clone", "--quiet", str(remote), str(root))
    (root / "plaza.md").write_text(PLAZA, encoding="utf-8")
    (root / "topics").mkdir()
    (root / "topics" / "training.md").write_text(TRAINING, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "lists")
    git(root, "push", "--quiet", "-u", "origin", "main")
    return root


def test_init_makes_the_clone_the_workspace_and_says_what_it_found(
    clone: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["init", str(clone)], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"workspace: {clone.resolve()}"
    assert lines[1] == f"  papershelf uses it from now on (written to {machine_config_path()})"
    assert lines[2] == (
        f"git: branch main; commits are pushed to origin/main ({clone.parent / 'remote.git'})"
    )
    assert lines[3] == "2 lists, 5 papers:"
    assert (
        lines[4]
        == "  plaza.md (bold item): 3 papers in 4 sections: Scaling, Scaling > Other, MoE, MoE > Other"
    )
    assert lines[5] == "  topics/training.md (link item): 2 papers in 1 section: Optimization"
    assert lines[6:] == [
        "next: papershelf serve",
        '  or: papershelf add 2410.16215 --list plaza.md --section "Scaling"',
    ]
    # From now on every command without --workspace uses it.
    with machine_config_path().open("rb") as fh:
        assert tomllib.load(fh) == {"workspace": str(clone.resolve())}
    assert open_workspace().root == clone.resolve()
    code, out, _ = run(
        [
            "add",
            "2410.16215",
            "--title",
            "Distillation",
            "--list",
            "plaza.md",
            "--section",
            "MoE > Other",
        ],
        capsys,
    )
    assert code == 0 and out.startswith("added to plaza.md › MoE > Other (line ")


def test_init_json_has_lists_sections_styles_and_git(
    clone: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["init", str(clone), "--json"], capsys)
    report = json.loads(out)
    assert code == 0
    assert report["git"] | {"top": None} == {
        "repository": True,
        "top": None,
        "branch": "main",
        "remote": "origin",
        "remote_branch": "main",
        "url": str(clone.parent / "remote.git"),
    }
    plaza = report["lists"][0]
    assert (plaza["path"], plaza["title"], plaza["style"], plaza["papers"]) == (
        "plaza.md",
        "Awesome llm training",
        "bold item",
        3,
    )
    assert plaza["sections"][1] == {
        "path": "Awesome llm training > Scaling > Other",
        "label": "Scaling > Other",
        "papers": 1,
    }
    assert report["notes"] == []


def test_a_remote_url_with_a_password_is_never_printed(
    clone: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(clone, "remote", "set-url", "origin", "https://curator:s3cret@example.invalid/me/lists.git")
    code, out, _ = run(["init", str(clone)], capsys)
    assert code == 0 and "s3cret" not in out and "curator" not in out
    assert "origin/main (https://example.invalid/me/lists.git)" in out


def test_a_folder_without_git_or_lists_is_taken_and_the_gaps_are_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    code, out, _ = run(["init", str(folder)], capsys)
    assert code == 0
    assert "git: not a git repository: changes are not committed" in out
    assert "0 lists" in out.splitlines()
    assert "note: no lists yet" in out


def test_a_missing_folder_or_a_broken_config_changes_nothing(
    tmp_path: Path, clone: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["init", str(tmp_path / "nowhere")], capsys)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert "is not a folder" in err
    (clone / ".papershelf").mkdir()
    (clone / ".papershelf" / "config.toml").write_text("[lists\n", encoding="utf-8")
    code, out, err = run(["init", str(clone)], capsys)
    assert (code, out) == (2, "") and "not valid TOML" in err
    assert not machine_config_path().exists()


def test_an_environment_override_is_named(
    clone: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERSHELF_WORKSPACE", str(tmp_path))
    code, out, _ = run(["init", str(clone)], capsys)
    assert code == 0
    assert f"note: PAPERSHELF_WORKSPACE={tmp_path} is set in this shell and wins" in out
