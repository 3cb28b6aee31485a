"""The list-aware three-way merge of list texts (pure): both sides' additions kept, in order.

Lines are merged as diff3 does; where both sides added lines at the same place (two curators
adding to one section), the added entries are combined in the section's order (by date or arXiv
id when the section is sorted, else ours then theirs), a paper both added is kept once. Where
both sides changed the same base lines differently (one entry edited two ways) there is no safe
answer: the merge reports a conflict and returns no bytes, never conflict markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..listmodel import parse_list
from ..listmodel.lines import (
    decode,
    dominant_eol,
    encode,
    ending_of,
    split_bom,
    split_lines,
    strip_ending,
)
from ..styles import extract_fields, section_order, sort_key
from .linediff import Chunk, chunks3, matches
from .outline import outline

#: Most lines of a section window parsed to learn its order (bigger sections: a window around).
WINDOW_LINES = 4000


@dataclass
class MergeResult:
    """The merged bytes (None when a conflict stopped it) and one line per conflict."""

    data: bytes | None
    conflicts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether the merge succeeded with no conflict."""
        return self.data is not None and not self.conflicts


def _split(data: bytes) -> tuple[bytes, list[str], list[str] | None]:
    """(bom, lines without endings, lines with endings or None when every ending is "\\n")."""
    bom, rest = split_bom(data)
    text = decode(rest)
    has_cr = "\r" in text
    keys = (text.replace("\r\n", "\n") if has_cr else text).split("\n")
    if keys[-1] == "":
        keys.pop()
    if not has_cr and (not text or text.endswith("\n")):
        return bom, keys, None
    return bom, keys, split_lines(text)


def _keys(lines: list[str]) -> list[str]:
    return [strip_ending(line) for line in lines]


def _pure_insertion(base: list[str], side: list[str]) -> tuple[list[str], list[str]] | None:
    """If `side` is `base` with lines added only before and after it: (before, after)."""
    if not base:
        return list(side), []
    pairs = matches(base, side)
    if len(pairs) != len(base):
        return None
    first, last = pairs[0][1], pairs[-1][1]
    if last - first + 1 != len(base):
        return None
    return list(side[:first]), list(side[last + 1 :])


def _groups(lines: list[str], keys: list[str]) -> list[list[str]] | None:
    """Split added lines into groups, one entry each with its blank lines (as the side wrote them).

    None when the lines hold anything but entries and blank lines (e.g. a new heading).
    """
    doc = parse_list(encode("".join(line if ending_of(line) else line + "\n" for line in lines)))
    entries = doc.entries
    covered = {i for e in entries for i in range(e.start, e.end)}
    if not entries or any(keys[i].strip() and i not in covered for i in range(len(lines))):
        return None
    if entries[0].start > 0:  # blanks lead each entry: group = blanks before + entry
        cuts = [0] + [e.end for e in entries[:-1]] + [len(lines)]
    else:  # blanks follow each entry: group = entry + blanks after
        cuts = [e.start for e in entries] + [len(lines)]
    return [lines[lo:hi] for lo, hi in zip(cuts, cuts[1:], strict=False)]


def _sort_key(text: str) -> tuple | None:
    key = sort_key(extract_fields(text))
    return None if key is None else ("time", *key)


def _order_at(keys: list[str], lines: list[str], at: int) -> tuple[str, str | None]:
    """The order (`ascending` | `descending` | `append`) of the section holding line `at`."""
    start, stop = outline(keys).span_at(max(at - 1, 0))
    if stop - start > WINDOW_LINES:
        start, stop = max(start, at - WINDOW_LINES // 2), min(stop, at + WINDOW_LINES // 2)
    window = [line if ending_of(line) else line + "\n" for line in lines[start:stop]]
    doc = parse_list(encode("".join(window)))
    section = doc.section_of_line(min(max(at - start - 1, 0), max(len(window) - 1, 0)))
    return section_order(doc, section)


def _identities(text: str) -> set[str]:
    fields = extract_fields(text)
    return set(fields.identities) if fields.is_paper else set()


def _combine_added(
    ours: tuple[list[str], list[str]], ours_add: list[str], theirs_add: list[str], at: int
):
    """Both sides added lines at one place: ours' and theirs' entries, deduplicated and ordered."""
    a_groups = _groups(ours_add, _keys(ours_add))
    b_groups = _groups(theirs_add, _keys(theirs_add))
    if a_groups is None or b_groups is None:
        return ours_add + theirs_add  # not just entries: keep every line of both, ours first
    tagged = [("".join(_keys(g)).strip(), g) for g in a_groups]
    texts = {text for text, _g in tagged}
    seen_ids: set[str] = set()
    for text, _g in tagged:
        seen_ids |= _identities(text)
    for group in b_groups:
        text = "".join(_keys(group)).strip()
        ids = _identities(text)
        if text in texts or (ids and ids & seen_ids):
            continue  # the same paper added on both sides: keep it once
        seen_ids |= ids
        tagged.append((text, group))
    order, kind = _order_at(ours[0], ours[1], at)
    if order != "append":
        keys = [key for text, _g in tagged if (key := _sort_key(text)) is not None]
        if len(keys) == len(tagged) and all(k[0] == kind for k in keys):
            ranked = sorted(range(len(keys)), key=keys.__getitem__, reverse=order == "descending")
            tagged = [tagged[n] for n in ranked]
    return [line for _text, group in tagged for line in group]


def _describe(keys: list[str], lo: int, hi: int) -> str:
    """One line naming a conflict: the section and the first changed base line."""
    text = next((k.strip() for k in keys[lo:hi] if k.strip()), "(blank lines)")
    section = " > ".join(outline(keys).path_at(lo)) or "(top)"
    return f"{section}: {text[:100]}"


def _resolve(chunk: Chunk, base, ours, theirs, keys) -> tuple[list[str] | None, str | None]:
    """The merged lines of one unstable chunk, or a conflict description."""
    base_k, ours_k, theirs_k = keys
    o = base_k[chunk.olo : chunk.ohi]
    a = ours_k[chunk.alo : chunk.ahi]
    b = theirs_k[chunk.blo : chunk.bhi]
    a_lines, b_lines = ours[chunk.alo : chunk.ahi], theirs[chunk.blo : chunk.bhi]
    if a == o:
        return b_lines, None
    if b == o or a == b:
        return a_lines, None
    if not o:
        return _combine_added((ours_k, ours), a_lines, b_lines, chunk.alo), None
    # One side only added lines around base lines the other side changed: keep both.
    for side_k, side_lines, other in ((b, b_lines, a_lines), (a, a_lines, b_lines)):
        around = _pure_insertion(o, side_k)
        if around is not None:
            before, after = around
            n = len(before)
            return side_lines[:n] + other + side_lines[len(side_lines) - len(after) :], None
    return None, _describe(base_k, chunk.olo, chunk.ohi)


def merge_lists(base: bytes, ours: bytes, theirs: bytes) -> MergeResult:
    """Merge two descendants of `base`; conflicts (one entry changed two ways) give no bytes."""
    if ours == theirs or theirs == base:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    _bom_o, base_k, base_l = _split(base)
    bom_a, ours_k, ours_l = _split(ours)
    bom_b, theirs_k, theirs_l = _split(theirs)
    plain = base_l is None and ours_l is None and theirs_l is None
    if plain:  # every line ends with "\n": work on the keys, join with "\n" at the end
        base_l, ours_l, theirs_l = base_k, ours_k, theirs_k
    else:
        base_l = base_l if base_l is not None else [k + "\n" for k in base_k]
        ours_l = ours_l if ours_l is not None else [k + "\n" for k in ours_k]
        theirs_l = theirs_l if theirs_l is not None else [k + "\n" for k in theirs_k]
    keys = (base_k, ours_k, theirs_k)
    out: list[str] = []
    conflicts: list[str] = []
    for chunk in chunks3(*keys):
        if chunk.stable:
            out.extend(_stable_lines(chunk, base_l, ours_l, theirs_l))
            continue
        merged, conflict = _resolve(chunk, base_l, ours_l, theirs_l, keys)
        if conflict is not None:
            conflicts.append(conflict)
        elif merged:
            out.extend(merged)
    if conflicts:
        return MergeResult(None, conflicts)
    if plain:
        text = "\n".join(out) + "\n" if out else ""
        return MergeResult((bom_a or bom_b) + encode(text))
    return MergeResult((bom_a or bom_b) + encode("".join(_endings(out, ours_l))))


def _stable_lines(chunk: Chunk, base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """Lines all sides agree on (up to endings): ours', unless only theirs changed an ending."""
    a = ours[chunk.alo : chunk.ahi]
    o = base[chunk.olo : chunk.ohi]
    if a != o:
        return a
    return theirs[chunk.blo : chunk.bhi]


def _endings(lines: list[str], ours: list[str]) -> list[str]:
    """Every line but the last ends with a newline (a side may have appended after a bare end)."""
    eol = dominant_eol(ours)
    fixed = [line if ending_of(line) else line + eol for line in lines[:-1]]
    return fixed + lines[-1:]
