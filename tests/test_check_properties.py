"""Properties: check never raises on any bytes, and a fix changes only the lines it names."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.sync.check import apply_fixes, check_document, verify_fixes
from papershelf.sync.identity import identity_key, parse_arxiv_id
from papershelf.sync.listmodel import parse_list

#: Pieces that make list-like markdown, including mojibake and correct non-ASCII text.
PIECES = [
    "# Title\n",
    "## Section\n",
    "## Section\n",
    "- [Paper](https://arxiv.org/abs/2410.16215), Oct. 21 2024.\n",
    "- [Paper v2](https://arxiv.org/pdf/2410.16215v2), Oct. 21 2024.\n",
    "- **Bold**, `arXiv, 2401.13160`, [arxiv](http://arxiv.org/abs/2401.13160v1), cication: [**-1**](None)\n",
    "\n",
    "\t *Jean-Fran\u221a\u00dfois Kagy, Th\u00e9o* \u00ac\u2211 ([x](https://x.org))\n",
    "  indented orphan\n",
    "- [empty]()\n",
    "- [typo](htps://x.org)\n",
    "Caf\u00c3\u00a9 and \u4e2d\u6587 \u00b7 ok\r\n",
    "```\n",
    "| a | b |\n",
    "|---|---|\n",
    "no newline at end",
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=25), st.binary(max_size=20))
def test_fix_changes_only_fixable_lines(pieces: list[str], noise: bytes) -> None:
    data = "".join(pieces).encode("utf-8") + noise
    doc = parse_list(data)
    findings = check_document("p.md", doc)
    fixed = apply_fixes(data, findings)
    fixable = {f.line - 1 for f in findings if f.fixable}
    new = parse_list(fixed)
    verify_fixes(doc, new, fixable)
    again = check_document("p.md", new)
    assert not [f for f in again if f.code == "mojibake"]
    assert apply_fixes(fixed, again) == fixed


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_check_never_raises_on_any_bytes(data: bytes) -> None:
    findings = check_document("any.md", parse_list(data))
    assert all(1 <= f.line <= max(1, data.count(b"\n") + 1) for f in findings)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_identity_never_raises_and_is_idempotent(text: str) -> None:
    key = identity_key(text)
    if key is not None:
        assert identity_key(key) == key
    parsed = parse_arxiv_id(text)
    if parsed is not None:
        assert parse_arxiv_id(str(parsed)) == parsed
        assert identity_key(text) == parsed.key
