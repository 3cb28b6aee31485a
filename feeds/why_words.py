"""Which words may explain a suggestion (pure): not the pieces of links or identifiers."""

from __future__ import annotations

#: Words that say nothing about a paper's subject: pieces of links (`http`, `github`, `com`)
#: and of arXiv identifiers. They may weigh in a section (its notes link code) and the ranking
#: still counts them, but they never explain a suggestion ("Suggested: … (paper, data, http)").
NOT_WHY = frozenset(
    {"http", "https", "www", "com", "org", "net", "io", "html", "htm", "pdf", "abs", "doi"}
    | {"github", "gitlab", "huggingface", "arxiv", "url", "href", "md"}
)


def explains(word: str) -> bool:
    """Whether `word` (or each part of `a-b`) can explain a suggestion: no link piece, no number."""
    return all(part not in NOT_WHY and not part.isdigit() for part in word.split("-"))
