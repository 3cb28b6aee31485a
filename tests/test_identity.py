"""Identifiers: one identity per paper whatever form the id or link takes."""

from __future__ import annotations

import pytest

from papershelf.sync.errors import BadInput
from papershelf.sync.identity import (
    ArxivId,
    arxiv_abs_url,
    canonical_url,
    identity_key,
    parse_arxiv_id,
)

ARXIV_FORMS = [
    # (text, base, version)
    ("2410.16215", "2410.16215", None),
    ("2410.16215v1", "2410.16215", 1),
    ("2410.16215v12", "2410.16215", 12),
    ("0704.0001", "0704.0001", None),
    ("1412.9999v2", "1412.9999", 2),
    ("2501.01956", "2501.01956", None),
    ("arXiv:2410.16215", "2410.16215", None),
    ("arxiv:2410.16215v3", "2410.16215", 3),
    ("ARXIV: 2410.16215", "2410.16215", None),
    ("arXiv:2410.16215v1 [cs.CL]", "2410.16215", 1),
    ("  2410.16215  ", "2410.16215", None),
    ("hep-th/9901001", "hep-th/9901001", None),
    ("hep-th/9901001v2", "hep-th/9901001", 2),
    ("arXiv:hep-th/9901001", "hep-th/9901001", None),
    ("math.GT/0309136", "math/0309136", None),
    ("cond-mat/0412498v1", "cond-mat/0412498", 1),
    ("astro-ph/0601001v1", "astro-ph/0601001", 1),
    ("quant-ph/0201082", "quant-ph/0201082", None),
    ("https://arxiv.org/abs/2410.16215", "2410.16215", None),
    ("https://arxiv.org/abs/2410.16215v1", "2410.16215", 1),
    ("http://arxiv.org/abs/2401.13160v1", "2401.13160", 1),
    ("https://arxiv.org/abs/2403.09472#", "2403.09472", None),
    ("https://arxiv.org/abs/2403.09472#S2", "2403.09472", None),
    ("https://arxiv.org/abs/2403.09472?context=cs", "2403.09472", None),
    ("https://arxiv.org/abs/2403.09472/", "2403.09472", None),
    ("https://arxiv.org/pdf/2407.07972", "2407.07972", None),
    ("https://www.arxiv.org/pdf/2409.09603", "2409.09603", None),
    ("http://arxiv.org/pdf/2401.13160v1.pdf", "2401.13160", 1),
    ("https://arxiv.org/pdf/2401.13160.pdf", "2401.13160", None),
    ("https://arxiv.org/html/2410.16215v2", "2410.16215", 2),
    ("https://arxiv.org/html/2410.16215v2/", "2410.16215", 2),
    ("https://arxiv.org/html/2410.16215v2#S3.SS1", "2410.16215", 2),
    ("https://export.arxiv.org/abs/2410.16215", "2410.16215", None),
    ("http://export.arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001", 2),
    ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", None),
    ("https://arxiv.org/pdf/hep-th/9901001v1", "hep-th/9901001", 1),
    ("https://arxiv.org/abs/math.GT/0309136", "math/0309136", None),
    ("arxiv.org/abs/2410.16215", "2410.16215", None),
    ("www.arxiv.org/abs/2410.16215", "2410.16215", None),
    ("https://arxiv.org/format/2410.16215", "2410.16215", None),
    ("https://ar5iv.labs.arxiv.org/html/2410.16215", "2410.16215", None),
    ("https://ar5iv.org/abs/2410.16215", "2410.16215", None),
    ("https://www.alphaxiv.org/abs/2410.16215", "2410.16215", None),
    ("https://www.alphaxiv.org/overview/2410.16215v2", "2410.16215", 2),
    ("https://huggingface.co/papers/2410.16215", "2410.16215", None),
    ("https://www.semanticscholar.org/arxiv/2410.16215", "2410.16215", None),
    ("http://xxx.lanl.gov/abs/hep-th/9901001", "hep-th/9901001", None),
    ("10.48550/arXiv.2410.16215", "2410.16215", None),
    ("https://doi.org/10.48550/arXiv.2410.16215", "2410.16215", None),
    ("doi:10.48550/ARXIV.2410.16215", "2410.16215", None),
]


@pytest.mark.parametrize(("text", "base", "version"), ARXIV_FORMS)
def test_parse_arxiv_id_forms(text: str, base: str, version: int | None) -> None:
    assert parse_arxiv_id(text) == ArxivId(base, version)


@pytest.mark.parametrize(("text", "base", "version"), ARXIV_FORMS)
def test_every_arxiv_form_has_one_key(text: str, base: str, version: int | None) -> None:
    assert identity_key(text) == f"arxiv:{base}"


NOT_ARXIV = [
    "",
    "   ",
    "hello",
    "2410.1621",  # four digits after 1501
    "0704.00001",  # five digits before 1501
    "2413.00001",  # month 13
    "2400.00001",  # month 00
    "2410.16215v0",
    "foo-bar/9901001",  # no such archive
    "hep-th/990100",
    "hep-th/9913001",  # month 13
    "https://arxiv.org/list/cs.AI/new",
    "https://arxiv.org/abs/",
    "https://example.com/abs/2410.16215",
    "https://huggingface.co/models/2410.16215",
    "https://www.semanticscholar.org/paper/abc/2410.16215",
    "https://api.semanticscholar.org/abs/2410.16215",
    "https://doi.org/10.1145/3292500.3330701",
    "ftp://",
    "\uff12\uff14\uff11\uff10.\uff11\uff16\uff12\uff11\uff15",  # fullwidth digits
    "2410.1621\u0665",  # an Arabic-Indic digit
    "https://arxiv.org/abs/\uff12\uff14\uff11\uff10.\uff11\uff16\uff12\uff11\uff15",
]


@pytest.mark.parametrize("text", NOT_ARXIV)
def test_parse_arxiv_id_rejects(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_parse_arxiv_id_non_string() -> None:
    assert parse_arxiv_id(None) is None  # type: ignore[arg-type]
    assert identity_key(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arxiv", "text"),
    [
        (ArxivId("2410.16215", 1), "2410.16215v1"),
        (ArxivId("2410.16215", None), "2410.16215"),
        (ArxivId("hep-th/9901001", 3), "hep-th/9901001v3"),
    ],
)
def test_arxiv_id_str(arxiv: ArxivId, text: str) -> None:
    assert str(arxiv) == text
    assert parse_arxiv_id(text) == arxiv
    assert arxiv.key == f"arxiv:{arxiv.base}"


KEYS = [
    # DOIs
    ("10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    ("doi:10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    ("DOI: 10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    ("https://doi.org/10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    ("http://dx.doi.org/10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    ("https://doi.org/10.1038/NATURE14539", "doi:10.1038/nature14539"),
    ("https://doi.org/10.1000/a%2Fb", "doi:10.1000/a/b"),
    ("https://dl.acm.org/doi/10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    ("https://dl.acm.org/doi/abs/10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    ("https://dl.acm.org/doi/pdf/10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    (
        "https://link.springer.com/article/10.1007/s11263-015-0816-y",
        "doi:10.1007/s11263-015-0816-y",
    ),
    # OpenReview
    ("https://openreview.net/forum?id=RveSp5oESA", "openreview:RveSp5oESA"),
    ("https://openreview.net/pdf?id=RveSp5oESA", "openreview:RveSp5oESA"),
    ("https://openreview.net/forum?id=3d5CIRG1n2", "openreview:3d5CIRG1n2"),
    ("https://openreview.net/forum?id=3d5CIRG1n2&noteId=xyz", "openreview:3d5CIRG1n2"),
    ("https://openreview.net/forum?noteId=xyz&id=3d5CIRG1n2", "openreview:3d5CIRG1n2"),
    ("https://openreview.net/attachment?id=abc_DEF-1&name=pdf", "openreview:abc_DEF-1"),
    ("http://www.openreview.net/forum/?id=RveSp5oESA", "openreview:RveSp5oESA"),
    ("openreview:RveSp5oESA", "openreview:RveSp5oESA"),
    # ACL Anthology
    ("https://aclanthology.org/2021.acl-long.353", "acl:2021.acl-long.353"),
    ("https://aclanthology.org/2021.acl-long.353/", "acl:2021.acl-long.353"),
    ("https://aclanthology.org/2021.acl-long.353.pdf", "acl:2021.acl-long.353"),
    ("https://aclanthology.org/2021.emnlp-main.243", "acl:2021.emnlp-main.243"),
    ("https://aclanthology.org/2023.findings-acl.12v2.pdf", "acl:2023.findings-acl.12"),
    ("https://aclanthology.org/P19-1001", "acl:P19-1001"),
    ("https://aclanthology.org/P19-1001.pdf", "acl:P19-1001"),
    ("https://www.aclweb.org/anthology/P19-1001", "acl:P19-1001"),
    ("https://www.aclweb.org/anthology/2020.acl-main.1.pdf", "acl:2020.acl-main.1"),
    ("https://doi.org/10.18653/v1/2021.acl-long.353", "acl:2021.acl-long.353"),
    ("https://doi.org/10.18653/v1/P19-1001", "acl:P19-1001"),
    ("acl:2021.acl-long.353", "acl:2021.acl-long.353"),
    ("acl:p19-1001", "acl:P19-1001"),
    ("2021.acl-long.353", "acl:2021.acl-long.353"),
    # Other URLs
    ("https://github.com/owner/repo", "url:github.com/owner/repo"),
    ("https://github.com/Owner/Repo/", "url:github.com/owner/repo"),
    ("http://www.github.com/owner/repo.git", "url:github.com/owner/repo"),
    ("github.com/owner/repo", "url:github.com/owner/repo"),
    ("https://GitHub.com/owner/repo#readme", "url:github.com/owner/repo"),
    ("https://Example.COM/Path/", "url:example.com/Path"),
    ("https://example.com/a?b=2&a=1", "url:example.com/a?a=1&b=2"),
    ("https://example.com/a?utm_source=x&b=2&utm_medium=y", "url:example.com/a?b=2"),
    ("https://example.com/a?fbclid=zzz", "url:example.com/a"),
    ("https://example.com:443/a", "url:example.com/a"),
    ("http://example.com:80/a", "url:example.com/a"),
    ("http://example.com:8080/a", "url:example.com:8080/a"),
    ("https://example.com/", "url:example.com"),
    ("https://example.com", "url:example.com"),
    ("<https://example.com/x>", "url:example.com/x"),
    (
        "https://www.jiqizhixin.com/articles/2023-10-30-5",
        "url:jiqizhixin.com/articles/2023-10-30-5",
    ),
    ("https://arxiv.org/list/cs.AI/new", "url:arxiv.org/list/cs.AI/new"),
    ("https://openreview.net/group?id=ICLR.cc/2025", "url:openreview.net/group?id=ICLR.cc/2025"),
    ("url:github.com/owner/repo", "url:github.com/owner/repo"),
]


@pytest.mark.parametrize(("value", "key"), KEYS)
def test_identity_key(value: str, key: str) -> None:
    assert identity_key(value) == key


@pytest.mark.parametrize(
    "value",
    [
        "",
        "  ",
        "None",
        "none",
        "null",
        "#",
        "#section",
        "hello world",
        "just-text",
        "mailto:x@y.z",
        "README.md",
        "paper.pdf",
        "docs/notes.md",
        "javascript:alert(1)",
    ],
)
def test_identity_key_of_nothing(value: str) -> None:
    assert identity_key(value) is None


@pytest.mark.parametrize("value", [v for v, _ in KEYS] + [t for t, _, _ in ARXIV_FORMS])
def test_identity_key_is_idempotent(value: str) -> None:
    key = identity_key(value)
    assert key is not None
    assert identity_key(key) == key


def test_versions_and_forms_are_one_paper() -> None:
    forms = [
        "2410.16215v1",
        "2410.16215v3",
        "https://arxiv.org/abs/2410.16215v1",
        "https://arxiv.org/pdf/2410.16215v3.pdf",
        "https://arxiv.org/html/2410.16215v2",
        "http://export.arxiv.org/abs/2410.16215",
        "https://doi.org/10.48550/arXiv.2410.16215",
    ]
    assert {identity_key(f) for f in forms} == {"arxiv:2410.16215"}


def test_different_papers_differ() -> None:
    assert identity_key("2410.16215") != identity_key("2410.16216")
    assert identity_key("hep-th/9901001") != identity_key("hep-ph/9901001")
    assert identity_key("https://openreview.net/forum?id=A") != identity_key(
        "https://openreview.net/forum?id=a"
    )


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://www.Example.com/a/b/?z=1&utm_campaign=q&a=2#top",
            "https://example.com/a/b?a=2&z=1",
        ),
        ("HTTP://example.com", "http://example.com"),
        ("https://example.com:8443/x/", "https://example.com:8443/x"),
        ("https://user:pw@example.com/x", "https://example.com/x"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("2410.16215v1", "https://arxiv.org/abs/2410.16215v1"),
        ("2410.16215", "https://arxiv.org/abs/2410.16215"),
        ("arXiv:hep-th/9901001v2", "https://arxiv.org/abs/hep-th/9901001v2"),
        ("https://arxiv.org/pdf/2410.16215v3.pdf", "https://arxiv.org/abs/2410.16215v3"),
    ],
)
def test_arxiv_abs_url(given: str, url: str) -> None:
    assert arxiv_abs_url(given) == url


def test_arxiv_abs_url_rejects_non_ids() -> None:
    with pytest.raises(BadInput, match="Not an arXiv id"):
        arxiv_abs_url("not-an-id")


def test_non_ascii_digits_make_no_doi_or_acl_id() -> None:
    assert identity_key("10.\uff11\uff12\uff13\uff14/abc") is None
    acl = "https://aclanthology.org/\uff12\uff10\uff12\uff14.acl-long.1/"
    assert identity_key(acl) == "url:aclanthology.org/\uff12\uff10\uff12\uff14.acl-long.1"
