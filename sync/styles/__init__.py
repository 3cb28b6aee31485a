"""Entries' fields and styles: read what an entry says, learn how a list writes, write like it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .entries import entry_fields, fields_to_paper, find_paper, paper_entries
from .fields import EntryFields, extract_fields
from .order import Placement, learn_placement, placement_for, sort_key
from .place import Insertion, insertion_at, plan_insertion, section_order
from .render import render_entry, write_entry
from .style import carry_list_habits, infer_style
from .template import EntryTemplate

if TYPE_CHECKING:
    from .fidelity import EntryResult, FidelityReport, measure_fidelity


def __getattr__(name: str) -> object:
    """The fidelity measure, imported on first use (an add never needs it)."""
    if name in ("EntryResult", "FidelityReport", "measure_fidelity"):
        from . import fidelity

        return getattr(fidelity, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EntryFields",
    "EntryResult",
    "EntryTemplate",
    "FidelityReport",
    "Insertion",
    "Placement",
    "carry_list_habits",
    "entry_fields",
    "extract_fields",
    "fields_to_paper",
    "find_paper",
    "infer_style",
    "insertion_at",
    "learn_placement",
    "measure_fidelity",
    "paper_entries",
    "placement_for",
    "plan_insertion",
    "render_entry",
    "sort_key",
    "section_order",
    "write_entry",
]
