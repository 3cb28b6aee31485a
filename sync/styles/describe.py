"""What papershelf learned of a list, in words a curator can check: its entry shapes, the value
formats, wrapping, placement, and a sample paper written the way it would be (pure)."""

from __future__ import annotations

from typing import Any

from ..paper import Link, Paper
from .formats import weighted_majority
from .order import Placement
from .render import write_entry
from .shape import Ref, Zone
from .template import EntryTemplate, structure
from .values import write_date_example

#: The paper `papershelf style` writes to show what a new entry would look like.
SAMPLE_PAPER = Paper(
    url="https://arxiv.org/abs/2401.12345v2",
    arxiv_id="2401.12345v2",
    title="An Example Paper on Learning a List's Style from Its Own Entries",
    authors=(
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
        "Edsger Dijkstra",
        "Barbara Liskov",
        "Donald Knuth",
    ),
    published="2024-01-15",
    venue="ICLR 2025",
    code_url="https://github.com/example/style-by-example",
    links=(Link("blog", "https://example.org/post"),),
    tags=("style",),
)


def describe_template(
    template: EntryTemplate, placement: Placement, paper: Paper = SAMPLE_PAPER
) -> dict[str, Any]:
    """The learned template and placement as a JSON-ready dict, with `paper` written in it."""
    own = sum(1 for e in template.examples if e.own)
    shapes = _shapes(template)
    written = write_entry(paper, template)
    fmt = template.formats
    wraps = [
        {"width": w[0], "continuation": w[1], "space_before_break": w[2]} for w in fmt.wrap.values()
    ]
    return {
        "examples": {"section": own, "list": len(template.examples) - own},
        "container": template.container,
        "shapes": shapes,
        "shows": sorted(template.shown),
        "formats": {
            "date": write_date_example(template),
            "authors": _authors(template),
            "tags": fmt.tags.each or f"joined by {fmt.tags.joiner!r}",
            "link_shape": "/".join(str(x) for x in fmt.url_form if x) if fmt.url_form else None,
            "wrap": wraps[0] if wraps else None,
        },
        "gaps": {
            "between": template.gap,
            "after_heading": template.lead_gap,
            "after_section": template.tail_gap,
        },
        "placement": {"rule": placement.rule, "why": placement.why},
        "sample": written.lines,
        "left_out": list(written.left_out),
    }


def _shapes(template: EntryTemplate, limit: int = 3) -> list[dict[str, Any]]:
    """The most common entry shapes, as templates with `{field}` slots, with their share."""
    if template.container == "row":
        return [_row_shape(template)]
    weight: dict[tuple, float] = {}
    zones: dict[tuple, tuple[str, Zone]] = {}
    total = 0.0
    for e in template.examples:
        if len(e.shape.zones) != 1:
            continue
        key = structure(e.shape.zones[0])
        weight[key] = weight.get(key, 0.0) + e.weight
        zones.setdefault(key, (e.shape.head, e.shape.zones[0]))
        total += e.weight
    out = []
    for key in sorted(weight, key=lambda k: -weight[k])[:limit]:
        head, zone = zones[key]
        out.append(
            {"template": head + _zone_text(zone), "share": round(weight[key] / (total or 1), 2)}
        )
    return out


def _row_shape(template: EntryTemplate) -> dict[str, Any]:
    """A table row: each column's most common cell."""
    rows = [e for e in template.examples if e.shape.container == "row"]
    own = [e for e in rows if e.own] or rows
    header = weighted_majority((e.shape.header, e.weight) for e in own)
    rows = [e for e in rows if e.shape.header == header] or rows
    width = weighted_majority((len(e.shape.zones), e.weight) for e in rows)
    rows = [e for e in rows if len(e.shape.zones) == width]
    cells = []
    for c in range(width):
        weight: dict[tuple, float] = {}
        zones: dict[tuple, Zone] = {}
        for e in rows:
            key = structure(e.shape.zones[c])
            weight[key] = weight.get(key, 0.0) + e.weight
            zones.setdefault(key, e.shape.zones[c])
        cells.append(_zone_text(zones[max(weight, key=lambda k: weight[k])]))
    return {"template": "|" + "|".join(cells) + "|", "share": 1.0, "header": list(header)}


def _zone_text(zone: Zone) -> str:
    parts = [zone.lead]
    for k, piece in enumerate(zone.pieces):
        if k:
            parts.append(zone.seps[k - 1])
        parts.append("".join(p if isinstance(p, str) else f"{{{_name(p)}}}" for p in piece.parts))
    parts.append(zone.trail)
    return "".join(parts)


def _name(ref: Ref) -> str:
    return {"alink": "arxiv link", "id": "arxiv id", "link_label": "label", "link_url": "link"}.get(
        ref.name, ref.name
    )


def _authors(template: EntryTemplate) -> str:
    fmt = template.formats.authors
    rule = fmt.rule
    if not rule:
        how = "all"
    elif rule[0] == "elide":
        how = f"first {rule[1]}, {rule[3]}, last {rule[2]}"
    elif rule[0] == "etal":
        how = f"first {rule[1]} then {rule[3].strip()!r} beyond {rule[2]}"
    else:
        how = f"at most {rule[1]}"
    return f"{how}, joined by {fmt.joiner!r}" + (" (surnames)" if fmt.surnames else "")


def describe_lines(report: dict[str, Any], where: str) -> list[str]:
    """The report as a few lines for a terminal."""
    ex = report["examples"]
    lines = [
        f"{where}: learned from {ex['section']} entries of the section and {ex['list']} of the list"
    ]
    for shape in report["shapes"]:
        lines.append(f"  shape ({shape['share']:.0%}): {shape['template']}")
    f = report["formats"]
    lines.append(f"  dates: {f['date'] or 'not shown'}; authors: {f['authors']}")
    if f["wrap"]:
        w = f["wrap"]
        lines.append(
            f"  long titles wrap at {w['width']} columns, continuation {w['continuation']!r}"
        )
    lines.append(f"  placement: {report['placement']['why']}")
    lines.append("  a new paper would be written:")
    lines += [f"    {line}" for line in report["sample"]]
    if report["left_out"]:
        lines.append(f"  (not shown by this list: {', '.join(report['left_out'])})")
    return lines
