"""Entries' fields and styles: read what an entry says, learn how a list writes, write like it."""

from __future__ import annotations

from .entries import entry_fields, fields_to_paper, find_paper, paper_entries
from .fidelity import EntryResult, FidelityReport, measure_fidelity
from .fields import EntryFields, extract_fields
from .place import Insertion, insertion_at, plan_insertion, section_order
from .render import render_entry
from .style import DEFAULT_STYLE, EntryStyle, carry_list_habits, infer_style

__all__ = [
    "DEFAULT_STYLE",
    "EntryFields",
    "EntryResult",
    "EntryStyle",
    "FidelityReport",
    "Insertion",
    "carry_list_habits",
    "entry_fields",
    "extract_fields",
    "fields_to_paper",
    "find_paper",
    "infer_style",
    "insertion_at",
    "measure_fidelity",
    "paper_entries",
    "plan_insertion",
    "render_entry",
    "section_order",
]
