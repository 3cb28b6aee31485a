"""The list-aware three-way merge (pure) and the merge driver's file protocol."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from gitsync_support import LIST, entry

from papershelf.sync.gitsync.linediff import chunks3, hunks, matches
from papershelf.sync.gitsync.merge import merge_lists
from papershelf.sync.gitsync.mergedriver import main as driver_main

BASE = LIST.encode()
GAMMA = "- [Gamma"
DELTA = "- [Delta"


def _insert(data: bytes, anchor: str, line: str, before: bool = True) -> bytes:
    lines = data.decode().splitlines(keepends=True)
    k = next(i for i, x in enumerate(lines) if x.startswith(anchor))
    lines.insert(k if before else k + 1, line + "\n")
    return "".join(lines).encode()


def _no_markers(data: bytes) -> None:
    for marker in (b"<<<<<<<", b">>>>>>>", b"\n=======\n"):
        assert marker not in data


def test_both_sides_add_to_one_sorted_section_in_its_order() -> None:
    ours = _insert(BASE, GAMMA, entry("Iota", "2410.00010", "Oct. 1 2024"))
    theirs = _insert(BASE, GAMMA, entry("Kappa", "2411.00011", "Nov. 1 2024"))
    result = merge_lists(BASE, ours, theirs)
    assert result.clean and result.conflicts == []
    _no_markers(result.data or b"")
    expected = _insert(ours, "- [Iota", entry("Kappa", "2411.00011", "Nov. 1 2024"))
    assert result.data == expected  # newest first, like the section
    # The same with the sides swapped gives the same list.
    assert merge_lists(BASE, theirs, ours).data == expected


def test_both_sides_append_to_an_unsorted_section_keep_both_ours_first() -> None:
    base = BASE.replace(b"Apr. 4 2024", b"Jun. 4 2024")  # Alignment is no longer sorted
    ours = _insert(base, "- [Epsilon", entry("Ours", "2501.00001"), before=False)
    theirs = _insert(base, "- [Epsilon", entry("Theirs", "2502.00002"), before=False)
    merged = merge_lists(base, ours, theirs).data
    assert merged == _insert(ours, "- [Ours", entry("Theirs", "2502.00002"), before=False)


def test_the_same_paper_added_on_both_sides_is_kept_once() -> None:
    line = entry("Same Paper", "2412.00012", "Dec. 1 2024")
    other_form = "- [Same Paper](https://arxiv.org/pdf/2412.00012v2), Dec. 1 2024."
    result = merge_lists(BASE, _insert(BASE, GAMMA, line), _insert(BASE, GAMMA, other_form))
    assert result.clean and (result.data or b"").count(b"Same Paper") == 1


def test_additions_in_different_sections_and_an_edit_next_to_an_addition() -> None:
    ours = _insert(BASE, GAMMA, entry("Top", "2410.00001", "Oct. 1 2024"))
    ours = ours.replace(b"[Delta Paper on Feedback]", b"[Delta Paper on Human Feedback]")
    theirs = _insert(BASE, DELTA, entry("Next To Delta", "2404.00099", "Apr. 5 2024"), False)
    result = merge_lists(BASE, ours, theirs)
    assert result.clean
    text = (result.data or b"").decode()
    assert "[Top]" in text and "[Next To Delta]" in text and "Human Feedback" in text
    assert text.index("Human Feedback") < text.index("[Next To Delta]")


def test_one_entry_edited_two_ways_is_a_conflict_without_bytes() -> None:
    ours = BASE.replace(b"[Beta Paper on Schedules]", b"[Beta Paper on LR Schedules]")
    theirs = BASE.replace(b"[Beta Paper on Schedules]", b"[Beta: Schedules]")
    result = merge_lists(BASE, ours, theirs)
    assert result.data is None and not result.clean
    assert len(result.conflicts) == 1
    assert result.conflicts[0].startswith("Optimization: - [Beta Paper on Schedules]")


def test_deleted_on_one_side_and_edited_on_the_other_is_a_conflict() -> None:
    ours = BASE.replace(
        b"- [Beta Paper on Schedules](https://arxiv.org/abs/2402.00002), Feb. 2 2024.\n", b""
    )
    theirs = BASE.replace(b"[Beta Paper on Schedules]", b"[Beta: Schedules]")
    assert merge_lists(BASE, ours, theirs).data is None


def test_one_side_unchanged_gives_the_other_byte_for_byte() -> None:
    odd = BASE.replace(b"\n", b"\r\n") + b"\xff trailing bytes"
    assert merge_lists(BASE, BASE, odd).data == odd
    assert merge_lists(BASE, odd, BASE).data == odd


def test_crlf_and_no_final_newline_survive() -> None:
    base = BASE.replace(b"\n", b"\r\n").rstrip(b"\r\n")
    ours = base + b"\r\n" + entry("Ours", "2501.00001").encode()
    theirs = base.replace(b"[Alpha", b"[Alpha Edited")
    merged = merge_lists(base, ours, theirs).data
    assert merged == ours.replace(b"[Alpha", b"[Alpha Edited")
    assert b"\n" not in merged.replace(b"\r\n", b"")


def test_random_additions_on_both_sides_are_all_kept() -> None:
    rng = random.Random(7)
    base_lines = [entry(f"Base {n}", f"2301.{n:05d}") for n in range(60)]
    base = ("# L\n\n## S\n\n" + "\n".join(base_lines) + "\n").encode()
    for trial in range(30):
        sides = []
        added = []
        for n_side, side in enumerate("ab"):
            lines = base.decode().splitlines()
            for k in range(rng.randint(1, 4)):
                line = entry(f"New {side}{trial}.{k}", f"2402.{trial:02d}{n_side}{k:02d}")
                lines.insert(rng.randint(4, len(lines)), line)
                added.append(line)
            sides.append(("\n".join(lines) + "\n").encode())
        result = merge_lists(base, *sides)
        assert result.clean, result.conflicts
        text = (result.data or b"").decode()
        for line in base_lines + added:
            assert text.count(line + "\n") == 1
        _no_markers(result.data or b"")


def test_line_diff_helpers_agree_with_a_simple_case() -> None:
    a = ["x", "a", "b", "c", "y"]
    b = ["x", "a", "B", "c", "z", "y"]
    assert matches(a, b) == [(0, 0), (1, 1), (3, 3), (4, 5)]
    assert [(h.alo, h.ahi, h.blo, h.bhi) for h in hunks(a, b)] == [(2, 3, 2, 3), (4, 4, 4, 5)]
    stable = [c for c in chunks3(a, a, b) if c.stable]
    assert sum(c.ohi - c.olo for c in stable) == 4


def test_driver_writes_the_merge_into_ours_and_exits_0(tmp_path: Path) -> None:
    ours_bytes = _insert(BASE, GAMMA, entry("Iota", "2410.00010", "Oct. 1 2024"))
    theirs_bytes = _insert(BASE, GAMMA, entry("Kappa", "2411.00011", "Nov. 1 2024"))
    paths = [tmp_path / n for n in ("base", "ours", "theirs")]
    for path, data in zip(paths, (BASE, ours_bytes, theirs_bytes), strict=True):
        path.write_bytes(data)
    assert driver_main([*map(str, paths), "training.md"]) == 0
    assert paths[1].read_bytes() == merge_lists(BASE, ours_bytes, theirs_bytes).data


def test_driver_on_a_conflict_leaves_ours_and_exits_1(tmp_path: Path) -> None:
    ours_bytes = BASE.replace(b"[Beta Paper", b"[Beta One")
    paths = [tmp_path / n for n in ("base", "ours", "theirs")]
    for path, data in zip(
        paths, (BASE, ours_bytes, BASE.replace(b"[Beta Paper", b"[Beta Two")), strict=True
    ):
        path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "papershelf.sync.gitsync.mergedriver", *map(str, paths), "training.md"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert paths[1].read_bytes() == ours_bytes
    assert "training.md: changed on both sides: Optimization" in done.stderr
    assert "Traceback" not in done.stderr
    assert driver_main(["only-one"]) == 2


def _bold(title: str, arxiv: str, authors: str) -> str:
    return (
        f"- **{title}\n  on two lines**, `arXiv, {arxiv}`, [arxiv](http://arxiv.org/abs/{arxiv}v1)\n"
        f"\n\t *{authors}*\n"
    )


def test_multi_line_entries_added_at_one_place_stay_whole() -> None:
    old = _bold("Old Paper", "2301.00001", "A. Author") + _bold("Older Paper", "2201.00001", "B. B")
    base = ("# Papers\n\n## Reasoning\n\n" + old).encode()
    mine = _bold("Ours", "2402.00002", "C. Author")
    yours = _bold("Theirs", "2403.00003", "D. Author")
    at = base.index(b"- **Old Paper")
    ours = base[:at] + mine.encode() + base[at:]
    theirs = base[:at] + yours.encode() + base[at:]
    result = merge_lists(base, ours, theirs)
    assert result.clean
    text = (result.data or b"").decode()
    assert mine in text and yours in text
    # Newest first by arXiv id, like the section: theirs (2403) before ours (2402).
    assert text.index("**Theirs") < text.index("**Ours") < text.index("**Old Paper")
