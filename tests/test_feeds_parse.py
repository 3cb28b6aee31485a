"""Feed parsing: arXiv RSS announce types and quirks, empty weekend feeds, bozo, any RSS/Atom."""

from __future__ import annotations

import pytest
from conftest import SHARED_FIXTURES
from feeds_http import fixture_bytes

from papershelf.feeds.parse import NO_ANNOUNCEMENTS, OK, FeedMalformed, parse_feed, split_creators
from papershelf.sync.errors import BadInput


def test_arxiv_rss_items_with_every_announce_type() -> None:
    feed = parse_feed(fixture_bytes("rss/arxiv_cs.CL+cs.LG_mixed.xml"))
    assert feed.state == OK and feed.problem is None
    assert feed.title == "cs.CL, cs.LG updates on arXiv.org"
    types = [(item.paper.arxiv_id, item.announce_type) for item in feed.items]
    assert types == [
        ("2611.10001v1", "new"),
        ("2611.10017v1", "new"),
        ("2611.09876v1", "cross"),
        ("2611.10033v1", "cross"),
        ("2409.01234v4", "replace"),
        ("2502.04321v2", "replace-cross"),
    ]
    assert [i.paper.arxiv_id for i in feed.candidates] == [
        "2611.10001v1",
        "2611.10017v1",
        "2611.09876v1",
        "2611.10033v1",
    ]


def test_arxiv_description_quirk_and_fields() -> None:
    first = parse_feed(fixture_bytes("rss/arxiv_cs.CL+cs.LG_mixed.xml")).items[0].paper
    # "Announce Type: new \nAbstract: ..." leaves only the abstract.
    assert (first.abstract or "").startswith("Preference datasets collected from annotators")
    assert "Announce Type" not in (first.abstract or "")
    assert first.url == "https://arxiv.org/abs/2611.10001v1"
    assert first.identity == "arxiv:2611.10001"
    assert first.published == "2026-11-19"
    # `dc:creator` "A, B,  Sunniva, C": the double space and the single name survive.
    assert first.authors == ("Oluwaseun Adeyemi-Hart", "Kiri Tane", "Sunniva", "Matteo Ricci-Lund")
    assert first.extra["categories"] == ["cs.CL", "cs.LG"]
    assert first.tags == ()


def test_weekend_feed_is_a_state_not_an_error() -> None:
    feed = parse_feed(fixture_bytes("rss/arxiv_cs.CL_weekend_empty.xml"))
    assert feed.state == NO_ANNOUNCEMENTS
    assert feed.items == [] and feed.problem is None


def test_malformed_feed_keeps_what_it_can_and_records_the_problem() -> None:
    feed = parse_feed(fixture_bytes("rss/malformed_truncated.xml"))
    assert [i.paper.arxiv_id for i in feed.items] == ["2611.10101v1"]
    assert feed.items[0].paper.title == "Gradient Noise & Batch Size: A Short Note"
    assert feed.problem and feed.problem.startswith("malformed feed:")
    assert "\n" not in feed.problem


@pytest.mark.parametrize("data", [fixture_bytes("rss/not_a_feed.html"), b"", b"\x00\xff garbage"])
def test_not_a_feed_is_one_line_bad_input(data: bytes) -> None:
    with pytest.raises(FeedMalformed) as err:
        parse_feed(data)
    assert isinstance(err.value, BadInput)
    assert "\n" not in str(err.value)


def test_generic_atom_feed() -> None:
    feed = parse_feed(fixture_bytes("rss/generic_atom.xml"))
    assert feed.state == OK
    assert feed.skipped == 1  # the pick without a link
    first, second = feed.items
    assert first.announce_type is None and first.is_candidate
    assert first.paper.url == "https://openreview.net/forum?id=Xc9PqRt2Lm"
    assert first.paper.identity == "openreview:Xc9PqRt2Lm"
    assert first.paper.abstract == (
        "Reward models used for preference alignment are over-confident; "
        "a pairwise temperature fixes it."
    )
    assert first.paper.authors == ("Ruth Abebe", "Colm Byrne")
    assert first.paper.published == "2026-11-17"
    # An arXiv link in any feed becomes the arXiv identity, version kept.
    assert second.paper.arxiv_id == "2611.10555v2"
    assert second.paper.identity == "arxiv:2611.10555"


def test_split_creators() -> None:
    assert split_creators("A. One, B. Two,  Solo, C. Three") == (
        "A. One",
        "B. Two",
        "Solo",
        "C. Three",
    )
    assert split_creators("A. One and B. Two") == ("A. One", "B. Two")
    assert split_creators("Anand Rao") == ("Anand Rao",)
    assert split_creators("") == ()


@pytest.mark.skipif(not (SHARED_FIXTURES / "arxiv" / "rss").is_dir(), reason="no shared fixtures")
def test_conformance_with_real_arxiv_rss() -> None:
    files = sorted((SHARED_FIXTURES / "arxiv" / "rss").glob("*.xml"))
    assert files
    for path in files:
        feed = parse_feed(path.read_bytes())
        assert feed.state == OK and feed.problem is None, path.name
        assert len(feed.items) == 3, path.name
        for item in feed.items:
            paper = item.paper
            assert item.announce_type == "new", path.name
            assert paper.identity and paper.identity.startswith("arxiv:"), path.name
            assert (paper.arxiv_id or "").endswith("v1")
            assert paper.title and paper.authors and paper.published, path.name
            assert paper.abstract and not paper.abstract.startswith(("arXiv:", "Abstract")), (
                path.name
            )
            assert all(name == name.strip() and "  " not in name for name in paper.authors)
    cl = parse_feed(
        (SHARED_FIXTURES / "arxiv" / "rss" / "rss2_cs.CL_2026-04-27_3items.xml").read_bytes()
    )
    assert "Deepti" in cl.items[0].paper.authors  # the single-name author after a double space
