"""How a list writes each kind of value: dates, authors, venues, tags, titles and arXiv links.

Learned from the values its entries show (each with a weight: recent entries and the section's
own count more), then used to write a new paper's values the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .text import DateStyle, learn_dates, parse_date
from .words import BADGE_TAG_RE, says_year, split_authors, venue_year

#: Share of a list's paper links that must share one shape before new links take that shape.
CONVENTION_SHARE = 0.75
_ETAL_RE = re.compile(r"\s*,?\s*(?:et\.? al\.?|and others)\s*$", re.I)
_ELLIPSIS_RE = re.compile(r"(?:^|,)\s*(?:\.\.\.|…)\s*(?:,|$)")


def weighted_majority(pairs: Iterable[tuple[Any, float]], default: Any = None) -> Any:
    """The value with the most weight (the first seen wins a tie), or `default`."""
    totals: dict[Any, float] = {}
    for value, weight in pairs:
        if value is not None:
            totals[value] = totals.get(value, 0.0) + weight
    if not totals:
        return default
    best = max(totals.values())
    return next(v for v, w in totals.items() if w == best)


def stable_majority(
    pairs: Iterable[tuple[str, float]], default: str = "", *, between: bool = False
) -> str:
    """The literal most examples share; one entry's own text is never copied into another's.

    Values that differ only in their spaces count as one. A value no other example shares (a
    model name before a title, a citation count) is that entry's data: a repeated value wins
    over it. When every example writes its own words there, none is copied: a separator
    (`between`) keeps its punctuation, text before or after the pieces is left out.
    """
    totals: dict[str, float] = {}
    classes: dict[str, list[str]] = {}
    for value, weight in pairs:
        totals[value] = totals.get(value, 0.0) + weight
        classes.setdefault(" ".join(value.split()), []).append(value)
    if not totals:
        return default
    if len(classes) == 1 or sum(len(v) for v in classes.values()) == 1:
        return max(totals, key=lambda v: totals[v])
    repeated = [members for members in classes.values() if len(members) >= 2]
    if repeated:
        best = max(repeated, key=lambda m: sum(totals[v] for v in set(m)))
        return max(set(best), key=lambda v: totals[v])
    bare = [v for v in totals if not any(ch.isalnum() for ch in v)]
    if bare:
        return max(bare, key=lambda v: totals[v])
    if not between:
        return ""
    return _shared_frame(list(totals))


def _shared_frame(values: list[str]) -> str:
    """What separators that each hold an entry's own words share: the line structure after the
    words (`\n\n\t `) if any, else the separator before them (`, `); the words are dropped."""
    prefix, suffix = values[0], values[0]
    for v in values[1:]:
        while not v.startswith(prefix):
            prefix = prefix[:-1]
        while not v.endswith(suffix):
            suffix = suffix[1:]
    lead = re.match(r"[^\w\[(`*_]*", prefix)
    head = lead.group(0) if lead else ""
    tail = re.search(r"\s*$", suffix)
    rest = tail.group(0) if tail else ""
    if "\n" in head:
        return head[: head.rfind("\n") + 1] + rest.split("\n")[-1] if "\n" in rest else head
    if "\n" in rest:
        return rest
    return head or rest or " "


@dataclass(frozen=True)
class AuthorFormat:
    """How a list writes an author list: joiners, and how it shortens a long one."""

    joiner: str = ", "
    pair_joiner: str = ", "  # between exactly two names (`A and B`)
    last_joiner: str | None = None  # before the last of three or more (`A, B and C`)
    rule: tuple = ()  # ("elide", head, tail, mark) | ("etal", shown, most, mark) | ("cap", n)
    surnames: bool = False
    first_inverted: bool = False  # `Krizhevsky, Alex, Ilya Sutskever, and Geoffrey E. Hinton`


def learn_authors(written: list[tuple[str, float]]) -> AuthorFormat:
    """The author format from author lists as written (with their weights).

    A shortening rule holds only while the list keeps it: entries that could have been
    shortened the same way but show every name (recent ones weigh more) outvote it.
    """
    joiners: list[tuple[str, float]] = []
    pairs: list[tuple[str, float]] = []
    lasts: list[tuple[str | None, float]] = []
    elided: list[tuple[tuple, float]] = []
    etal: list[tuple[tuple[int, str], float]] = []  # ((names shown, the mark), weight)
    full: list[tuple[int, float]] = []
    single = total = 0.0
    inverted = several = 0.0
    for raw, weight in written:
        text = " ".join(raw.split())
        mark = _ETAL_RE.search(text)
        body = text[: mark.start()] if mark else text
        names = split_authors(body)
        seps = _separators(body, names)
        if len(names) >= 2:
            several += weight
            if _inverted_first(names, bool(mark)):
                inverted += weight
                names, seps = [f"{names[1]} {names[0]}", *names[2:]], seps[1:]
        if len(names) == 2 and seps:
            pairs.append((seps[0], weight))
        elif len(names) >= 3 and seps:
            joiners.append((Counter(seps[:-1]).most_common(1)[0][0], weight))
            lasts.append((seps[-1], weight))
        real = [n for n in names if n not in ("...", "…")]
        # Weighed like the examples: a section writing full names is not outvoted by another
        # section's table of `Surname et al.`.
        single += weight * sum(1 for n in real if len(n.split()) == 1)
        total += weight * len(real)
        if mark:
            etal.append(((len(real), mark.group(0)), weight))
        elif "..." in names or "…" in names:
            k = names.index("...") if "..." in names else names.index("…")
            elided.append(((k, len(names) - k - 1, names[k]), weight))
        else:
            full.append((len(real), weight))
    joiner = weighted_majority(joiners, None) or weighted_majority(pairs, ", ")
    last = weighted_majority(lasts, None)
    return AuthorFormat(
        joiner=joiner,
        pair_joiner=weighted_majority(pairs, joiner),
        last_joiner=last if last != joiner else None,
        rule=_shortening(elided, etal, full),
        surnames=total > 0 and single * 2 > total,
        first_inverted=several > 0 and inverted * 2 > several,
    )


def _inverted_first(names: list[str], etal: bool) -> bool:
    """`Surname, Given, Full Name, ...`: the first author written surname first, the others not
    (two one-word parts ahead of full names, or ahead of `et al.`)."""
    head, given = names[0].split(), names[1].split()
    if len(head) != 1 or not 1 <= len(given) <= 2 or not given[0][:1].isupper():
        return False
    rest = [n for n in names[2:] if n not in ("...", "…")]
    if not rest:
        return etal or len(rest) < len(names) - 2
    return all(len(n.split()) >= 2 for n in rest)


def _shortening(elided: list, etal: list, full: list) -> tuple:
    """The shortening rule the list keeps, if any: `elide`, `etal` or `cap`."""
    if elided:
        head, tail, mark = weighted_majority(elided)
        longer = sum(w for n, w in full if n > head + tail + 1)
        if sum(w for _, w in elided) > longer:
            return ("elide", head, tail, mark)
    if etal:
        shown = weighted_majority((n, w) for (n, _mark), w in etal)
        mark = weighted_majority((m, w) for (_n, m), w in etal)
        longer = sum(w for n, w in full if n > shown + 1)
        if sum(w for _, w in etal) > longer:
            most = max((n for n, _ in full), default=shown)
            return ("etal", shown, most, mark)
    lengths = Counter(n for n, _ in full)
    if lengths:
        top = max(lengths)
        # Many entries stopping at exactly the same, largest count is a cap, not a coincidence.
        if top >= 5 and lengths[top] >= 3 and lengths[top] >= sum(lengths.values()) / 10:
            return ("cap", top)
    return ()


def _separators(text: str, names: list[str]) -> list[str]:
    out = []
    pos = 0
    for name in names:
        at = text.find(name, pos)
        if at < 0:
            return []
        if pos:
            out.append(text[pos:at])
        pos = at + len(name)
    return out


def write_authors(authors: list[str], fmt: AuthorFormat) -> str:
    """An author list written the list's way (shortened by its rule)."""
    names = list(authors)
    if fmt.surnames:
        names = [n if n == "..." else (n.split()[-1] if n.split() else n) for n in names]
    elif fmt.first_inverted and names and len(names[0].split()) >= 2:
        *given, surname = names[0].split()
        names[0] = f"{surname}, {' '.join(given)}"
    elif fmt.first_inverted and len(names) >= 2 and _inverted_first(names, True):
        names = [f"{names[0]}, {names[1]}", *names[2:]]  # read from such a list: kept as one
    rule = fmt.rule
    mark_tail = ""
    if "..." in names:
        k = names.index("...")
        names = names[:k] + ["..."] + [n for n in names[k + 1 :] if n != "..."]
    elif rule and rule[0] == "elide" and len(names) > rule[1] + rule[2] + 1:
        tail = names[len(names) - rule[2] :] if rule[2] else []
        names = names[: rule[1]] + [rule[3]] + tail
    elif rule and rule[0] == "etal" and len(names) > rule[2]:
        names = names[: max(rule[1], 1)]
        mark_tail = rule[3]
    elif rule and rule[0] == "cap":
        names = names[: rule[1]]
    if "..." in names and rule and rule[0] == "etal":
        names = names[: names.index("...")]
        mark_tail = rule[3]
    if len(names) == 2:
        text = names[0] + fmt.pair_joiner + names[1]
    elif len(names) >= 3 and fmt.last_joiner is not None:
        text = fmt.joiner.join(names[:-1]) + fmt.last_joiner + names[-1]
    else:
        text = fmt.joiner.join(names)
    return text + mark_tail


@dataclass(frozen=True)
class VenueFormat:
    """`ACL'23` (name and two-digit year) or as given; and the venue the list gives a preprint
    (`arXiv`, `arXiv {year}`), if it names one for papers published nowhere else."""

    short_year: bool = False
    preprint: str | None = None
    no_year: bool = False  # `*CoRL, 2022*`: venues named without their year, the date beside


_PREPRINT_RE = re.compile(r"^arxiv(?:\s+preprint)?(?:[\s,']+(?:(?:19|20)\d\d|\d\d))?$", re.I)


def learn_venues(written: list[tuple[str, float]], unnamed: float = 0.0) -> VenueFormat:
    """The venue format from venues as written; `unnamed` is the weight of the entries of arXiv
    papers that show no venue (they vote against naming arXiv as a preprint's venue)."""
    votes = [(bool(re.search(r"'\d{2}$", v.strip())), w) for v, w in written]
    shapes = [
        (re.sub(r"(?:19|20)\d\d", "{year}", v.strip()), w)
        for v, w in written
        if _PREPRINT_RE.match(v.strip())
    ]
    preprint = None
    if sum(w for _, w in shapes) > unnamed:
        preprint = weighted_majority(shapes)
    # A preprint's `arXiv` names no year anyway: only real venues tell.
    bare = [(not says_year(v), w) for v, w in written if not _PREPRINT_RE.match(v.strip())]
    return VenueFormat(
        short_year=bool(weighted_majority(votes, False)),
        preprint=preprint,
        # Only where (almost) no venue says its year: one `ICLR 2024` shows the list writes years.
        no_year=len(bare) >= 3 and sum(w for b, w in bare if b) >= 0.9 * sum(w for _b, w in bare),
    )


def write_venue(venue: str, published: str | None, fmt: VenueFormat) -> str:
    """A venue written the list's way (`ACL 2023` -> `ACL'23` where the list writes that, `ACL`
    where it names venues without their year)."""
    if fmt.no_year and not fmt.short_year:
        name, _year = venue_year(venue)
        return name or venue
    if not fmt.short_year:
        return venue
    name, year = venue_year(venue)
    year = year or (published or "")[:4]
    return f"{name}'{year[2:]}" if year else name


@dataclass(frozen=True)
class TagFormat:
    """Tags each in their own code span (`` `a` `b` ``) or joined in one run (`a, b`)."""

    each: str | None = "`{}`"
    joiner: str = " "
    #: Topic badges: the colour the list gives each tag (`Seq2Seq` red, `T5` blue).
    colors: tuple[tuple[str, str], ...] = ()


def learn_tags(fmts: list[tuple[Any, float]], raws: tuple[str, ...] = ()) -> TagFormat:
    """The tag format from the tag slots' observed formats (and the badges' colours)."""
    fmt = weighted_majority(fmts, ("each", "`{}`", " "))
    if fmt[0] == "each":
        colors: dict[str, str] = {
            m.group(1): m.group(2) for raw in raws for m in BADGE_TAG_RE.finditer(raw)
        }
        return TagFormat(fmt[1], fmt[2], tuple(sorted(colors.items())))
    return TagFormat(None, fmt[1])


def write_tags(tags: list[str], fmt: TagFormat) -> str:
    """Tags written the list's way (a topic badge in the colour the list gives that tag)."""
    if fmt.each:
        colors = dict(fmt.colors)
        badge = BADGE_TAG_RE.search(fmt.each.replace("{}", "x"))
        out = []
        for tag in tags:
            each = fmt.each
            if badge and tag in colors:
                each = each.replace(f"{{}}-{badge.group(2)})", f"{{}}-{colors[tag]})")
            out.append(each.replace("{}", tag))
        return fmt.joiner.join(out)
    return fmt.joiner.join(tags)


@dataclass(frozen=True)
class Formats:
    """Every value format a list shows."""

    dates: DateStyle = field(default_factory=DateStyle)
    authors: AuthorFormat = field(default_factory=AuthorFormat)
    venues: VenueFormat = field(default_factory=VenueFormat)
    tags: TagFormat = field(default_factory=TagFormat)
    url_form: tuple | None = None  # the arXiv link shape most entries use
    url_forms: frozenset = frozenset()  # every arXiv link shape the list uses
    convention: bool = False  # enough arXiv links that their shape is a convention
    title_escapes: tuple[str, ...] = ()
    title_stop: str = ""  # `.` when the list ends its titles with one (`**Title.**`)
    #: Per title piece (`**{title}**`): (width, continuation indent, space kept at the break).
    wrap: dict = field(default_factory=dict)
    #: The spaces ending the title's line, by whether the title wrapped (a generator's habit).
    head_eol: dict = field(default_factory=dict)


def learn_formats(
    values: list[tuple[str, str, Any, float]], wrap: dict, unnamed: float = 0.0
) -> Formats:
    """Formats from (slot name, written value, slot fmt, weight) of every example entry;
    `unnamed`: the weight of examples of arXiv papers that name no venue."""
    by: dict[str, list[tuple[str, Any, float]]] = {}
    for name, raw, fmt, weight in values:
        by.setdefault(name, []).append((raw, fmt, weight))
    dates = []
    for raw, fmt, weight in by.get("date", []):
        parsed = fmt or parse_date(raw)
        if parsed is not None:
            dates += [parsed] * max(1, round(weight * 2))
    forms = [(fmt, w) for _raw, fmt, w in by.get("url", []) if fmt]
    all_forms = frozenset(f for f, _ in forms) | frozenset(
        f for _r, f, _w in by.get("alink", []) if f
    )
    top = weighted_majority(forms)
    top_share = sum(w for f, w in forms if f == top) / (sum(w for _, w in forms) or 1.0)
    return Formats(
        dates=learn_dates(dates),
        authors=learn_authors([(r, w) for r, _f, w in by.get("authors", [])]),
        venues=learn_venues([(r, w) for r, _f, w in by.get("venue", [])], unnamed),
        tags=learn_tags(
            [(f, w) for _r, f, w in by.get("tags", []) if f],
            tuple(r for r, _f, _w in by.get("tags", [])),
        ),
        url_form=top,
        url_forms=all_forms,
        # A convention is a shape most links share: a list of mixed links keeps a link as given.
        convention=len(forms) >= 5 and top_share >= CONVENTION_SHARE,
        title_escapes=_title_escapes([r for r, _f, _w in by.get("title", [])]),
        title_stop=_title_stop([(r, w) for r, _f, w in by.get("title", [])]),
        wrap=wrap,
    )


def _title_stop(titles: list[tuple[str, float]]) -> str:
    """`.` when most titles (by weight, three at least) end with a period of their own."""
    if len(titles) < 3:
        return ""
    stopped = sum(
        w for t, w in titles if t.rstrip().endswith(".") and not t.rstrip().endswith("..")
    )
    return "." if stopped >= 0.75 * sum(w for _, w in titles) else ""


def _title_escapes(titles: list[str]) -> tuple[str, ...]:
    """Characters the list escapes in titles more often than it leaves them bare."""
    out = []
    for ch in "_*#<>|~":
        escaped = sum(1 for t in titles if "\\" + ch in t)
        bare = sum(1 for t in titles if ch in t.replace("\\" + ch, ""))
        if escaped > bare:
            out.append(ch)
    return tuple(out)
