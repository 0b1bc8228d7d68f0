"""A scheme as a Markdown table, for docs/rules.md and for a committee reading its own file."""

from __future__ import annotations

from .schemes import Scheme
from .vocabulary import Check, Complaints, FactChecks, GradeWithin, Item, Social, VoteShare

SYMBOLS = {"min": "≥", "max": "≤", "more_than": ">", "less_than": "<"}


def _check(check: Check) -> str:
    if check.includes:
        text = f"{check.fact} ⊇ {{{', '.join(check.includes)}}}"
    elif check.equals is not None:
        text = f"{check.fact} = {'yes' if check.equals else 'no'}"
    else:
        figure = f"{check.fact}/{check.per}" if check.per else check.fact
        text = " and ".join(f"{figure} {SYMBOLS[b.op]} {b.value}" for b in check.bounds)
    if check.when is not None:
        text += f" (when {_check(check.when)})"
    return text


def bound_text(item: Item) -> str:
    """The item's bound in one line, e.g. "excellent/participants ≥ 9/10"."""
    if isinstance(item, VoteShare):
        figure = "excellent/participants" if item.figure == "excellent" else "participants/roll"
        return f"{figure} {SYMBOLS[item.bound.op]} {item.bound.value}"
    if isinstance(item, Complaints):
        parts = ["verified 不满意 = 0"] if item.any_verified else []
        if item.rate_max is not None:
            parts.append(f"verified/responses ≤ {item.rate_max}")
        return " and ".join(parts)
    if isinstance(item, GradeWithin):
        return f"grade ∈ {{{', '.join(item.within)}}}"
    if isinstance(item, FactChecks):
        return "; ".join(_check(check) for check in item.checks)
    if isinstance(item, Social):
        exempt = ", ".join(sorted(item.exempt_domains)) or "none"
        return f"negative feedback = 0 (exempt domains: {exempt})"
    if item.kind == "founded":
        return f"founded ≥ {getattr(item, 'years', 1)} year(s) before 31 Dec"
    if item.kind == "weak":
        return "weak this year = no"
    if item.kind == "weak_last_year":
        return "weak the year before = no, or a committee override with its reason"
    return "no exclusion this year"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def scheme_table(scheme: Scheme) -> str:
    """Every criterion of `scheme`: key, kind, domains, bound, clause, Chinese and English."""
    lines = [
        f"#### `{scheme.key}` — {scheme.title}",
        "",
        "| key | kind | domains | bound | clause | 中文 | English |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in scheme.criteria:
        domains = ", ".join(sorted(item.domains)) or "all"
        cells = (
            f"`{item.key}`",
            item.kind,
            domains,
            bound_text(item),
            item.source,
            item.zh,
            item.en,
        )
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    for target in scheme.targets:
        aim = (
            f"{target.share} of branches" if target.share else f"{target.count} model organisations"
        )
        when = target.by or f"end of {target.year}"
        lines.append(f"\nTarget: {aim} by {when} ({target.source}).")
    order = ", ".join(scheme.order)
    lines.append(f"\nRecommendation order: {order} ({scheme.order_source}).")
    if scheme.recommendation_cap is not None:
        cap = scheme.recommendation_cap
        lines.append(f"At most {cap} of the branches recommended ({scheme.recommendation_source}).")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- schemes:begin -->", "<!-- schemes:end -->"


def all_tables() -> str:
    """Every preset's table, in key order: the generated part of docs/rules.md."""
    from .presets import SCHEMES

    return "\n".join(scheme_table(SCHEMES[key]) for key in sorted(SCHEMES))


def with_tables(document: str) -> str:
    """`document` with the text between the markers replaced by `all_tables()`."""
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{all_tables()}{END}{tail}"
