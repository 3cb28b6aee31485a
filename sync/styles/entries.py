"""Entries of a parsed list with their fields, cached on the document; fields back to a Paper."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .cache import doc_cache
from .fields import EntryFields, extract_fields
from .shape import shape_of
from .table import header_of


def paper_entries(doc: Any) -> list[tuple[Any, EntryFields]]:
    """Every entry of `doc` whose fields make a paper, with those fields (cached per document)."""
    cache = doc_cache(doc)
    if "papers" not in cache:
        out = []
        for entry in doc.entries:
            fields = entry_fields(doc, entry)
            if fields.is_paper:
                out.append((entry, fields))
        cache["papers"] = out
    return list(cache["papers"])


def entry_fields(doc: Any, entry: Any) -> EntryFields:
    """The fields of one entry of `doc`, parsed once per document."""
    cache = doc_cache(doc).setdefault("fields", {})
    key = (entry.start, entry.end)
    if key not in cache:
        header = None
        if getattr(entry, "kind", "") == "row":
            header = header_of(doc, entry)
        cache[key] = cached_extract(doc.entry_text(entry), tuple(header) if header else None)
    return cache[key]


# Larger than the biggest workspace we measure (50,000 entries): an LRU cache scanned in order by
# more keys than it holds keeps nothing, and a re-read list would re-parse every entry.
@lru_cache(maxsize=1 << 18)
def cached_extract(text: str, header: tuple[str, ...] | None) -> EntryFields:
    """extract_fields memoised by text: a re-read list parses only the entries that changed."""
    return extract_fields(text, table_header=list(header) if header is not None else None)


def fields_to_paper(fields: EntryFields) -> Any:
    """A Paper holding what the entry shows (its `...` authors included)."""
    from ..paper import Link, Paper

    extra = {"literals": own} if (own := own_literals(fields)) else {}
    return Paper(
        url=fields.url,
        arxiv_id=fields.arxiv_id,
        title=fields.title,
        authors=fields.authors,
        published=fields.date,
        venue=fields.venue,
        code_url=fields.code_url,
        links=tuple(Link(label, url) for label, url in fields.links),
        tags=fields.tags,
        note=fields.note,
        extra=extra,
    )


def own_literals(fields: EntryFields) -> dict[str, str]:
    """The entry's own words between its pieces (a citation count, a star before the title),
    by where they sit, so that writing the same entry again can give them back."""
    shape = shape_for(fields)
    if shape is None or len(shape.zones) != 1 or not shape.zones[0].pieces:
        return {}
    zone = shape.zones[0]
    keys = [p.key for p in zone.pieces]
    regions: dict[tuple[str, ...], Any] = {
        ("lead", keys[0]): zone.lead,
        ("trail", keys[-1]): zone.trail,
    }
    for k, sep in enumerate(zone.seps):
        regions[("sep", keys[k], keys[k + 1])] = sep
    # Whole lines of words between pieces are the entry's note, which the Paper carries itself.
    return {
        repr(key): text
        for key, text in regions.items()
        if any(ch.isalnum() for ch in text)
        and not any(ch.isalnum() for line in text.split("\n")[1:-1] for ch in line)
    }


def find_paper(doc: Any, identity: str) -> tuple[Any, EntryFields] | None:
    """The first paper entry of `doc` with this identity key; only entries naming it are parsed.

    A substring test of one lowercase token over the raw lines skips nearly every line of a big
    list, and only the entries holding a matching line are built and read.
    """
    token = _token(identity)
    if token is None:
        candidates = iter(doc.entries)
    else:
        hits = (doc.entry_at(i) for i, line in enumerate(doc.lines) if token in line.lower())
        candidates = (entry for entry in hits if entry is not None)
    seen: set[int] = set()
    for entry in candidates:
        if entry.start in seen:
            continue
        seen.add(entry.start)
        fields = entry_fields(doc, entry)
        if fields.is_paper and identity in fields.identities:
            return entry, fields
    return None


def _token(identity: str) -> str | None:
    """A lowercase piece of text every written form of this identity contains."""
    kind, _, value = identity.partition(":")
    value = value.lower()
    if kind == "url":
        value = value.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    elif kind in ("doi", "arxiv"):
        # The part after the last "/": `math.GT/0309136` is written for `math/0309136` too.
        value = value.rsplit("/", 1)[-1]
    return value or None


def shape_for(fields: EntryFields) -> Any:
    """The shape of an entry, cut once: fields are shared by every document with that text."""
    layout = fields.layout
    if "shape" not in layout:
        found = layout.get("found")
        layout["shape"] = shape_of(found) if found is not None else None
    return layout["shape"]
