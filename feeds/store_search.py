"""The review page's filters and search over the candidate store, in SQL over every candidate
of a status (not only the best few hundred read into Python)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from papershelf.sync.paper import Paper

#: What the search looks in (SQL over the stored JSON): the title (or URL), every author, the
#: abstract, the why-words of the best suggestion and the feed categories.
SEARCHED_TEXT = (
    "coalesce(json_extract(paper, '$.title'), json_extract(paper, '$.url'), '') || ' ' || "
    "coalesce((SELECT group_concat(value, ', ') FROM json_each(paper, '$.authors')), '') || ' ' || "
    "coalesce(json_extract(paper, '$.abstract'), '') || ' ' || "
    "coalesce((SELECT group_concat(value, ' ') FROM json_each(suggestions, '$[0].why')), '') "
    "|| ' ' || "
    "coalesce((SELECT group_concat(value, ' ') FROM json_each(extra, '$.categories')), '')"
)


#: The columns a sketch is built from (`sketch`), with no JSON decoded in Python.
SKETCH_COLUMNS = (
    "id, identity, status, json_extract(paper, '$.url') AS url, "
    "json_extract(paper, '$.arxiv_id') AS arxiv_id, "
    "json_extract(paper, '$.title') AS title"
)


@dataclass(frozen=True)
class CandidateSketch:
    """A candidate's id, identity and status, with a Paper of its url, arXiv id and title only."""

    id: int
    identity: str
    status: str
    paper: Paper


def sketch(row: sqlite3.Row) -> CandidateSketch:
    """The sketch of a row selected with `SKETCH_COLUMNS`."""
    return CandidateSketch(
        row["id"], row["identity"], row["status"], Paper(row["url"], row["arxiv_id"], row["title"])
    )


def _casefold(text: object) -> str:
    """SQLite's `casefold(x)` for the search (its own lower() folds ASCII letters only)."""
    return str(text).casefold() if text is not None else ""


def search_rows(
    db: sqlite3.Connection,
    where: str,
    args: tuple[Any, ...],
    status: str,
    list_path: str = "",
    *,
    source: str = "",
    since: float | None = None,
    words: Sequence[str] = (),
) -> list[sqlite3.Row]:
    """Rows (`SKETCH_COLUMNS`: id, identity, status, url, arxiv_id, title) of the candidates in scope (`where`)
    with `status` that pass every filter given, best score first: the suggested list, one of
    their sources, first seen at or after `since`, each of `words` (casefolded) in the text."""
    clauses, params = [where, "status = ?"], [*args, status]
    if list_path:
        clauses.append("suggested_list = ?")
        params.append(list_path)
    if source:
        clauses.append("EXISTS (SELECT 1 FROM json_each(sources) WHERE value = ?)")
        params.append(source)
    if since is not None:
        clauses.append("(NOT first_seen OR first_seen >= ?)")
        params.append(since)
    for word in words:
        clauses.append(f"instr(casefold({SEARCHED_TEXT}), ?) > 0")
        params.append(word.casefold())
    db.create_function("casefold", 1, _casefold, deterministic=True)
    return db.execute(
        f"SELECT {SKETCH_COLUMNS} FROM candidates "
        f"WHERE {' AND '.join(clauses)} ORDER BY score DESC, first_seen DESC, id",
        params,
    ).fetchall()


def facet_values(
    db: sqlite3.Connection, where: str, args: tuple[Any, ...], status: str
) -> tuple[list[str], list[str]]:
    """The suggested lists and the sources of the candidates in scope with `status`, sorted."""
    lists = db.execute(
        f"SELECT DISTINCT suggested_list AS v FROM candidates WHERE {where} "
        "AND status = ? AND suggested_list IS NOT NULL AND suggested_list != ''",
        (*args, status),
    ).fetchall()
    sources = db.execute(
        "SELECT DISTINCT j.value AS v FROM candidates, json_each(candidates.sources) AS j "
        f"WHERE {where} AND status = ?",
        (*args, status),
    ).fetchall()
    return sorted(r[0] for r in lists), sorted(str(r[0]) for r in sources)
