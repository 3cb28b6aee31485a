"""Feed sources from `.papershelf/config.toml`: valid tables, one-line errors, keyword filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.feeds.sources import (
    ARXIV_API,
    ARXIV_RSS,
    RSS,
    find_source,
    keyword_filter,
    load_sources,
)
from papershelf.sync.errors import NotFound, WorkspaceError
from papershelf.sync.workspace import Workspace, load_config


def _ws(root: Path, toml: str) -> Workspace:
    (root / ".papershelf").mkdir(parents=True, exist_ok=True)
    (root / ".papershelf" / "config.toml").write_text(toml, encoding="utf-8")
    return Workspace(root, load_config(root))


def test_three_kinds_of_source(tmp_path: Path) -> None:
    ws = _ws(
        tmp_path,
        """
[poll]
arxiv_rss_url = "http://127.0.0.1:9/rss/{category}"

[[feeds]]
name = "arxiv-cl"
type = "arxiv-rss"
category = "cs.CL+cs.LG"
interval_minutes = 180
keywords = ["preference", "alignment"]
exclude = ["survey"]
lists = ["training.md"]

[[feeds]]
name = "dpo"
type = "arxiv-api"
query = "abs:preference AND cat:cs.CL"
cron = "0 7 * * 1-5"

[[feeds]]
name = "blog"
url = "https://reading.example.org/feed.xml"
enabled = false
""",
    )
    cl, dpo, blog = load_sources(ws)
    assert cl.type == ARXIV_RSS and cl.url == "http://127.0.0.1:9/rss/cs.CL+cs.LG"
    assert cl.interval_minutes == 180 and cl.keywords == ("preference", "alignment")
    assert cl.exclude == ("survey",) and cl.lists == ("training.md",)
    assert dpo.type == ARXIV_API and dpo.cron == "0 7 * * 1-5" and dpo.url is None
    assert blog.type == RSS and blog.enabled is False
    assert find_source([cl, dpo, blog], "dpo") is dpo
    with pytest.raises(NotFound, match="Closest: dpo"):
        find_source([cl, dpo, blog], "dop")


def test_default_arxiv_rss_url(tmp_path: Path) -> None:
    ws = _ws(tmp_path, '[[feeds]]\nname = "a"\ntype = "arxiv-rss"\ncategory = "cs.LG"\n')
    assert load_sources(ws)[0].url == "https://rss.arxiv.org/rss/cs.LG"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('name = "x y"\nurl = "https://e.org/f"', "name must be"),
        ('name = "a"\ntype = "atom"', "type must be one of"),
        (
            'name = "a"\ntype = "arxiv-rss"\ncategory = "computer science"',
            "category must look like",
        ),
        ('name = "a"\ntype = "arxiv-api"', "needs a query"),
        ('name = "a"', "needs a url"),
        ('name = "a"\nurl = "ftp://e.org/f"', "http(s) URL"),
        (
            'name = "a"\nurl = "https://e.org/f"\ninterval_minutes = 5\ncron = "* * * * *"',
            "not both",
        ),
        ('name = "a"\nurl = "https://e.org/f"\ninterval_minutes = 0', "whole number"),
        ('name = "a"\nurl = "https://e.org/f"\ncron = "daily"', "five fields"),
        ('name = "a"\nurl = "https://e.org/f"\nkeywords = [1, 2]', "keywords must be"),
        ('name = "a"\nurl = "https://e.org/f"\ncolour = "red"', "unknown key(s) colour"),
    ],
)
def test_bad_tables_are_one_line_errors(tmp_path: Path, table: str, message: str) -> None:
    ws = _ws(tmp_path, f"[[feeds]]\n{table}\n")
    with pytest.raises(WorkspaceError) as err:
        load_sources(ws)
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert "config.toml" in str(err.value)


def test_duplicate_names(tmp_path: Path) -> None:
    ws = _ws(
        tmp_path,
        '[[feeds]]\nname = "a"\nurl = "https://e.org/1"\n[[feeds]]\nname = "a"\nurl = "https://e.org/2"\n',
    )
    with pytest.raises(WorkspaceError, match="duplicate name"):
        load_sources(ws)


def test_no_feeds_is_fine(tmp_path: Path) -> None:
    assert load_sources(_ws(tmp_path, "[lists]\ninclude = ['*.md']\n")) == []


def test_keyword_filter() -> None:
    assert keyword_filter("Direct Preference Optimization", ("preference",), ())
    assert not keyword_filter(
        "Direct Preference Optimization: A Survey", ("preference",), ("survey",)
    )
    assert not keyword_filter("Sheaf cohomology", ("preference",), ())
    assert keyword_filter("Anything at all", (), ())
