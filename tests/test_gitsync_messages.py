"""Commit messages from the meaning of a change (pure functions over old and new bytes)."""

from __future__ import annotations

import time
from pathlib import Path

from gitsync_support import LIST, entry

from papershelf.sync.gitsync.messages import build_message, check_template, describe_change

BASE = LIST.encode()


def _insert(data: bytes, anchor: str, *lines: str) -> bytes:
    text = data.decode()
    k = text.index(anchor)
    return (text[:k] + "".join(x + "\n" for x in lines) + text[k:]).encode()


def _message(old: bytes, new: bytes, path: str = "training.md", template: str | None = None) -> str:
    return build_message([describe_change(path, old, new)], template)


def test_one_paper_names_title_list_and_section() -> None:
    new = _insert(BASE, "- [Gamma", entry("Scaling Optimizers", "2406.00001"))
    assert _message(BASE, new) == 'Add "Scaling Optimizers" to training.md › Optimization'


def test_several_papers_are_counted_with_their_sections() -> None:
    new = _insert(BASE, "- [Gamma", entry("One", "2406.00001"), entry("Two", "2406.00002"))
    new = _insert(new, "- [Delta", entry("Three", "2406.00003"))
    message = _message(BASE, new)
    subject, _, body = message.partition("\n\n")
    assert subject == "Add 3 papers to training.md (Optimization, Alignment)"
    assert 'Added "Three" to training.md › Alignment' in body.splitlines()


def test_other_edits_say_edit_with_the_sections_in_the_body() -> None:
    new = BASE.replace(b"A list of papers on training.", b"Papers on training, curated.")
    new = new.replace(b"[Delta Paper on Feedback]", b"[Delta Paper on Human Feedback]")
    subject, _, body = _message(BASE, new).partition("\n\n")
    assert subject == "Edit training.md"
    assert body == "Edited training.md: (top), Alignment"


def test_removal_and_move() -> None:
    beta = "- [Beta Paper on Schedules](https://arxiv.org/abs/2402.00002), Feb. 2 2024.\n"
    removed = BASE.replace(beta.encode(), b"")
    assert (
        _message(BASE, removed)
        == 'Remove "Beta Paper on Schedules" from training.md › Optimization'
    )
    moved = removed + beta.encode()
    assert _message(BASE, moved).startswith(
        'Move "Beta Paper on Schedules" to training.md › Alignment'
    )


def test_several_files_are_summarised() -> None:
    one = _insert(BASE, "- [Gamma", entry("One", "2406.00001"))
    two = _insert(BASE, "- [Delta", entry("Two", "2406.00002"))
    changes = [describe_change("training.md", BASE, one), describe_change("eval/rl.md", BASE, two)]
    subject, _, body = build_message(changes).partition("\n\n")
    assert subject == "Add 2 papers to training.md, eval/rl.md"
    assert body.splitlines() == [
        'Added "One" to training.md › Optimization',
        'Added "Two" to eval/rl.md › Alignment',
    ]
    state = describe_change(".papershelf/rejected.txt", b"", b"arxiv:1\n", is_list=False)
    created = describe_change("new.md", None, b"# New\n")
    gone = describe_change("old.md", b"# Old\n", None)
    assert build_message([state]) == "Update .papershelf/rejected.txt"
    assert build_message([changes[0], state]).startswith(
        'Add "One" to training.md › Optimization; update .papershelf/rejected.txt\n\n'
    )
    assert build_message([created, gone]) == "Add list new.md; Delete old.md"
    many = [describe_change(f"list-{n}.md", BASE, one) for n in range(6)] + [state]
    assert build_message(many[:-1]).startswith(
        "Add 6 papers to list-0.md, list-1.md, list-2.md and 3 more\n\n"
    )
    mixed = [describe_change("a.md", BASE, BASE.replace(b"A list", b"The list")), *many[:2]]
    assert build_message(mixed).startswith("Update 3 files (a.md, list-0.md, list-1.md)")


def test_template_shapes_the_subject_and_a_bad_one_falls_back() -> None:
    new = _insert(BASE, "- [Gamma", entry("One", "2406.00001"))
    assert _message(BASE, new, template="papers: {summary} [{papers}]") == (
        'papers: Add "One" to training.md › Optimization [1]'
    )
    assert check_template("{nope}") is not None and check_template("{summary") is not None
    assert _message(BASE, new, template="{nope}") == 'Add "One" to training.md › Optimization'


def test_a_change_in_a_50000_entry_list_is_described_quickly() -> None:
    from benchmarks.listgen import generate_list

    big = generate_list("link_date", 50_000, seed=3)
    k = len(big) // 2
    k = big.index(b"\n- [", k) + 1
    new = big[:k] + (entry("Needle Paper", "2611.00001") + "\n").encode() + big[k:]
    started = time.perf_counter()
    change = describe_change("big.md", big, new)
    elapsed = time.perf_counter() - started
    assert [p.title for p in change.added] == ["Needle Paper"]
    assert elapsed < 1.0, f"describing took {elapsed:.2f} s"


def test_papers_before_the_first_heading_are_not_in_doubled_parentheses() -> None:
    old = b"- [Old](https://arxiv.org/abs/2401.00001), Jan. 1 2024.\n"
    new = (entry("One", "2406.00001") + "\n" + entry("Two", "2406.00002") + "\n").encode() + old
    assert _message(old, new, "000.md").partition("\n\n")[0] == "Add 2 papers to 000.md"
    top = _insert(BASE, "A list of papers", entry("One", "2406.00001"), "")
    both = _insert(top, "- [Delta", entry("Two", "2406.00002"))
    subject = _message(BASE, both).partition("\n\n")[0]
    assert subject == "Add 2 papers to training.md (top, Alignment)"


# A seed-003-like list: bold entries with a tab-indented author line, its `¬∑` separator the
# mojibake of `·` (UTF-8 read as Mac Roman), one paper listed twice.
GARBLED = """\
# Plaza

## Alignment

- **Paper One**, `arXiv, 2401.00001`, [arxiv](http://arxiv.org/abs/2401.00001)

\t *Ann Author, Bo Writer* ¬∑ ([one](https://github.com/a/one) - a)

- **Paper Two**, `arXiv, 2401.00002`, [arxiv](http://arxiv.org/abs/2401.00002)

\t *Cy Author* ¬∑ ([two](https://github.com/c/two) - c)

## Other

Notes by Jean-Fran√ßois.

- **Paper One**, `arXiv, 2401.00001`, [arxiv](http://arxiv.org/abs/2401.00001)

\t *Ann Author, Bo Writer* ¬∑ ([one](https://github.com/a/one) - a)
"""


def test_a_mojibake_repair_reads_as_a_repair_not_as_moves() -> None:
    old = GARBLED.encode()
    new = GARBLED.replace("¬∑", "·").replace("Fran√ßois", "François").encode()
    message = _message(old, new, "plaza.md")
    subject, _, body = message.partition("\n\n")
    assert subject == "Repair mojibake in 3 entries and 1 other line of plaza.md"
    assert "Moved" not in message and "Edited" not in message
    assert body.splitlines() == [
        'Repaired mojibake in "Paper One" (plaza.md › Alignment)',
        'Repaired mojibake in "Paper Two" (plaza.md › Alignment)',
        'Repaired mojibake in "Paper One" (plaza.md › Other)',
        "Repaired mojibake in 1 line of plaza.md outside paper entries",
    ]
    one = GARBLED.replace("*Cy Author* ¬∑", "*Cy Author* ·").encode()
    assert _message(old, one, "plaza.md") == (
        'Repair mojibake in 1 entry of plaza.md\n\nRepaired mojibake in "Paper Two" '
        "(plaza.md › Alignment)"
    )


def test_an_edit_that_is_not_the_repair_is_an_edit() -> None:
    old = GARBLED.encode()
    # `¬∑` replaced by a dash is a person's choice, not the repair check --fix makes.
    new = GARBLED.replace("*Cy Author* ¬∑", "*Cy Author* -").encode()
    assert _message(old, new, "plaza.md") == "Edit plaza.md\n\nEdited plaza.md: Alignment"


def test_an_entry_changed_in_two_places_or_listed_twice_is_not_moved() -> None:
    old = GARBLED.encode()
    # Paper One's title and its author line change (two hunks, the link line between them
    # unchanged), in the section where it is listed first: nothing moved.
    new = GARBLED.replace(
        "- **Paper One**, `arXiv, 2401.00001`, [arxiv](http://arxiv.org/abs/2401.00001)\n\n\t"
        " *Ann Author, Bo Writer*",
        "- **Paper One, Revised**, `arXiv, 2401.00001`, [arxiv](http://arxiv.org/abs/2401.00001)"
        "\n\n\t *Ann Author, Bo Writer, Cy Third*",
        1,
    ).encode()
    message = _message(old, new, "plaza.md")
    assert "Move" not in message
    assert message == "Edit plaza.md\n\nEdited plaza.md: Alignment"


def test_check_fix_then_sync_commits_a_repair_message(tmp_path: Path, capsys) -> None:
    """End to end, as the newcomer did it: `check --fix` on a real clone, the commit it gets."""
    from gitsync_support import clone, git, make_remote

    from papershelf.server.cli import main

    remote = make_remote(tmp_path, {"plaza.md": GARBLED})
    work = clone(remote, tmp_path / "work")
    assert main(["check", "--fix", "plaza.md", "--workspace", str(work)]) in (0, 1)
    assert main(["sync", "--once", "--workspace", str(work)]) == 0
    capsys.readouterr()
    subject, _, body = git(work, "log", "-1", "--format=%B").strip().partition("\n\n")
    assert subject == "Repair mojibake in 3 entries and 1 other line of plaza.md"
    assert "Moved" not in body and body.count("Repaired mojibake in") == 4
    assert git(remote, "log", "-1", "--format=%s", "main").strip() == subject
