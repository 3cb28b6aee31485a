"""Generated paper lists in each seed style, for benchmarks (`generate_list(style, n, seed)`).

The text is made up from a small vocabulary; the shapes follow the real lists in shared/seeds:
"link_date" (000/001), "bold_arxiv" (003/004), "blog" (002), "plain" and "table".
Import it as `from listgen import generate_list` from tests/benchmarks, or
`from benchmarks.listgen import generate_list` from tests/.
"""

from __future__ import annotations

import random

STYLES = ("link_date", "bold_arxiv", "blog", "plain", "table")

_WORDS = [
    "sparse",
    "attention",
    "scaling",
    "laws",
    "tokens",
    "curriculum",
    "distillation",
    "preference",
    "reward",
    "policy",
    "gradient",
    "mixture",
    "experts",
    "routing",
    "adapters",
    "low-rank",
    "quantized",
    "optimizer",
    "warmup",
    "schedule",
    "batch",
    "critical",
    "momentum",
    "alignment",
    "feedback",
    "reasoning",
    "chains",
    "retrieval",
    "memory",
    "context",
    "length",
    "pretraining",
    "corpus",
    "synthetic",
    "data",
    "pruning",
    "mergers",
    "weights",
    "averaging",
    "stability",
    "dynamics",
    "emergence",
    "benchmark",
    "evaluation",
    "robust",
    "efficient",
    "parallel",
    "pipeline",
    "kernels",
]
_NAMES = [
    "Ada Moreau",
    "Bilal Okafor",
    "Chen Wei",
    "Dana Ilves",
    "Emre Kaya",
    "Farah Haddad",
    "Goran Petrov",
    "Hana Sato",
    "Ines Duarte",
    "Jonas Berg",
    "Kofi Mensah",
    "Lena Fischer",
    "Mateo Ruiz",
    "Nadia Rahman",
    "Oskar Lind",
    "Priya Nair",
    "Quentin Roy",
    "Rosa Vidal",
    "Sven Aalto",
    "Tara Quinn",
]
_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sep.", "Oct.", "Nov.")
_VENUES = ("ICLR", "ICML", "NeurIPS", "ACL", "EMNLP", "COLM")
_TAGS = ("training dynamics", "post-training", "scaling law", "lora", "interpretability")
_ENTRIES_PER_SECTION = 400


def _title(rng: random.Random) -> str:
    words = rng.sample(_WORDS, rng.randint(4, 11))
    head = rng.choice(_WORDS).capitalize() + rng.choice(("", "-2", "X", "Net"))
    return f"{head}: " + " ".join(words).capitalize()


def _arxiv_id(rng: random.Random) -> str:
    return f"{rng.randint(20, 25)}{rng.randint(1, 12):02d}.{rng.randint(0, 99999):05d}"


def _authors(rng: random.Random) -> list[str]:
    return rng.sample(_NAMES, rng.randint(1, 8))


def _link_date(rng: random.Random) -> list[str]:
    aid = rng.choice(("pdf", "abs"))
    line = (
        f"- [{_title(rng)}](https://arxiv.org/{aid}/{_arxiv_id(rng)}), "
        f"{rng.choice(_MONTHS)} {rng.randint(1, 28)} {rng.randint(2019, 2025)}."
    )
    if rng.random() < 0.15:
        line += f" [code](https://github.com/{rng.choice(_WORDS)}/{rng.choice(_WORDS)})."
    if rng.random() < 0.3:
        line += f" `{rng.choice(_TAGS)}`."
    lines = [line]
    if rng.random() < 0.05:
        lines.append(f'  - _"{_title(rng)} helps {rng.choice(_WORDS)}."_')
    return lines


def _wrap(title: str, col: int, width: int) -> str:
    words, used = title.split(" "), col
    lines: list[list[str]] = [[]]
    for k, word in enumerate(words):
        size = len(word) + (3 if k == len(words) - 1 else 0)  # the closing `**,`
        if lines[-1] and used + 1 + size > width:
            lines.append([])
            used = 2
        used += len(word) + (1 if lines[-1] else 0)
        lines[-1].append(word)
    return "\n  ".join(" ".join(line) for line in lines)


def _bold_arxiv(rng: random.Random) -> list[str]:
    aid = _arxiv_id(rng)
    version = rng.randint(1, 3)
    title = _title(rng)
    # Long titles wrapped at one width with a two-space continuation, as a generator does
    # (seed 003, awesome-llm-plaza).
    title = _wrap(title, 4, 76)
    first = (
        f"- **{title}**, `arXiv, {aid}`, [arxiv](http://arxiv.org/abs/{aid}v{version}), "
        f"[pdf](http://arxiv.org/pdf/{aid}v{version}.pdf), cication: [**-1**](None)"
    )
    names = _authors(rng)
    if len(names) > 5:
        names = [*names[:3], "...", *names[-2:]]
    author = f"\t *{', '.join(names)}*"
    if rng.random() < 0.3:
        repo = rng.choice(_WORDS)
        author += (
            f" · ([{repo}](https://github.com/lab/{repo}) - lab) "
            f"![Star](https://img.shields.io/github/stars/lab/{repo}.svg?style=social&label=Star)"
        )
    return [*first.split("\n"), "", author]


def _blog(rng: random.Random) -> list[str]:
    names = _authors(rng)
    who = names[0].split()[-1] + (" et al." if len(names) > 2 else ".")
    lines = [
        f"**{_title(rng)}**. {who} {rng.choice(_VENUES)}'{rng.randint(19, 25)}\\",
    ]
    for _ in range(rng.randint(0, 3)):
        lines.append(f"{' '.join(rng.sample(_WORDS, 8)).capitalize()}.\\")
    lines.append(f"<https://arxiv.org/abs/{_arxiv_id(rng)}>")
    return [*lines, ""]


def _plain(rng: random.Random) -> list[str]:
    return [f"- [{_title(rng)}](https://arxiv.org/abs/{_arxiv_id(rng)})"]


def _row(rng: random.Random) -> list[str]:
    names = ", ".join(_authors(rng)[:3])
    date = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}"
    code = f"[code](https://github.com/x/{rng.choice(_WORDS)})" if rng.random() < 0.3 else ""
    return [
        f"| {date} | [{_title(rng)}](https://arxiv.org/abs/{_arxiv_id(rng)}) | {names} | "
        f"{rng.choice(_VENUES)} | {code} |"
    ]


_ENTRY = {
    "link_date": _link_date,
    "bold_arxiv": _bold_arxiv,
    "blog": _blog,
    "plain": _plain,
    "table": _row,
}


def _section_title(rng: random.Random, k: int) -> str:
    return f"{rng.choice(_WORDS).capitalize()} {rng.choice(_WORDS)} {k}"


def generate_list(style: str, n_entries: int, seed: int = 0) -> bytes:
    """A markdown list of `n_entries` entries in `style`, the same bytes for the same seed."""
    if style not in _ENTRY:
        raise ValueError(f"unknown style {style!r}; known: {', '.join(STYLES)}")
    rng = random.Random(seed)
    make = _ENTRY[style]
    n_sections = max(1, -(-n_entries // _ENTRIES_PER_SECTION))
    titles = [_section_title(rng, k) for k in range(n_sections)]
    out: list[str] = []
    if style == "blog":
        out += ["---", "layout: post", 'title: "Generated papers"', "tags: [nlp]", "---", ""]
    elif style == "bold_arxiv":
        out += ["# Generated papers", ""]
        out += [f"- [{t}](#{t.lower().replace(' ', '-')})" for t in titles]
        out += ["", ""]
    else:
        out += ["", "> Papers on training, generated for benchmarks.", ""]
    done = 0
    for k, title in enumerate(titles):
        count = min(_ENTRIES_PER_SECTION, n_entries - done)
        heading = {"bold_arxiv": "##", "blog": "#"}.get(style, "###")
        out += [f"{heading} {title}", ""]
        if style == "table":
            out += ["| Date | Title | Authors | Venue | Code |", "|---|---|---|---|---|"]
        for _ in range(count):
            out += make(rng)
        done += count
        if k < n_sections - 1:
            out.append("")
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")
