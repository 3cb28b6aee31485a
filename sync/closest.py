"""Closest-name suggestions for unknown lists and sections."""

from __future__ import annotations


def closest_names(wanted: str, known: list[str], limit: int = 3) -> list[str]:
    """The known names most like `wanted`, best first (case-insensitive, partial words count)."""
    if not known:
        return []
    # Imported here: only a name that is not found needs it, and a cold `papershelf add` should
    # not pay for it.
    from rapidfuzz import fuzz, process

    matches = process.extract(
        wanted.lower(),
        {name: name.lower() for name in known},
        scorer=fuzz.WRatio,
        limit=limit,
        score_cutoff=50,
    )
    return [key for _choice, _score, key in matches]
