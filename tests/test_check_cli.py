"""`papershelf check` through `papershelf.server.cli.main`: output, exit codes, --json, --fix byte-exactness."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from conftest import FIXTURES

from papershelf.server.cli import main

CHECK = FIXTURES / "check"


@pytest.fixture
def ws(workspace_dir: Path) -> Path:
    for name in ("messy.md", "other.md", "clean.md", "slots.md"):
        shutil.copyfile(CHECK / name, workspace_dir / name)
    return workspace_dir


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, list[dict]]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_clean_list_exits_zero(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--workspace", str(ws), "clean.md"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "1 list(s) checked: 0 finding(s)"


def test_findings_exit_one_with_one_line_each(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--workspace", str(ws), "messy.md"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "messy.md:3: orphan-line: indented text belongs to no entry: " + repr(
        "an indented line that belongs to no entry"
    )
    assert any(
        line.startswith("messy.md:17: mojibake:") and line.endswith("[fixable]") for line in lines
    )
    assert any(line.startswith("messy.md:7: duplicate-across:") for line in lines)
    assert lines[-1] == "1 list(s) checked: 8 finding(s)"


def test_info_only_exits_zero(workspace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        (CHECK / "slots.md")
        .read_text(encoding="utf-8")
        .replace("[project]()", "[project](https://p.org)")
    )
    (workspace_dir / "slots.md").write_text(text, encoding="utf-8")
    code, findings = _json(capsys, ["check", "--workspace", str(workspace_dir), "--json"])
    assert code == 0
    assert [(f["code"], f["severity"]) for f in findings] == [("empty-link", "info")]


def test_json_is_the_findings_list(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = _json(capsys, ["check", "--workspace", str(ws), "--json"])
    assert code == 1
    assert {f["list"] for f in findings} == {"messy.md", "other.md", "slots.md"}
    across = [f for f in findings if f["code"] == "duplicate-across"]
    assert [(f["list"], f["line"], f["context"]["other_list"]) for f in across] == [
        ("other.md", 5, "messy.md")
    ]
    assert all(
        set(f) >= {"code", "list", "line", "message", "fixable", "context"} for f in findings
    )


def test_fix_repairs_mojibake_and_leaves_every_other_byte(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in ws.glob("*.md")}
    assert main(["check", "--workspace", str(ws), "--fix", "messy.md"]) == 1  # others remain
    out = capsys.readouterr().out
    assert "fixed messy.md:17: mojibake" in out
    assert out.splitlines()[-1] == "1 list(s) checked: 7 finding(s), 1 fixed"
    after = (ws / "messy.md").read_bytes()
    old, new = before["messy.md"].split(b"\n"), after.split(b"\n")
    assert [i + 1 for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [17]
    assert new[16].decode() == (
        "- [A survey by Jean-François Kagy · notes](https://arxiv.org/abs/2410.16215), "
        "Oct. 21 2024. [blog](None)"
    )
    for name in ("other.md", "clean.md", "slots.md"):
        assert (ws / name).read_bytes() == before[name]


def test_fix_all_fixed_exits_zero(workspace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace_dir / "a.md").write_bytes(
        "# A\n\n- [Paper by Cl√©mentine Fourrier](https://arxiv.org/abs/2310.16944), 2023.\n".encode()
    )
    code, findings = _json(capsys, ["check", "--workspace", str(workspace_dir), "--fix", "--json"])
    assert (code, findings) == (0, [])
    assert "Clémentine" in (workspace_dir / "a.md").read_text(encoding="utf-8")
    assert main(["check", "--workspace", str(workspace_dir)]) == 0


def test_path_forms(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["check", "--workspace", str(ws), str(ws / "clean.md")]) == 0
    monkeypatch.chdir(ws)
    assert main(["check", "--workspace", str(ws), "./clean.md"]) == 0
    capsys.readouterr()


def test_unknown_path_is_bad_input(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--workspace", str(ws), "mesy.md"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("papershelf: error: No list 'mesy.md'")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_file_outside_workspace_is_bad_input(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# X\n", encoding="utf-8")
    assert main(["check", "--workspace", str(ws), str(outside)]) == 2
    assert "outside the workspace" in capsys.readouterr().err


def test_missing_workspace_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--workspace", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("papershelf: error: Workspace") and len(err.splitlines()) == 1


def test_ignore_codes(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "--workspace", str(ws), "--json", "messy.md"]
    code, findings = _json(capsys, [*argv, "--ignore", "duplicate-across", "--ignore", "mojibake"])
    assert code == 1
    assert {f["code"] for f in findings} == {
        "orphan-line",
        "empty-link",
        "duplicate",
        "off-style",
        "duplicate-heading",
    }
    before = (ws / "messy.md").read_bytes()
    main([*argv, "--fix", "--ignore", "mojibake"])
    assert (ws / "messy.md").read_bytes() == before  # an ignored code is not fixed either
    capsys.readouterr()


def test_unknown_ignore_code_is_bad_input(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--workspace", str(ws), "--ignore", "duplicates"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("papershelf: error: Unknown check code 'duplicates' (did you mean ")
    assert "duplicate" in err and len(err.splitlines()) == 1


def test_folder_argument_checks_the_lists_under_it(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "sub").mkdir()
    (ws / "sub" / "one.md").write_text(
        "# One\n\n- [Unique](https://arxiv.org/abs/2311.99999), Jan. 3 2025.\n", encoding="utf-8"
    )
    assert main(["check", "--workspace", str(ws), str(ws / "sub")]) == 0
    assert capsys.readouterr().out.strip() == "1 list(s) checked: 0 finding(s)"
    code, findings = _json(capsys, ["check", "--workspace", str(ws), "--json", str(ws)])
    assert code == 1 and {f["list"] for f in findings} == {"messy.md", "other.md", "slots.md"}
    assert {f["list"] for f in findings if f["list"].startswith("sub/")} == set()
    (ws / "empty").mkdir()
    assert main(["check", "--workspace", str(ws), str(ws / "empty")]) == 2
    assert "No lists under" in capsys.readouterr().err


def test_fix_leaves_a_read_only_list_alone(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only list is skipped with one line; the other lists are still fixed and reported."""
    garbled = "- [Jean-Fran\u221a\u00dfois](https://arxiv.org/abs/2401.0000{n})\n"
    listing = workspace_dir / "a.md"
    listing.write_bytes(("# A\n\n" + garbled.format(n=1)).encode())
    listing.chmod(0o444)
    other = workspace_dir / "b.md"
    other.write_bytes(("# B\n\n" + garbled.format(n=2)).encode())
    before = listing.read_bytes()
    assert main(["check", "--workspace", str(workspace_dir), "--fix"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "papershelf: a.md is read-only; nothing was written "
        "(chmod u+w a.md lets papershelf write it).\n"
    )
    assert listing.read_bytes() == before
    assert (
        other.read_bytes()
        == "# B\n\n- [Jean-François](https://arxiv.org/abs/2401.00002)\n".encode()
    )
    out = captured.out.splitlines()
    assert out[0].startswith("a.md:3: mojibake:") and out[1].startswith("fixed b.md:3: mojibake:")
    assert out[-1] == "2 list(s) checked: 1 finding(s), 1 fixed"


@pytest.mark.timeout(30)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("fix", [False, True])
def test_a_fifo_named_like_a_list_is_left_out_not_read_for_ever(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], fix: bool
) -> None:
    """As the index does: reading a FIFO would wait for a writer for ever (check hung)."""
    (workspace_dir / "a.md").write_text(
        "# A\n\n- [Jean-Fran\u221a\u00dfois](https://arxiv.org/abs/2401.00001)\n", encoding="utf-8"
    )
    os.mkfifo(workspace_dir / "odd.md")
    argv = ["check", "--workspace", str(workspace_dir), *(["--fix"] if fix else [])]
    assert main(argv) == (0 if fix else 1)
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        "1 list(s) checked: 0 finding(s), 1 fixed" if fix else "1 list(s) checked: 1 finding(s)"
    )
    assert "odd.md" not in out
    assert stat.S_ISFIFO((workspace_dir / "odd.md").stat().st_mode)
