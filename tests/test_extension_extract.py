"""Extraction unit tests: extension/lib/extract.js (after lib/extract-fields.js) runs in real
Chromium over our fixture pages (parsed with DOMParser, so no page script runs and nothing is
fetched), and over the shared real arXiv pages when they are present. Output must be Paper JSON
that papershelf.sync.paper accepts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import SHARED_FIXTURES, chromium_available
from extension_harness import BASE_ARGS, EXT_FIXTURES, EXTENSION_DIR, chromium_path

from papershelf.sync.paper import PaperSchema

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and Playwright"),
]

PAPER_KEYS = {"url", "arxiv_id", "title", "authors", "published", "venue", "abstract", "code_url"}


@pytest.fixture(scope="module")
def extract_page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=BASE_ARGS)
        page = browser.new_page()
        for name in ("extract-fields.js", "extract.js"):  # the order every loader uses
            page.add_script_tag(content=(EXTENSION_DIR / "lib" / name).read_text("utf-8"))
        yield page
        browser.close()


def extract(page: Any, html: str | None, url: str) -> dict[str, Any]:
    return page.evaluate(
        """([html, url]) => PapershelfExtract.extractPaper(
               html === null ? null : new DOMParser().parseFromString(html, "text/html"), url)""",
        [html, url],
    )


def fixture(name: str) -> str:
    return (EXT_FIXTURES / name).read_text("utf-8")


def assert_paper_json(paper: dict[str, Any]) -> None:
    assert set(paper) <= PAPER_KEYS, f"unknown keys: {set(paper) - PAPER_KEYS}"
    PaperSchema().load(paper)  # raises on anything the server would refuse


def test_abs_2026_template_two_versions_code_in_abstract(extract_page: Any) -> None:
    paper = extract(
        extract_page, fixture("abs_2603.04217v2_2026.html"), "https://arxiv.org/abs/2603.04217"
    )
    assert paper["arxiv_id"] == "2603.04217v2"  # the version shown (og:url), not a guess
    assert paper["url"] == "https://arxiv.org/abs/2603.04217"  # the paper, not a version
    assert paper["title"] == (
        "Lattice Adapters: Parameter-Efficient Continual Pretraining for Small Language Models"
    )
    assert paper["authors"] == ["Zoë Ngata-Larsen", "Rafael Quintero-Abad", "Mei Tanaka"]
    assert paper["published"] == "2026-03-03"  # v1's date from the submission history, not v2's
    assert paper["venue"] == "COLM 2026"
    assert paper["code_url"] == "https://github.com/lattice-lab/lattice-adapters"
    assert paper["abstract"].startswith("Small language models forget quickly")
    assert paper["abstract"].endswith("Code and checkpoints are available at this https URL.")
    assert "Abstract:" not in paper["abstract"]
    assert_paper_json(paper)


def test_abs_2021_template_gitlab_code_in_comments(extract_page: Any) -> None:
    paper = extract(
        extract_page, fixture("abs_2107.11873v1_2021.html"), "http://arxiv.org/abs/2107.11873v1"
    )
    assert paper == {
        "url": "https://arxiv.org/abs/2107.11873",
        "arxiv_id": "2107.11873v1",
        "title": "Curriculum Sampling for Sparse-Reward Text Games",
        "authors": ["Adaeze Okonkwo", "Per-Erik Lindqvist"],
        "published": "2021-07-25",
        "venue": "EMNLP 2021",
        "abstract": (
            "Text games give an agent a sparse reward only at the end of long quests. We sample "
            "training episodes by a curriculum that starts from states close to the goal and moves "
            "the start backwards as the agent improves. On 33 games of the Jericho suite the "
            "curriculum reaches the score of the best published agent with 40% of the environment "
            "steps, and it helps most on the games with the longest quests."
        ),
        "code_url": "https://gitlab.com/textgames/curriculum-sampling",
    }
    assert_paper_json(paper)


def test_abs_2020_template_no_citation_abstract(extract_page: Any) -> None:
    paper = extract(
        extract_page, fixture("abs_2005.01377v1_2020.html"), "https://www.arxiv.org/abs/2005.01377"
    )
    assert paper["arxiv_id"] == "2005.01377v1"
    assert (
        paper["title"]
        == "Tidal Batching: Variance-Aware Batch Sizes for Federated Speech Recognition"
    )
    assert paper["authors"] == ["Hana Abebe", "Cian O'Sullivan"]
    assert paper["published"] == "2020-05-04"
    assert "(<3% extra memory)" in paper["abstract"]
    assert "venue" not in paper and "code_url" not in paper
    assert_paper_json(paper)


def test_abs_meta_only_falls_back_to_citation_tags(extract_page: Any) -> None:
    """With the body gone, citation_* tags still give title, authors (First Last) and v1 date."""
    html = fixture("abs_2603.04217v2_2026.html")
    head_only = html[: html.index("<body")] + "<body></body></html>"
    paper = extract(extract_page, head_only, "https://arxiv.org/abs/2603.04217v2")
    assert paper["authors"] == ["Zoë Ngata-Larsen", "Rafael Quintero-Abad", "Mei Tanaka"]
    assert paper["published"] == "2026-03-03"  # citation_date is v1's; citation_online_date is v2's
    assert (
        paper["code_url"] == "https://github.com/lattice-lab/lattice-adapters"
    )  # from citation_abstract
    assert_paper_json(paper)


def test_arxiv_html_page_latexml(extract_page: Any) -> None:
    paper = extract(
        extract_page,
        fixture("html_2604.00991v1_2026.html"),
        "https://arxiv.org/html/2604.00991v1#S2",
    )
    assert paper["arxiv_id"] == "2604.00991v1"
    assert paper["url"] == "https://arxiv.org/abs/2604.00991"
    assert (
        paper["title"] == "Quiet Gradients: Detecting Label Noise from Per-Example Gradient Norms"
    )
    assert paper["authors"] == ["Ingrid Solheim", "Kwame Mensah-Bonsu", "Lucía Ferrer"]
    assert paper["published"] == "2026-04-02"  # the v1 watermark date
    assert paper["abstract"].startswith("Mislabelled examples slow training down")
    assert paper["abstract"].endswith("recovers 91% accuracy at no extra cost.")
    # Not the cited library in a footnote, not the bibliography: the sentence that says "our code".
    assert paper["code_url"] == "https://github.com/quiet-gradients/qg"
    assert_paper_json(paper)


@pytest.mark.parametrize(
    ("url", "arxiv_id"),
    [
        ("https://arxiv.org/pdf/2603.04217v2", "2603.04217v2"),
        ("https://arxiv.org/pdf/2603.04217.pdf", "2603.04217"),
        ("http://www.arxiv.org/pdf/hep-th/9901001v1", "hep-th/9901001v1"),
        ("https://export.arxiv.org/pdf/math.GT/0309136", "math.GT/0309136"),
    ],
)
def test_pdf_pages_take_the_id_from_the_url_only(
    extract_page: Any, url: str, arxiv_id: str
) -> None:
    paper = extract(extract_page, "<html><body><embed type='application/pdf'></body></html>", url)
    unversioned = arxiv_id.split("v")[0] if arxiv_id[0].isdigit() else arxiv_id.rsplit("v", 1)[0]
    assert paper == {"url": f"https://arxiv.org/abs/{unversioned}", "arxiv_id": arxiv_id}
    assert extract(extract_page, None, url) == paper
    assert_paper_json(paper)


def test_generic_highwire_citation_tags(extract_page: Any) -> None:
    paper = extract(
        extract_page,
        fixture("generic_openreview.html"),
        "https://openreview.net/forum?id=Xq7Lm2PaR9&noteId=1",
    )
    assert paper["url"] == "https://openreview.net/forum?id=Xq7Lm2PaR9"
    assert paper["title"] == "Sketch-Guided Program Repair with Small Models"
    assert paper["authors"] == ["Amara Diallo", "Jonas Weber"]
    assert paper["published"] == "2025-01-22"
    assert paper["venue"] == "ICLR 2025"
    assert paper["code_url"] == "https://github.com/sketch-repair/sgpr"
    assert "arxiv_id" not in paper
    assert_paper_json(paper)


def test_generic_dublin_core(extract_page: Any) -> None:
    paper = extract(
        extract_page,
        fixture("generic_dublin_core.html"),
        "https://anthology.example.org/2024.acl-long.999/?x=1",
    )
    assert paper == {
        "url": "https://anthology.example.org/2024.acl-long.999/",
        "title": "Measuring Dialect Drift in Parliamentary Transcripts",
        "authors": ["Thi Lan Nguyen", "Sem Bakker"],
        "published": "2024-06-11",
        "venue": "ACL 2024",
        "abstract": "We measure how regional dialect features drift in forty years of parliamentary transcripts.",
    }
    assert_paper_json(paper)


def test_generic_open_graph(extract_page: Any) -> None:
    paper = extract(
        extract_page, fixture("generic_og.html"), "https://blog.example.org/posts/byte-tokenizer/"
    )
    assert paper == {
        "url": "https://blog.example.org/posts/byte-tokenizer/",
        "title": "Why our tokenizer counts bytes",
        "authors": ["Rosa Lindgren"],
        "published": "2025-02-14",
        "abstract": "A short note on byte-level tokenization.",
    }
    assert_paper_json(paper)


def test_generic_pmlr_page(extract_page: Any) -> None:
    """PMLR: Highwire tags with "Last, First" authors and the proceedings' full name in
    citation_inbook_title; the venue is said as lists say it."""
    paper = extract(
        extract_page,
        fixture("generic_pmlr.html"),
        "https://proceedings.mlr.press/v202/varga23a.html",
    )
    assert paper == {
        "url": "https://proceedings.mlr.press/v202/varga23a.html",
        "title": "Frugal Second-Order Steps for Sparse Mixture-of-Experts Training",
        "authors": ["Eszter Varga", "Chidi Okafor", "Anne-Sophie Dubois"],
        "published": "2023-07-03",
        "venue": "ICML 2023",
        "abstract": (
            "We precondition only the router and the active experts of a sparse "
            "mixture-of-experts layer, which makes a second-order step cost 6% more than an "
            "Adam step. Code is available at https://github.com/frugal-moe/fso."
        ),
        "code_url": "https://github.com/frugal-moe/fso",
    }
    assert_paper_json(paper)


def test_generic_neurips_proceedings_page(extract_page: Any) -> None:
    """NeurIPS proceedings: citation_journal_title names the conference; the date is a year alone,
    which is no `published` date (Paper JSON wants YYYY-MM at least) but dates the venue."""
    url = (
        "https://proceedings.neurips.cc/paper_files/paper/2020/hash/"
        "7c3f0e9b2d41a5c6e8f01b2a3c4d5e6f-Abstract.html"
    )
    paper = extract(extract_page, fixture("generic_neurips.html"), url)
    assert paper == {
        "url": url,
        "title": "Counting Tokens Twice: Calibrated Early Exit for Speculative Decoding",
        "authors": ["Layla Haddad", "Tomasz Kowalczyk"],
        "venue": "NeurIPS 2020",
    }
    assert_paper_json(paper)


@pytest.mark.parametrize(
    ("name", "date", "venue"),
    [
        (
            "Proceedings of the 40th International Conference on Machine Learning",
            "2023/07/03",
            "ICML 2023",
        ),
        ("International Conference on Machine Learning and Applications", "2023", None),
        (
            "Proceedings of The 27th International Conference on Artificial Intelligence and "
            "Statistics",
            "2024-04-18",
            "AISTATS 2024",
        ),
        (
            "Findings of the Association for Computational Linguistics: EMNLP 2023",
            "2023-12",
            "EMNLP 2023",
        ),
        (
            "Proceedings of the 2024 Conference of the North American Chapter of the Association "
            "for Computational Linguistics",
            "2024-06",
            "NAACL 2024",
        ),
        ("Journal of Obscure Results", "2021", None),
    ],
)
def test_generic_venue_names(extract_page: Any, name: str, date: str, venue: str | None) -> None:
    html = (
        "<html><head><meta name='citation_title' content='A paper'>"
        f"<meta name='citation_conference_title' content='{name}'>"
        f"<meta name='citation_publication_date' content='{date}'></head></html>"
    )
    paper = extract(extract_page, html, "https://example.org/paper")
    assert paper["venue"] == (venue or name)


def test_page_without_metadata_still_gives_a_url(extract_page: Any) -> None:
    paper = extract(
        extract_page,
        "<html><head><title>Hello</title></head><body></body></html>",
        "https://example.org/a#b",
    )
    assert paper == {"url": "https://example.org/a", "title": "Hello"}


def test_url_helpers(extract_page: Any) -> None:
    got = extract_page.evaluate(
        """() => [
            PapershelfExtract.arxivIdFromUrl("https://arxiv.org/abs/2410.16215v3"),
            PapershelfExtract.arxivIdFromUrl("https://arxiv.org/html/2410.16215v1/x1.png"),
            PapershelfExtract.arxivIdFromUrl("https://ar5iv.labs.arxiv.org/html/1706.03762"),
            PapershelfExtract.arxivIdFromUrl("https://arxiv.org/list/cs.CL/new"),
            PapershelfExtract.arxivIdFromUrl("https://example.org/abs/2410.16215"),
            PapershelfExtract.pageKind("https://arxiv.org/pdf/2410.16215"),
            PapershelfExtract.isoDate("June 5, 2024"),
            PapershelfExtract.isoDate("2024/02/30"),
            PapershelfExtract.displayName("Smith, Jr., John"),
        ]"""
    )
    assert got == [
        {"id": "2410.16215", "version": "v3", "kind": "abs"},
        {"id": "2410.16215", "version": "v1", "kind": "html"},
        {"id": "1706.03762", "version": "", "kind": "html"},
        None,
        None,
        "pdf",
        "2024-06-05",
        "",
        "Smith, Jr., John",
    ]


@pytest.mark.parametrize(
    "arxiv_id",
    [
        "2410.16215v3",
        "2613.01010",  # month 13
        "2600.01010",  # month 0
        "2603.0421",  # four digits after 2014
        "1412.01234",  # five digits before 2015
        "1412.1234",
        "2410.16215v0",
        "hep-th/9901001v2",
        "hep-th/9913001",  # month 13, old style
        "math.GT/0309136",
    ],
)
def test_arxiv_ids_from_urls_follow_the_servers_rule(extract_page: Any, arxiv_id: str) -> None:
    """An id the server would refuse (papershelf.sync.identity: month 01-12, four digits up to 1412 and
    five from 1501, no v0) is no paper to the extension either, so a link to it is not clipped."""
    from papershelf.sync.identity import parse_arxiv_id

    got = extract_page.evaluate(
        "(u) => PapershelfExtract.arxivIdFromUrl(u)", f"https://arxiv.org/abs/{arxiv_id}"
    )
    assert (got is not None) == (parse_arxiv_id(arxiv_id) is not None), got


# ---- conformance over the shared real arXiv pages (skipped where they are absent) ----

SHARED_ABS = SHARED_FIXTURES / "arxiv" / "abs"
SHARED_HTML = SHARED_FIXTURES / "arxiv" / "html"

REAL_CASES = [
    (
        "abs/2609.22268v1_2026.html",
        "https://arxiv.org/abs/2609.22268",
        {
            "arxiv_id": "2609.22268v1",
            "authors": ["Théo Andrieux", "Andreas Ntinos", "Manas V. Upadhyay"],
            "published": "2026-09-09",
            "code_url": "https://github.com/manasvupadhyay/spectral_galerkin_heat",
        },
    ),
    (
        "abs/2106.09608v2_2021.html",
        "https://arxiv.org/abs/2106.09608",
        {
            "arxiv_id": "2106.09608v2",
            "title": "Learning Knowledge Graph-based World Models of Textual Environments",
            "authors": ["Prithviraj Ammanabrolu", "Mark O. Riedl"],
            "published": "2021-06-17",  # v1, although v2 is shown
            "venue": "NeurIPS 2021",
        },
    ),
    (
        "abs/2004.10162v1_2020.html",
        "https://arxiv.org/abs/2004.10162v1",
        {
            "arxiv_id": "2004.10162v1",
            "authors": ["Sanchari Sen", "Balaraman Ravindran", "Anand Raghunathan"],
            "published": "2020-04-21",
            "venue": "ICLR 2020",
        },
    ),
    (
        "abs/1902.02534v2_2023-head-only.html",
        "https://arxiv.org/abs/1902.02534",
        {
            "arxiv_id": "1902.02534v2",
            "published": "2019-02-07",
            "authors": ["Ivan Heibi", "Silvio Peroni", "David Shotton"],
        },
    ),
    (
        "html/1810.04805v2_arxiv-html_2026.html",
        "https://arxiv.org/html/1810.04805v2",
        {
            "arxiv_id": "1810.04805v2",
            "title": "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "authors": ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
            "code_url": "https://github.com/google-research/bert",
        },
    ),
]


@pytest.mark.parametrize(("name", "url", "expected"), REAL_CASES, ids=[c[0] for c in REAL_CASES])
def test_conformance_over_shared_real_pages(
    extract_page: Any, name: str, url: str, expected: dict[str, Any]
) -> None:
    path = SHARED_FIXTURES / "arxiv" / name
    if not path.exists():
        pytest.skip(f"shared fixture {path} is absent")
    paper = extract(extract_page, path.read_text("utf-8"), url)
    for key, value in expected.items():
        assert paper.get(key) == value, key
    assert paper["title"] and paper["abstract"] and len(paper["abstract"]) > 200
    assert_paper_json(paper)
