"""extract_fields: what entries of every shape say, and fields_to_paper."""

from __future__ import annotations

import pytest

from papershelf.sync.styles import extract_fields, fields_to_paper
from papershelf.sync.styles.text import ParsedDate, parse_date


def test_link_date_entry_with_code_tags_and_date() -> None:
    f = extract_fields(
        "- [Adaptive Warmup Without Tuning](https://arxiv.org/pdf/2404.05678), Apr. 9 2024. "
        "[code](https://github.com/example/warmless). `optimizer` `warmup`."
    )
    assert f.family == "link item"
    assert f.title == "Adaptive Warmup Without Tuning"
    assert f.url == "https://arxiv.org/pdf/2404.05678"
    assert f.arxiv_id == "2404.05678"
    assert f.date == "2024-04-09"
    assert f.code_url == "https://github.com/example/warmless"
    assert f.tags == ("optimizer", "warmup")
    assert "arxiv:2404.05678" in f.identities
    assert "url:github.com/example/warmless" in f.identities
    assert f.is_paper


@pytest.mark.parametrize(
    ("slot", "date", "venue"),
    [
        ("ICLR 2024", None, "ICLR 2024"),
        ("2023", "2023", None),
        ("May 2024", "2024-05", None),
        ("Sept. 3 2024", "2024-09-03", None),
        ("arXiv.v3 Feb. 5 2020", "2020-02-05", "arXiv.v3"),
        ("submitted to ICLR 2025", None, "submitted to ICLR 2025"),
    ],
)
def test_link_date_slot_is_a_date_a_venue_or_both(
    slot: str, date: str | None, venue: str | None
) -> None:
    f = extract_fields(f"- [A Title](https://example.org/p.pdf), {slot}.")
    assert (f.date, f.venue) == (date, venue)


def test_labelled_links_and_nested_note_bullets() -> None:
    f = extract_fields(
        "- [WARP Style](https://arxiv.org/abs/2406.16768), Jun. 24 2024. "
        "[tweet](https://x.com/a/status/1). `post-training`.\n"
        '  - _"a quoted remark"_\n'
        "  - another thought"
    )
    assert f.links == (("tweet", "https://x.com/a/status/1"),)
    assert f.note == '- _"a quoted remark"_\n- another thought'
    assert [n for n in f.layout["found"].note_lines] == [1, 2]


def test_bold_arxiv_entry_with_wrapped_title_elided_authors_and_code() -> None:
    text = (
        "- **Data Pruning by Loss Trajectories: What to \n"
        "  Drop**, `arXiv, 2410.09002`, [arxiv](http://arxiv.org/abs/2410.09002v2), "
        "[pdf](http://arxiv.org/pdf/2410.09002v2.pdf), cication: [**-1**](None)\n"
        "\n"
        "\t *Dev Patel, Eva Novak, Femi Ade, ..., Yuri Sato, Zoe Park* · "
        "([prune](https://github.com/dev/prune) - dev) "
        "![Star](https://img.shields.io/github/stars/dev/prune.svg?style=social&label=Star)"
    )
    f = extract_fields(text)
    assert f.family == "bold item"
    assert f.title == "Data Pruning by Loss Trajectories: What to Drop"
    assert f.title_raw == "Data Pruning by Loss Trajectories: What to \n  Drop"
    assert f.arxiv_id == "2410.09002v2"
    assert f.url == "http://arxiv.org/abs/2410.09002v2"
    assert f.authors == ("Dev Patel", "Eva Novak", "Femi Ade", "...", "Yuri Sato", "Zoe Park")
    assert f.authors_truncated
    assert f.code_url == "https://github.com/dev/prune"
    paper = fields_to_paper(f)
    assert paper.title == "Data Pruning by Loss Trajectories: What to Drop"


def test_bold_venue_slot_reads_venue_and_year() -> None:
    f = extract_fields(
        "- **Experts That Share**, `ICML, 2024`, [arxiv](http://arxiv.org/abs/2402.06005v3), "
        "[pdf](http://arxiv.org/pdf/2402.06005v3.pdf)"
    )
    assert (f.venue, f.date, f.arxiv_id) == ("ICML", "2024", "2402.06005v3")


def test_blog_paragraph() -> None:
    f = extract_fields(
        "**Tiny Adapters Everywhere**. Kim and Ford. ACL'23\\\n"
        "Adds small bottleneck layers.\\\n"
        "<https://aclanthology.org/2023.acl-long.1>"
    )
    assert f.family == "bold paragraph"
    assert f.authors == ("Kim", "Ford")
    assert (f.venue, f.date) == ("ACL'23", None)
    assert f.note == "Adds small bottleneck layers."
    assert f.url == "https://aclanthology.org/2023.acl-long.1"
    assert f.identities == ("acl:2023.acl-long.1",)
    etal = extract_fields("**Prompt Vectors**. Garcia et al.\\\n<https://arxiv.org/abs/2501.04321>")
    assert etal.authors == ("Garcia", "...") and etal.authors_truncated
    assert etal.arxiv_id == "2501.04321"


def test_table_row_by_header_names() -> None:
    header = ["Date", "Paper", "Authors", "Venue", "Code", "Notes"]
    f = extract_fields(
        "| 2024-01 | [Token Budget Laws](https://arxiv.org/abs/2401.00011) | Ada Moreau, Lena Fischer "
        "| ICLR | [code](https://github.com/x/budget) | |",
        table_header=header,
    )
    assert f.family == "link row"
    assert (f.title, f.date, f.venue) == ("Token Budget Laws", "2024-01", "ICLR")
    assert f.authors == ("Ada Moreau", "Lena Fischer")
    assert f.code_url == "https://github.com/x/budget"


@pytest.mark.parametrize(
    "text",
    [
        "- [Pretrain](#pretrain)",  # a table-of-contents link
        "- [**mergekit**](https://github.com/cg123/mergekit) - cg123",  # a code repository
        "- :clapper: [A talk](https://www.youtube.com/watch?v=x)",  # a video, not a paper
        "Just a sentence in a paragraph.",
        "",
    ],
)
def test_unrecognised_entries_are_not_papers(text: str) -> None:
    assert not extract_fields(text).is_paper


def test_unknown_entries_still_expose_identities_for_duplicates() -> None:
    f = extract_fields("- Read this: https://arxiv.org/abs/2401.00011v2 and more words")
    assert f.family == "unknown"
    assert f.identities == ("arxiv:2401.00011",)
    decorated = extract_fields("- :star: [Thing](https://arxiv.org/abs/2401.00011v2) extra words")
    assert decorated.is_paper and decorated.identities == ("arxiv:2401.00011",)


def test_plain_link_and_markdown_escapes_in_title() -> None:
    f = extract_fields(r"* [Pathways \_notes\_ \[draft\]](https://example.org/p)")
    assert f.family == "link item"
    assert f.title == "Pathways _notes_ [draft]"
    assert f.title_raw == r"Pathways \_notes\_ \[draft\]"


def test_parse_date_formats() -> None:
    def parsed(text: str) -> ParsedDate:
        found = parse_date(text)
        assert found is not None, text
        return found

    assert parsed("Jul. 10 2024").iso == "2024-07-10"
    assert parsed("2024-10-21").pattern == "{y}-{mm}-{dd}"
    assert parsed("21 Oct 2024").iso == "2024-10-21"
    assert parsed("October 21, 2024").iso == "2024-10-21"
    assert parse_date("Foo 10 2024") is None
    assert parse_date("NeurIPS 2022") is None


def test_find_paper_by_any_identity_without_parsing_everything() -> None:
    from pathlib import Path

    from papershelf.sync.listmodel import parse_list
    from papershelf.sync.styles import paper_entries
    from papershelf.sync.styles.entries import find_paper

    doc = parse_list((Path(__file__).parent / "fixtures" / "styles" / "bold_arxiv.md").read_bytes())
    for entry, fields in paper_entries(doc):
        for key in fields.identities:
            found = find_paper(doc, key)
            assert found is not None and found[0].start == entry.start, key
    assert find_paper(doc, "arxiv:2611.99999") is None
    mixing = find_paper(doc, "url:example.org/token-mixing")
    assert mixing is not None and mixing[1].title == "Token Mixing Revisited"
