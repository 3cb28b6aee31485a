"""The words that explain a suggestion are the paper's subject, never pieces of its links."""

from __future__ import annotations

from pathlib import Path

from papershelf.feeds.knowledge import fit_ranker, paper_text
from papershelf.feeds.rank import surface_words
from papershelf.feeds.why_words import explains
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.workspace import open_workspace

LIST = """\
# Reading

## Datasets

- [Curating Web Data for Pretraining](https://arxiv.org/abs/2401.00001), Jan. 1 2024. Data at https://github.com/a/web-data and http://www.example.org/data.html
- [Paper Data Filtering at Scale](https://arxiv.org/abs/2401.00002), Jan. 2 2024. Code https://github.com/b/filter, paper http://arxiv.org/pdf/2401.00002
- [Deduplicating Training Data](https://arxiv.org/abs/2401.00003), Jan. 3 2024. See https://huggingface.co/datasets/c and http://github.com/c/dedup

## Agents

- [Tool Use by Imitation](https://arxiv.org/abs/2303.00033), Mar. 9 2023.
"""


def test_link_pieces_and_numbers_never_explain() -> None:
    text = "Filtering web data, code at https://github.com/x/y (see http://www.example.org) 2024"
    terms = ["http", "github", "data", "www", "filter", "2024", "com"]
    assert surface_words(text, terms) == ("data", "filtering")
    assert explains("pre-training") and explains("data")
    assert not explains("http") and not explains("github-com") and not explains("2024")


def test_a_suggestion_for_a_paper_with_links_gives_subject_words(tmp_path: Path) -> None:
    """The abstracts of papers accepted from the feeds join their section's words, links and
    all: a paper whose abstract links its code was explained by (data, https, com, http)."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "reading.md").write_text(LIST, encoding="utf-8")
    index = WorkspaceIndex.build(open_workspace(root))
    accepted = {
        f"arxiv:2401.0000{i}": f"We release data at https://github.com/x/d{i} and "
        f"http://www.example.org/{i}.html"
        for i in (1, 2, 3)
    }
    ranker = fit_ranker(index.documents(), accepted)
    title = "Cleaning Web Data at Scale"
    abstract = (
        "Data and code: https://github.com/d/clean-data and http://www.example.org/clean.html."
    )
    (top, *_rest) = ranker.rank([paper_text(title, abstract)], top_k=1, titles=[title])[0]
    assert top.section == "Reading > Datasets"
    assert len(top.why) == 4 and all(explains(word) for word in top.why), top.why
    assert top.why[0] == "data"
