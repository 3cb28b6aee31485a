"""An entry template learned from a list's own entries: their shapes, weighted, and their formats.

The template keeps every example's shape with a weight (the section's own entries and recent
ones weigh more). Writing a paper picks the heaviest shape that shows the fields the paper has,
and takes each literal (separators, brackets, labels) by weighted majority among those examples.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from .formats import Formats, learn_formats, stable_majority, weighted_majority
from .shape import Piece, Shape, Zone
from .words import code_repo, label_kind
from .wrap import learn_wrap

#: The section's own entries count this much more than the rest of the list's.
SECTION_WEIGHT = 3.0


@dataclass(frozen=True)
class Example:
    """One entry of the list as an example: its shape and how much it counts."""

    shape: Shape
    weight: float
    own: bool  # in the section being written to


@dataclass(frozen=True)
class EntryTemplate:
    """How a list (or one of its sections) writes an entry, learned from its examples."""

    examples: tuple[Example, ...]
    formats: Formats = field(default_factory=Formats)
    gap: int = 0  # blank lines between two entries
    lead_gap: int = 1  # blank lines between a heading and its first entry
    tail_gap: int = 1  # blank lines between a section's last entry and what follows
    note: tuple[str, str] | None = None  # (indent, wrap) of the list's note bullets
    note_inside: bool = False  # notes go among the entry's lines (before its last), not after

    # Cached: a template lives as long as its file state and writes every paper added meanwhile.
    # (cached_property stores in the instance dict, which a frozen dataclass still allows.)
    @cached_property
    def container(self) -> str:
        """item, row or paragraph: what most examples are."""
        return weighted_majority(((e.shape.container, e.weight) for e in self.examples), "item")

    @cached_property
    def family(self) -> str:
        """A short name for the shape most examples have, as `papershelf parse` shows it."""
        return weighted_majority(((e.shape.family, e.weight) for e in self.examples), "link item")

    @cached_property
    def shown(self) -> frozenset[str]:
        """The Paper fields the list writes when a paper has them.

        A field one odd entry shows is not a habit: it needs two examples or a twentieth of them. Fields derived from another (the arXiv id written out beside an arXiv link, a
        repository's owner) need most of the entries that could show them to show them.
        """
        weight: dict[str, float] = {}
        count: dict[str, int] = {}
        for e in self.examples:
            for name in e.shape.fields:
                weight[name] = weight.get(name, 0.0) + e.weight
                count[name] = count.get(name, 0) + 1
        # By count, not weight: an old entry shows what the list does as much as a new one.
        out = {n for n in weight if count[n] >= 2 or count[n] * 20 >= len(self.examples)}
        for derived, base in (("arxiv", "url"), ("repo", "code")):
            could = sum(e.weight for e in self.examples if _could_show(e.shape, derived, base))
            if derived in out and weight.get(derived, 0.0) < could / 2:
                out.discard(derived)
        return frozenset(out)

    @cached_property
    def plans(self) -> dict[Any, Any]:
        """What writing a paper with given fields decided (shape, pieces, literals), by those
        fields: the choice depends on the template and the fields alone, not on their values."""
        return {}

    def rows(self) -> list[Example]:
        """The examples that are table rows."""
        return [e for e in self.examples if e.shape.container == "row"]


def _could_show(shape: Shape, derived: str, base: str) -> bool:
    """Whether an example's paper has the derived field (an arXiv link, a repository link)."""
    if derived in shape.fields:
        return True
    if derived == "arxiv":
        return any(name == "url" and fmt for name, _raw, fmt in shape.values)
    return any(name == "code" and code_repo(raw) for name, raw, _fmt in shape.values)


def learn_template(examples: list[Example]) -> EntryTemplate:
    """A template from weighted example shapes (none: an empty template; a list with no paper
    entries gets `style.default_template()`)."""
    if not examples:
        return EntryTemplate(())
    values = []
    titles: dict[tuple, list] = {}
    for e in examples:
        for name, raw, fmt in e.shape.values:
            values.append((name, raw, fmt, e.weight))
        key = title_key(e.shape)
        if e.shape.title_wrap is not None and key is not None:
            titles.setdefault(key, []).append((e.shape.title_wrap, e.weight))
    # Titles wrap by the shape they are written in: bold titles may wrap where links never do.
    wraps = {key: w for key, seen in titles.items() if (w := learn_wrap(seen)) is not None}
    unnamed = sum(
        e.weight
        for e in examples
        if "venue" not in e.shape.fields and "arxiv" in _arxiv_fields(e.shape)
    )
    formats = learn_formats(values, wraps, unnamed)
    eols: dict[bool, list] = {}
    for e in examples:
        if e.shape.head_eol is not None and e.shape.title_wrap is not None:
            eols.setdefault("\n" in e.shape.title_wrap[1], []).append((e.shape.head_eol, e.weight))
    formats = replace(
        formats, head_eol={k: weighted_majority(v) for k, v in eols.items() if len(v) >= 2}
    )
    return EntryTemplate(tuple(examples), formats)


def _arxiv_fields(shape: Shape) -> frozenset[str]:
    """`{"arxiv"}` when the example's paper is on arXiv (its link or id says so)."""
    if "arxiv" in shape.fields or any(n == "url" and f for n, _r, f in shape.values):
        return frozenset({"arxiv"})
    return frozenset()


def title_key(shape: Shape) -> tuple | None:
    """The key of the piece that holds the title."""
    for zone in shape.zones:
        for piece in zone.pieces:
            if "title" in piece.fields:
                return piece.key
    return None


def structure(zone: Zone) -> tuple:
    """A zone's pieces by key, a run of link pieces counted once: what a shape group shares."""
    keys: list[Any] = []
    for piece in zone.pieces:
        key = piece.key
        if "link" in piece.fields and keys and keys[-1] == ("links", key):
            continue
        keys.append(("links", key) if "link" in piece.fields else key)
    return tuple(keys)


def zone_fields(zone: Zone) -> frozenset[str]:
    """The fields a zone needs: all its pieces' fields."""
    return zone.fields


#: What a piece showing a field the paper lacks costs, against what showing a field it has
#: gains: dropping a piece is clean, so a shape is not refused for one optional field.
DROP_COST = 0.5


def choose(
    options: list[tuple[Zone, float]], have: frozenset[str], shown: frozenset[str]
) -> Zone | None:
    """The zone to write from: the shape group that shows most of what the paper has, each field
    counted by how often the list shows it, less what it would have to drop; then the heaviest."""
    groups: dict[tuple, list[tuple[Zone, float]]] = {}
    count: dict[str, int] = {}
    for zone, weight in options:
        groups.setdefault(structure(zone), []).append((zone, weight))
        for f in zone.fields:
            count[f] = count.get(f, 0) + 1
    total = len(options) or 1
    best = None
    best_score: tuple = ()
    for members in groups.values():
        pieces = members[0][0].pieces
        kept = frozenset(f for p in pieces if p.fields <= have for f in p.fields)
        dropped = frozenset(f for p in pieces if not p.fields <= have for f in p.fields) - kept
        # Only habits count: a field one odd entry shows neither draws a paper nor repels it.
        gain = sum(count[f] for f in kept & shown) / total
        loss = sum(count[f] for f in dropped & shown) / total
        odd = len((kept | dropped) - shown)
        score = (round(gain - DROP_COST * loss, 9), -odd, sum(w for _, w in members))
        if best is None or score > best_score:
            best, best_score = members, score
    if best is None:
        return None
    return _trusted(best, options)


def _trusted(members: list[tuple[Zone, float]], options: list[tuple[Zone, float]]) -> Zone:
    """The heaviest member, each piece whose literals are its entry's alone (a link labelled
    with that entry's own words, `(ResNet, CVPR best paper)` around a venue) swapped for the
    heaviest piece showing the same fields that other examples share: one entry's words are
    not a habit."""
    top = max(members, key=lambda m: m[1])[0]
    seen = Counter(p.key for z, _ in options for p in z.pieces)
    shared: dict[frozenset[str], tuple[float, Piece]] = {}
    for zone, weight in options:
        for piece in zone.pieces:
            if seen[piece.key] >= 2 and weight > shared.get(piece.fields, (-1.0, piece))[0]:
                shared[piece.fields] = (weight, piece)
    pieces = tuple(
        q
        for q in (
            p
            if seen[p.key] >= 2
            else shared[p.fields][1]
            if p.fields in shared
            else _common(p, options)
            for p in top.pieces
        )
        if q is not None
    )
    if pieces and isinstance(pieces[-1].parts[-1], str) and _RATING_RE.search(pieces[-1].parts[-1]):
        last = pieces[-1]
        ends = [
            q.parts[-1]
            for z, _ in options
            for q in z.pieces[-1:]
            if q.fields == last.fields and isinstance(q.parts[-1], str)
        ]
        end = _without_rating(last.parts[-1], ends)
        pieces = (*pieces[:-1], replace(last, parts=(*last.parts[:-1], end)))
    return top if pieces == top.pieces else replace(top, pieces=pieces)


def _common(piece: Piece, options: list[tuple[Zone, float]]) -> Piece | None:
    """A piece no other example shares, with only the literal text all pieces of its form have
    (`**[Name](url)**: ` of `**[Name](url)**: <this paper's subtitle>`): never another entry's words."""
    refs = [part for part in piece.parts if not isinstance(part, str)]
    alike = [
        q
        for zone, _ in options
        for q in zone.pieces
        if q.fields == piece.fields and [x for x in q.parts if not isinstance(x, str)] == refs
    ]
    if len(alike) < 2:
        # One entry's piece: its own words around the field (`[{authors}. Secur. 2022]`, a venue
        # misread as names) are not written for another paper; bare brackets are.
        return None if _own_words(piece) and len(refs) == 1 else piece
    parts: list = []
    for k, part in enumerate(piece.parts):
        if not isinstance(part, str):
            parts.append(part)
            continue
        texts = [q.parts[k] for q in alike if k < len(q.parts) and isinstance(q.parts[k], str)]
        # Compared without case (`ArXiV` and `Arxiv` are one word), written as this piece has it.
        folded = [t.casefold() for t in texts]
        if len(texts) < len(alike) or len(set(folded)) == 1:
            parts.append(part)
            continue
        head = len(_whole_words(os.path.commonprefix(folded), folded))
        rests = [t[head:][::-1] for t in folded]
        tail = len(_whole_words(os.path.commonprefix(rests), rests))
        parts.append(part[:head] + (part[len(part) - tail :] if tail else ""))
    return replace(piece, parts=tuple(parts))


def _own_words(piece: Piece) -> bool:
    """Whether a piece's literals hold words other than a link's kind (`[code]`, `pdf`)."""
    words = re.findall(r"[^\W_]+", " ".join(x for x in piece.parts if isinstance(x, str)))
    return any(label_kind(w) is None for w in words)


def _whole_words(common: str, texts: list[str]) -> str:
    """`common`, a prefix of every text, cut back to end between words in all of them (`(Ar` of
    `(ArXiV ` and `(Arxiv ` is `(`)."""
    n = len(common)
    while n and any(len(t) > n and t[n - 1].isalnum() and t[n].isalnum() for t in texts):
        n -= 1
    return common[:n]


def literals(options: list[tuple[Zone, float]], pieces: list[Piece]) -> tuple[str, list[str], str]:
    """The text before, between and after `pieces`, each learned where the examples have it: a
    separator from the examples where the same two pieces meet, else where either does."""
    if not pieces:
        return stable_majority((z.lead + z.trail, w) for z, w in options), [], ""
    keys = [p.key for p in pieces]
    filled = [(z, w) for z, w in options if z.pieces]
    same = [(z, w) for z, w in filled if [p.key for p in z.pieces] == keys]
    if len(same) >= 2:
        # Examples of exactly this shape say it best (a `<br>` that only follows a badge).
        filled = same
    # Where fewer than two examples share the exact context, the wider one decides too: a
    # single example's text between two pieces may be its own (a note line, a count).
    leads = [(z.lead, w) for z, w in filled if z.pieces[0].key == keys[0]]
    lead = stable_majority(leads if len(leads) >= 2 else leads + [(z.lead, w) for z, w in filled])
    trails = [(z.trail, w) for z, w in filled if z.pieces[-1].key == keys[-1]]
    trail = stable_majority(
        trails if len(trails) >= 2 else trails + [(z.trail, w) for z, w in filled]
    )
    trail = _without_rating(trail, [z.trail for z, _ in options])
    seps = []
    for a, b in zip(keys, keys[1:], strict=False):
        both, near, every = [], [], []
        for z, w in filled:
            for k in range(len(z.seps)):
                x, y = z.pieces[k].key, z.pieces[k + 1].key
                every.append((z.seps[k], w))
                if x == a and y == b:
                    both.append((z.seps[k], w))
                elif x == a or y == b:
                    near.append((z.seps[k], w))
        # One example's separator is trusted when it is bare punctuation; words need company.
        bare = both and not any(ch.isalnum() for v, _ in both for ch in v)
        pool = both if len(both) >= 2 or bare else both + near
        seps.append(stable_majority(pool or every, " ", between=True))
    return lead, seps, trail


#: A curator's rating closing an entry: `⭐⭐`, `:star::star::star:`, `★★★`.
_RATING_RE = re.compile(r"(?:\s*(?:⭐|★|🌟|:star:))+\s*$")


def _without_rating(trail: str, trails: list[str]) -> str:
    """The trail without its rating when the entries rate papers differently: a rating is the
    curator's judgement of that paper, never carried to another."""
    m = _RATING_RE.search(trail)
    if m is None:
        return trail
    ratings = {r.group(0).strip() for t in trails if (r := _RATING_RE.search(t))}
    return trail[: m.start()] if len(ratings) >= 2 else trail


def pieces_for(
    options: list[tuple[Zone, float]], field_name: str
) -> tuple[Piece, str, Piece | None, Zone] | None:
    """The heaviest example's piece that shows `field_name`, the separator before it and the
    piece it follows (None when it comes first). A piece whose literals other examples share
    goes first: one entry's own words around a field (`(ResNet, CVPR best paper)`) are its own."""
    found = [
        (zone, weight, k, piece)
        for zone, weight in options
        for k, piece in enumerate(zone.pieces)
        if field_name in piece.fields
    ]
    if not found:
        return None
    seen = Counter(piece.key for _z, _w, _k, piece in found)
    shared = [f for f in found if seen[f[3].key] >= 2]
    # Else only a piece whose literals are bare punctuation: one entry's words around a field
    # (`[Big Data Cogn. Comput. 2023]` read as authors) are that entry's.
    bare = [f for f in found if not _own_words(f[3])]
    if not (shared or bare):
        return None
    zone, _weight, k, piece = max(shared or bare, key=lambda f: f[1])
    before = zone.pieces[k - 1] if k else None
    sep = zone.seps[k - 1] if k else (zone.seps[0] if zone.seps else " ")
    return piece, sep, before, zone
