"""A shape's pieces for one paper: the pieces it can fill, those the list writes in their place,
and the entry's text from them (pure)."""

from __future__ import annotations

from typing import Any

from .formats import weighted_majority
from .shape import Piece, Ref, Zone
from .template import EntryTemplate, pieces_for
from .values import fill


def compose(
    zone: Zone, options: list[tuple[Zone, float]], have: frozenset[str], shown: frozenset[str]
) -> list[Piece]:
    """The chosen zone's pieces with those the paper cannot fill dropped, and pieces for fields
    it has (and the list shows elsewhere) added where the list puts them."""
    pieces = []
    for k, piece in enumerate(zone.pieces):
        if piece.fields <= have:
            pieces.append(piece)
            continue
        # A piece the paper cannot fill: what the list writes in its place instead, if anything
        # (`arXiv, id` where one entry has `ICML, 2024`).
        before = zone.pieces[k - 1].key if k else None
        after = zone.pieces[k + 1].key if k + 1 < len(zone.pieces) else None
        instead = _alternative(options, before, after, have, {p.key for p in zone.pieces})
        if instead is not None:
            pieces.append(instead)
    present = frozenset(f for p in pieces for f in p.fields)
    if not present & {"url", "arxiv"}:
        # Nothing would link the paper (a bold-title list built on arXiv ids, and a paper
        # without one): its title becomes the link.
        pieces = [_linked_title(p) if "title" in p.fields else p for p in pieces]
        present |= {"url"}
    for name in sorted((have & shown) - present - {"repo"}):
        found = pieces_for(options, name)
        if found is None:
            continue
        piece, _sep, prior, _zone = found
        if not piece.fields <= have or piece.fields & present:
            continue  # a piece showing a field already shown would write it twice
        at = next(
            (i + 1 for i, p in enumerate(pieces) if prior is not None and p.key == prior.key),
            None,
        )
        if at is None:
            at = len(pieces) if prior is not None else 0
        pieces.insert(at, piece)
        present |= piece.fields
    return pieces


def _alternative(
    options: list[tuple[Zone, float]], before: Any, after: Any, have: frozenset[str], taken: set
) -> Piece | None:
    """The heaviest piece the examples put between the same two pieces, if the paper fills it."""
    weight: dict[Any, float] = {}
    found: dict[Any, Piece] = {}
    for zone, w in options:
        keys = [p.key for p in zone.pieces]
        for k, piece in enumerate(zone.pieces):
            prev = keys[k - 1] if k else None
            nxt = keys[k + 1] if k + 1 < len(keys) else None
            if prev == before and nxt == after and piece.fields <= have and piece.key not in taken:
                weight[piece.key] = weight.get(piece.key, 0.0) + w
                found[piece.key] = piece
    if not weight:
        return None
    return found[max(weight, key=lambda key: weight[key])]


def _linked_title(piece: Piece) -> Piece:
    parts: list[Any] = []
    for part in piece.parts:
        if isinstance(part, Ref) and part.name == "title":
            parts += ["[", part, "](", Ref("url"), ")"]
        else:
            parts.append(part)
    return Piece(tuple(parts), piece.fields | {"url"})


def link_joiner(options: list[tuple[Zone, float]]) -> str:
    """What the list writes between two links of one entry."""
    seen = []
    for zone, weight in options:
        for k in range(len(zone.pieces) - 1):
            if "link" in zone.pieces[k].fields and "link" in zone.pieces[k + 1].fields:
                seen.append((zone.seps[k], weight))
    return weighted_majority(seen, " ")


def join_pieces(
    paper: Any,
    template: EntryTemplate,
    pieces: list[Piece],
    seps: list[str],
    lead: str,
    trail: str,
    head: str,
    container: str,
    link_joiner: str = " ",
) -> str:
    """The zone's text: pieces filled with the paper's values, a run of link pieces once per link."""
    out = [lead]
    k = 0
    while k < len(pieces):
        piece = pieces[k]
        if k:
            out.append(seps[k - 1])
        if "link" in piece.fields:
            j = k
            while j + 1 < len(pieces) and "link" in pieces[j + 1].fields:
                j += 1
            between = seps[k] if j > k else link_joiner
            written = []
            for link in paper.links:
                written.append(fill(paper, template, piece, out, head, container, link=link))
            out.append(between.join(written))
            k = j + 1
            continue
        out.append(fill(paper, template, piece, out, head, container))
        k += 1
    out.append(trail)
    return "".join(out)
