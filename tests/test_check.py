"""`papershelf check` core: each finding code, mojibake repair, the pure fix and its verification."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED_SEEDS

from papershelf.sync.check import (
    CODES,
    INFO,
    Finding,
    apply_fixes,
    check_document,
    check_workspace,
    document_repairs,
    fix_file,
    fix_mojibake,
    verify_fixes,
)
from papershelf.sync.errors import ListChanged
from papershelf.sync.listmodel import parse_list
from papershelf.sync.workspace import open_workspace

CHECK = FIXTURES / "check"


def _findings(name: str) -> list[Finding]:
    return check_document(f"{name}.md", parse_list((CHECK / f"{name}.md").read_bytes()))


def _codes(findings: list[Finding]) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in findings]


def test_messy_list_findings() -> None:
    assert _codes(_findings("messy")) == [
        (3, "orphan-line"),
        (8, "empty-link"),
        (10, "duplicate"),
        (11, "off-style"),
        (17, "empty-link"),
        (17, "mojibake"),
        (19, "duplicate-heading"),
    ]
    assert {f.code for f in _findings("messy")} <= set(CODES)


def test_duplicate_names_both_lines() -> None:
    (dup,) = [f for f in _findings("messy") if f.code == "duplicate"]
    assert dup.context["lines"] == [7, 10]
    assert dup.context["identity"] == "arxiv:2409.11321"
    assert "lines 7 and 10" in dup.message
    assert not dup.fixable


def test_duplicate_heading_context() -> None:
    (dup,) = [f for f in _findings("messy") if f.code == "duplicate-heading"]
    assert dup.context == {"heading": "Messy list > Optimization", "lines": [5, 19]}


def test_off_style_names_the_majority() -> None:
    (off,) = [f for f in _findings("messy") if f.code == "off-style"]
    assert (off.context["family"], off.context["expected"]) == ("bold item", "link item")


def test_empty_links_outside_code_only() -> None:
    empties = [f for f in _findings("messy") if f.code == "empty-link"]
    assert [f.context["text"] for f in empties] == ["[code]()", "[blog](None)"]


def test_constant_slot_is_one_info_finding() -> None:
    findings = _findings("slots")
    slot, real = [f for f in findings if f.code == "empty-link"]
    assert (slot.severity, slot.line, slot.context["count"]) == (INFO, 5, 5)
    assert slot.context["constant"] is True
    assert (real.severity, real.line, real.context["text"]) == ("warning", 10, "[project]()")


def test_constant_slot_share_is_configurable() -> None:
    doc = parse_list((CHECK / "slots.md").read_bytes())
    findings = check_document("slots.md", doc, constant_share=1.01)
    assert [f.severity for f in findings if f.code == "empty-link"] == ["warning"] * 6


def test_clean_list_has_no_findings() -> None:
    assert _findings("clean") == []


def test_finding_shapes() -> None:
    (moji,) = [f for f in _findings("messy") if f.code == "mojibake"]
    data = moji.to_dict()
    assert set(data) == {"code", "list", "line", "severity", "message", "fixable", "context"}
    assert data["fixable"] is True
    assert "Jean-François" in data["context"]["after"]
    assert moji.format().startswith("messy.md:17: mojibake: ")
    assert moji.format().endswith("[fixable]")


CORRECT_TEXT = [
    "Théo",
    "中文标题",
    "Zürich · Genève",
    "“quoted” — dash",
    "Łukasz Kaiser, Jürgen Schmidhuber",
    "naïve señor",
    "🚀 rocket",
    "x ≤ y ≥ z, ±1, 30°C, µs, ½",
    "Привет, αβγ, 한국어",
    "the “¬” symbol and √2",
    "ﬁne ligature",
    "ＡＢＣ full width",
    "Ã alone",
]


@pytest.mark.parametrize("text", CORRECT_TEXT)
@pytest.mark.parametrize("evidence", [None, {"macroman"}, {"sloppy-windows-1252"}])
def test_correct_text_is_never_repaired(text: str, evidence: set[str] | None) -> None:
    assert fix_mojibake(text, evidence) == text


@pytest.mark.parametrize(
    ("garbled", "fixed"),
    [
        ("Jean-Fran√ßois Kagy", "Jean-François Kagy"),
        ("Yang Gao* ¬∑ ([x](y))", "Yang Gao* · ([x](y))"),
        ("Ahmet √úst√ºn", "Ahmet Üstün"),
        ("Jean-Fran√ßois and Théo", "Jean-François and Théo"),
        ("cafÃ©", "café"),
        ("Aha Moment â€” A Pilot", "Aha Moment — A Pilot"),
        ("R√≥bert Csord√°s, Piotr Piƒôkos", "Róbert Csordás, Piotr Piękos"),
        ("ËÆ∫ÊñáÁ≤æËØª", "论文精读"),
    ],
)
def test_mojibake_is_repaired(garbled: str, fixed: str) -> None:
    assert fix_mojibake(garbled) == fixed


def test_document_evidence_repairs_short_runs() -> None:
    lines = ["Jean-Fran√ßois Kagy\n", "Csord√°s\n", "Théo\n"]
    assert fix_mojibake("Csord√°s") == "Csord√°s"  # too short for ftfy alone
    assert document_repairs(lines) == {0: "Jean-François Kagy\n", 1: "Csordás\n"}


def test_apply_fixes_changes_only_the_mojibake_line() -> None:
    data = (CHECK / "messy.md").read_bytes()
    findings = _findings("messy")
    fixed = apply_fixes(data, findings)
    old, new = data.split(b"\n"), fixed.split(b"\n")
    assert len(old) == len(new)
    assert [i + 1 for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [17]
    assert "Jean-François Kagy · notes".encode() in new[16]
    assert apply_fixes(fixed, findings) == fixed  # the line no longer matches: left alone
    assert apply_fixes(data, [f for f in findings if f.code != "mojibake"]) == data


def test_apply_fixes_keeps_bom_crlf_and_foreign_bytes() -> None:
    data = b"\xef\xbb\xbf# L\r\n\r\n- [Fran\xe2\x88\x9a\xc3\x9fois](https://x.org/a)\r\n- raw \xff byte\r\nend"
    doc = parse_list(data)
    findings = check_document("l.md", doc)
    assert [(f.line, f.code) for f in findings] == [(3, "mojibake"), (4, "stray-byte")]
    fixed = apply_fixes(data, findings)
    assert fixed == data.replace("Fran\u221a\u00dfois".encode(), "François".encode())
    verify_fixes(doc, parse_list(fixed), {2})


def test_verify_fixes_refuses_other_changes() -> None:
    old = parse_list(b"# A\n\n- one\n- two\n")
    with pytest.raises(ListChanged, match="line 4"):
        verify_fixes(old, parse_list(b"# A\n\n- one\n- TWO\n"), {2})
    with pytest.raises(ListChanged, match="number of lines"):
        verify_fixes(old, parse_list(b"# A\n\n- one\n- two\n\n"), {2})
    with pytest.raises(ListChanged, match="entries"):
        verify_fixes(old, parse_list(b"# A\n\n# one\n- two\n"), {2})
    with pytest.raises(ListChanged, match="line ending"):
        verify_fixes(old, parse_list(b"# A\n\n- one\r\n- two\n"), {2})


def test_fix_file_writes_only_safe_fixes(workspace_dir: Path) -> None:
    path = workspace_dir / "messy.md"
    shutil.copyfile(CHECK / "messy.md", path)
    result = fix_file(open_workspace(workspace_dir), "messy.md")
    assert result.written and [f.line for f in result.fixed] == [17]
    assert path.read_bytes() == apply_fixes((CHECK / "messy.md").read_bytes(), _findings("messy"))
    again = fix_file(open_workspace(workspace_dir), "messy.md")
    assert (again.written, again.fixed) == (False, [])


def _workspace(root: Path, *names: str):
    for name in names:
        shutil.copyfile(CHECK / name, root / name)
    return open_workspace(root)


def test_check_workspace_adds_cross_list_duplicates(workspace_dir: Path) -> None:
    ws = _workspace(workspace_dir, "messy.md", "other.md", "clean.md")
    findings = check_workspace(ws)
    across = [f for f in findings if f.code == "duplicate-across"]
    assert [(f.list, f.line, f.context["other_list"], f.context["other_line"]) for f in across] == [
        ("other.md", 5, "messy.md", 7)
    ]
    assert "also in messy.md line 7 (Messy list > Optimization)" in across[0].message
    assert {f.list for f in findings} == {"messy.md", "other.md"}


def test_check_workspace_subset_reports_against_all_lists(workspace_dir: Path) -> None:
    ws = _workspace(workspace_dir, "messy.md", "other.md", "clean.md")
    only_messy = check_workspace(ws, ["messy.md"])
    across = [f for f in only_messy if f.code == "duplicate-across"]
    assert [(f.list, f.line, f.context["other_list"]) for f in across] == [
        ("messy.md", 7, "other.md")
    ]
    assert {f.list for f in only_messy} == {"messy.md"}
    assert check_workspace(ws, ["clean.md"]) == []


SEED_MOJIBAKE = {"000": 0, "001": 0, "002": 1, "004": 0}


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="shared seeds not present")
@pytest.mark.parametrize(
    "seed", sorted(SHARED_SEEDS.glob("*.txt")) if SHARED_SEEDS.is_dir() else []
)
def test_seed_fix_changes_only_mojibake_lines(seed: Path, workspace_dir: Path) -> None:
    path = workspace_dir / f"{seed.stem}.md"
    shutil.copyfile(seed, path)
    data = seed.read_bytes()
    before = check_document(path.name, parse_list(data))
    moji = [f for f in before if f.code == "mojibake"]
    expected = SEED_MOJIBAKE.get(seed.name[:3])
    if expected is not None:
        assert len(moji) == expected
    else:  # seed 003: UTF-8 read as Mac Roman throughout
        assert len(moji) > 50
    fix_file(open_workspace(workspace_dir), path.name)
    new = path.read_bytes()
    old_lines, new_lines = data.split(b"\n"), new.split(b"\n")
    changed = {i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b}
    assert changed == {f.line for f in moji}
    after = check_document(path.name, parse_list(new))
    assert [f for f in after if f.code == "mojibake"] == []
    assert [f for f in after if f.code != "mojibake"] == [f for f in before if f.code != "mojibake"]
    for line in new.decode("utf-8").splitlines():
        assert "√" not in line and "¬∑" not in line and "â€" not in line


def test_off_style_counts_only_papers_and_falls_back_to_the_list() -> None:
    findings = _findings("styles")
    assert [(f.line, f.code, f.context["by"]) for f in findings] == [(12, "off-style", "list")]
    assert findings[0].message == "entry is written as bold item, the list as link item"


def test_broken_links() -> None:
    broken = [f for f in _findings("links") if f.code == "broken-link"]
    assert [(f.line, f.context["reason"]) for f in broken] == [
        (5, "misspelt scheme"),
        (6, "misspelt scheme"),
        (7, "spaces in the target"),
        (8, "not an arXiv id"),
    ]
    assert broken[0].message == "link target 'htps://arxiv.org/abs/2401.00001': misspelt scheme"
    assert not any(f.fixable for f in broken)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("https:/x.org", "misspelt scheme"),
        ("http:///x", "misspelt scheme"),
        ("ttps://x.org", "misspelt scheme"),
        ("<https://x.org/a b>", None),
        ("ts/file.md", None),
        ("ftp://x.org", None),
        ("mailto:a@b.c", None),
        ("https://arxiv.org/abs/hep-th/9901001", None),
        ("https://arxiv.org/list/cs.AI/new", None),
        ("http://arxiv.org/pdf/2401.13160v1.pdf", None),
    ],
)
def test_broken_reason(target: str, reason: str | None) -> None:
    from papershelf.sync.check.links import broken_reason

    assert broken_reason(target) == reason


def test_duplicate_in_two_sections_names_them() -> None:
    data = (
        b"# L\n\n## A\n\n- [P](https://arxiv.org/abs/2401.00001), 2024.\n\n## B\n\n"
        b"- [P again](https://arxiv.org/pdf/2401.00001v2.pdf), 2024.\n"
    )
    (dup,) = check_document("l.md", parse_list(data))
    assert dup.message == "arxiv:2401.00001 is listed twice: lines 5 and 9 (in L > A and L > B)"


def test_orphan_continuation_as_indented_code() -> None:
    """A tab-indented author line whose entry is gone reads as indented code: still an orphan."""
    assert _codes(_findings("orphans")) == [(5, "orphan-line")]
    (orphan,) = _findings("orphans")
    assert orphan.context == {"text": "*Ke Ye, Jean Kagy*", "lines": [5, 5]}


def test_check_survives_vertical_tab_under_entry() -> None:
    """Sub-lines that are only str.strip() whitespace (\\x0b) once crashed field extraction."""
    data = b"- [Paper](https://arxiv.org/abs/2410.16215), Oct. 21 2024.\n\x0b"
    assert check_document("v.md", parse_list(data)) == []


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="shared seeds not present")
def test_seed_findings_are_the_real_ones() -> None:
    """Real lists: the duplicates a reader can confirm, and no noise from the other codes."""
    by_seed = {}
    for seed in sorted(SHARED_SEEDS.glob("*.txt")):
        findings = check_document(seed.name, parse_list(seed.read_bytes()))
        by_seed[seed.name[:3]] = findings
        noisy = {"orphan-line", "broken-link", "duplicate-heading", "off-style"}
        real = [f.format() for f in findings if f.code in noisy]
        if seed.name.startswith("003"):
            # Its table of contents links `#finetuning`; the heading is `## Fine-tuning`.
            assert real == [
                f"{seed.name}:12: broken-link: link target '#finetuning': "
                "no heading has the anchor #finetuning (#fine-tuning?)"
            ]
        else:
            assert real == []
    dups = [
        (f.context["lines"], f.context["identity"]) for f in by_seed["000"] if f.code == "duplicate"
    ]
    # "Fast Forward Low-Rank Training" and "Fast Forwarding Low-Rank Training": one arXiv id.
    assert dups == [([39, 44], "arxiv:2409.04206"), ([61, 63], "arxiv:2407.15762")]
    slot = [f for f in by_seed["003"] if f.code == "empty-link"]
    assert [(f.severity, f.context["text"]) for f in slot] == [(INFO, "[**-1**](None)")]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Fine-tuning", "fine-tuning"),
        ("Paper \\& Projects", "paper--projects"),
        ("Mixture Of Experts", "mixture-of-experts"),
        ("[Linked](https://x.org) heading", "linked-heading"),
        ("Théo's 中文 notes", "théos-中文-notes"),
        ("snake_case `code`", "snake_case-code"),
        ("Emoji 🚀 launch", "emoji--launch"),
    ],
)
def test_github_slug(title: str, slug: str) -> None:
    from papershelf.sync.check.anchors import github_slug

    assert github_slug(title) == slug


def test_anchor_links_resolve_to_headings() -> None:
    data = (
        b"# T\n\n- [Other](#other)\n- [Other 1](#other-1)\n- [Other 2](#other-2)\n"
        b"- [Up](#T)\n- [Html](#kept)\n- [Bad](#nowhere)\n\n## Other\n\n## Other\n\n"
        b'<a name="kept"></a>\n'
    )
    broken = [f for f in check_document("t.md", parse_list(data)) if f.code == "broken-link"]
    assert [(f.line, f.context["target"]) for f in broken] == [(5, "#other-2"), (8, "#nowhere")]


@pytest.mark.parametrize("text", ["à\xa0école", "prix\xa0£5", "Zürich\xa0°C"])
def test_evidence_never_repairs_into_unlikely_scripts(text: str) -> None:
    """With Mac Roman evidence, `\\xa0é` decodes to IPA `ʎ`: a coincidence, left alone."""
    assert fix_mojibake(text, {"macroman"}) == text


def test_a_stray_byte_in_a_utf8_list_is_reported_with_what_it_was() -> None:
    """One pasted Word apostrophe (0x92) in an ASCII list: not UTF-8, GitHub shows a U+FFFD."""
    data = b"# L\n\n- [Don\x92t Panic](https://arxiv.org/abs/2401.00101), 2024.\n- [Fine](https://x.org/a)\n"
    (finding,) = check_document("l.md", parse_list(data))
    assert (finding.line, finding.code, finding.fixable) == (3, "stray-byte", False)
    assert "0x92" in finding.message and "\u2019" in finding.message
    assert finding.context == {"bytes": ["0x92"]}
    latin1 = b"# L\n\n- [R\xe9seaux](https://arxiv.org/abs/2401.00101), 2024.\n"
    assert check_document("l.md", parse_list(latin1)) == []  # a Latin-1 list, read as one
