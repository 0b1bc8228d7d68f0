"""The table of a run in docs/performance.md, between its two markers (the prose around it
is written by hand and kept)."""

from __future__ import annotations

import re
from pathlib import Path

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def table(meta: dict, rows: list[dict]) -> str:
    lines = [
        f"Run of {meta['date']} on {meta['cores']} cores ({meta['machine']}, Python "
        f"{meta['python']}), {meta['seconds']} s in all: `{meta['command']}`; load average "
        f"{_load(meta, 'start')} at the start, {_load(meta, 'end')} at the end.",
        "",
        "| figure | database | value | limit (same run) | ratio | target | met |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    # A missed target links to its reason and profile below the table (an anchor of its own).
    for row in rows:
        limit = "" if row["limit"] is None else f"{row['limit']}"
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(
            f"| {row['figure']} | {row['database']} | {row['value']} {row['unit']} | {limit} | "
            f"{ratio} | {row['target']} | {_met(row)} |"
        )
    return "\n".join(lines)


def anchor(figure: str) -> str:
    """The id of a figure's explanation in docs/performance.md (``<a id="…">``)."""
    words = re.sub(r"[^a-z0-9]+", "-", figure.lower()).strip("-")
    return "why-" + re.sub(r"^check-|-after-\d+-mixed-gets$|-of-\d+-responses$", "", words)


def _met(row: dict) -> str:
    return "yes" if row["target_met"] else f"**no** ([why](#{anchor(row['figure'])}))"


def _load(meta: dict, when: str) -> str:
    found = meta.get(f"load_average_at_{when}")
    return " / ".join(f"{x:.1f}" for x in found) if found else "?"


def write(path: Path, meta: dict, rows: list[dict]) -> None:
    body = f"{BEGIN}\n{table(meta, rows)}\n{END}"
    text = path.read_text() if path.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    path.write_text(head + body + tail)
