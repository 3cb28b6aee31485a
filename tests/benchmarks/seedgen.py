"""Big lists built from the real seed lists (../shared/seeds): their entries, distinct titles.

Each list repeats one seed's sections: every 20 copies share one set of the seed's headings
(each heading gains the group's number), each copy's entries keep the seed's bytes except that
every entry's title opens with "Part <list>.<k>: " and every arXiv id is renumbered (the same id
twice in an entry stays one id), so no two entries of the workspace share a title or an id. Real shapes (links
and dates, bold arXiv lines, notes, tags, tables of contents) and real words, at any size.
`from seedgen import seed_workspace` from tests/benchmarks; skip when the seeds are absent.
"""

from __future__ import annotations

import re
from pathlib import Path

from papershelf.sync.listmodel import parse_list
from papershelf.sync.styles import paper_entries

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
#: The seeds with enough papers to repeat (000 is 001's older version; 002 and 004 are small).
LIST_SEEDS = ("001", "003", "000")
#: Copies of a seed that share one set of its headings.
COPIES_PER_GROUP = 20
_HEADING_RE = re.compile(rb"^(#{1,6}[ \t]+[^\r\n]*?)([ \t]*#*[ \t]*)(\r?\n)", re.MULTILINE)
_ARXIV_RE = re.compile(rb"(?<![\d.])\d{4}\.\d{4,5}(?!\d)")  # also in `2401.13160v1`
_TITLE_START_RE = re.compile(rb"^([ \t]*[-*+] (?:\*\*|\[(?!!)))", re.MULTILINE)


def seeds_present() -> bool:
    """Whether ../shared/seeds is there to build from."""
    return all(list(SEEDS.glob(f"{name}_*.txt")) for name in LIST_SEEDS)


def _seed(name: str) -> bytes:
    return next(SEEDS.glob(f"{name}_*.txt")).read_bytes()


def _entries_copy(text: bytes, list_no: int, k: int) -> bytes:
    """Copy k of a seed's entries in list `list_no`: titles and arXiv ids made its own."""
    text = _TITLE_START_RE.sub(lambda m: m.group(1) + b"Part %d.%d: " % (list_no, k), text)
    ids: dict[bytes, bytes] = {}

    def renumber(match: re.Match[bytes]) -> bytes:
        n = ids.setdefault(match.group(0), b"%d" % len(ids))
        serial = (list_no * 1000 + k) % 100_000
        month = 1 + (serial // 100) % 12
        # Five-digit numbers are arXiv ids from 2015 on.
        return b"%02d%02d.%05d" % (15 + serial // 1200, month, (serial % 100) * 1000 + int(n))

    return _ARXIV_RE.sub(renumber, text)


def _sections(seed: bytes) -> list[tuple[bytes, bytes]]:
    """(heading line, body) of a seed, the text before its first heading with an empty heading."""
    out, last, heading = [], 0, b""
    for match in _HEADING_RE.finditer(seed):
        out.append((heading, seed[last : match.start()]))
        heading, last = match.group(0), match.end()
    out.append((heading, seed[last:]))
    return out


def seed_list(name: str, n_entries: int, list_no: int = 0) -> bytes:
    """A list of about `n_entries` papers made of copies of seed `name`: every `COPIES_PER_GROUP`
    copies share one set of the seed's headings (marked with the group's number), so a section
    holds as many entries as a big real list's does."""
    seed = _seed(name)
    per_copy = max(1, len(paper_entries(parse_list(seed))))
    copies = -(-n_entries // per_copy)
    parts = []
    for group, first in enumerate(range(0, copies, COPIES_PER_GROUP)):
        for heading, body in _sections(seed):
            if not heading:  # the text above the first heading (intro, contents): once
                parts.append(body if group == 0 else b"")
                continue
            if heading:
                match = _HEADING_RE.match(heading)
                assert match is not None
                parts.append(match.group(1) + b" %d" % group + match.group(2) + match.group(3))
            last = min(copies, first + COPIES_PER_GROUP)
            parts.extend(_entries_copy(body, list_no, k) for k in range(first, last))
    return b"".join(parts)


def seed_workspace(root: Path, n_entries: int, n_lists: int = 4) -> Path:
    """A workspace of `n_lists` lists, `n_entries` papers in all, each list from one seed."""
    (root / ".papershelf").mkdir(parents=True, exist_ok=True)
    (root / ".papershelf" / "config.toml").write_text(
        '[lists]\ninclude = ["*.md"]\n', encoding="utf-8"
    )
    for i in range(n_lists):
        name = LIST_SEEDS[i % len(LIST_SEEDS)]
        (root / f"list{i}.md").write_bytes(seed_list(name, n_entries // n_lists, i))
    return root
