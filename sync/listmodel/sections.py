"""Section addressing: "A > B" heading paths, a unique last part, case-insensitive fallback."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..closest import closest_names
from ..errors import BadInput, NotFound

if TYPE_CHECKING:
    from .parts import Section

_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Case- and whitespace-insensitive form of a title or address."""
    return _SPACES.sub(" ", text).strip().casefold()


def _parts(address: str) -> tuple[str, ...]:
    """An address split into its heading titles."""
    return tuple(part.strip() for part in address.split(">"))


def resolve_section(sections: Sequence[Section], address: str) -> Section:
    """Find the one section `address` names; NotFound (with closest) or BadInput (ambiguous)."""
    wanted = address.strip()
    if not wanted:
        return sections[0]  # the root: text before the first heading
    headed = sections[1:]
    parts = _parts(wanted)
    folded_parts = tuple(_fold(p) for p in parts)
    folded = _fold(wanted)
    k = len(parts)
    # Most exact first: the full path as written, a path suffix, then both case-insensitively.
    rules: list[Callable[[Section], bool]] = [
        lambda s: s.address == wanted,
        lambda s: s.path[-k:] == parts,
        lambda s: _fold(s.address) == folded,
        lambda s: tuple(_fold(t) for t in s.path[-k:]) == folded_parts,
    ]
    for rule in rules:
        found = [s for s in headed if rule(s)]  # a shorter path never equals a k-part suffix
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(repr(s.address) for s in found)
            raise BadInput(
                f"section {wanted!r} is ambiguous: it could be {names}; give the full path",
                fields={"section": wanted, "candidates": [s.address for s in found]},
            )
    # NotFound itself appends "Closest: ..." to the message.
    closest = _closest(headed, wanted)
    raise NotFound(
        f"no section {wanted!r} in this list", closest=closest, fields={"section": wanted}
    )


def _closest(headed: Sequence[Section], wanted: str) -> list[str]:
    """Addresses near `wanted`: its last k parts against each path's last k titles, then whole."""
    k = len(_parts(wanted))
    by_suffix: dict[str, str] = {}
    for s in headed:
        by_suffix.setdefault(" > ".join(s.path[-k:]), s.address)
    found = [by_suffix[x] for x in closest_names(wanted, list(by_suffix))]
    found += closest_names(wanted, [s.address for s in headed])
    return list(dict.fromkeys(found))[:3]
