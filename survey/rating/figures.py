"""The rating engine's figures as a reviewer reads them: names, values and bounds in words.

The engine answers in keys (``excellent_share``, ``{"min": {"numerator": 9, ...}}``) so that
the API stays stable; the pages read them through here, in the page's language, and never
show a key.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey import rules
from survey.core import labels
from survey.core.timezone import localdate
from survey.rules import citations

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

FIGURES = {
    "excellent": _l("Excellent grades"),
    "participants": _l("Members who took part"),
    "excellent_share": _l("Share of excellent grades"),
    "roll": _l("Members expected"),
    "participant_share": _l("Share of members who took part"),
    "grade": _l("Committee grade"),
    "feedback": _l("Departments that gave feedback"),
    "negative": _l("Negative feedback"),
    "exclusions": _l("Items on the negative list"),
    "keys": _l("Negative list"),
    "founded_on": _l("Founded on"),
    "weak": _l("Weak and lax this year"),
    "weak_last_year": _l("Weak and lax the year before"),
    "year_before": _l("The year before"),
    "read_from": _l("Read from"),
    "responses": _l("Public answers"),
    "dissatisfied": _l("Dissatisfied answers"),
    "verified": _l("Dissatisfied answers verified true"),
    "unfounded": _l("Dissatisfied answers found unfounded"),
    "unchecked": _l("Dissatisfied answers not yet checked"),
    "verified_share": _l("Share verified dissatisfied"),
    "channels": _l("Channels of public judgement"),
    "meeting_responses": _l("Of which, representatives' answers at the report meeting"),
    "meeting_dissatisfied": _l("Of which, representatives' dissatisfied answers"),
}
CHANNELS = {
    "poll": _l("public poll"),
    "meeting": _l("representatives' vote (report meeting)"),
    "notice": _l("public notice"),
    "interviews": _l("interviews"),
}
"""群众评判's channels (000 §四(三), 001 工作指南 §五(二)3): the polls, 群众代表 at the 述职评议
meeting, the reviewer's record of 公示 and 访谈."""
BOUNDS = {
    "min": _l("%(name)s at least %(value)s"),
    "max": _l("%(name)s at most %(value)s"),
    "more_than": _l("%(name)s more than %(value)s"),
    "less_than": _l("%(name)s less than %(value)s"),
    "in": _l("%(name)s is %(value)s"),
    "includes": _l("%(name)s include %(value)s"),
    "equals": _l("%(name)s: %(value)s"),
    "on_or_before": _l("%(name)s on or before %(value)s"),
}
"""A bound as a sentence, as a notice writes it: no ≥, ≤ nor ∈ (a reader is not a reader
of formulas), in either language."""
NONE_OF = {
    "verified": _l("No dissatisfied opinion verified true"),
    "negative": _l("No negative feedback from the departments asked"),
    "exclusions": _l("None of the cases on the negative list"),
}
"""A figure bounded by at most 0, said as "none"."""
NOT_WEAK = {
    "weak": _l("Not listed as weak and lax this year"),
    "weak_last_year": _l("Not listed as weak and lax the year before"),
}
CHINESE_NUMBERS = "零一二三四五六七八九十"
SOURCES = {"organisation": _l("the organisation's record"), "assessment": _l("the year's entry")}


def figure_label(key: str) -> str:
    """A figure's name in the page's language; an unknown one keeps its key. A ratio of two
    facts (``volunteers/serving_members``) names both."""
    if "/" in key:
        return "/".join(figure_label(part) for part in key.split("/"))
    if key in FIGURES:
        return str(FIGURES[key])
    if key in labels.FACTS:
        return str(labels.FACTS[key])
    fact = rules.FACTS.get(key)
    if fact is not None:
        return fact.wording(str(get_locale() or "zh"))
    return key


def value_text(key: str, value) -> str:
    """One figure's value in words: a share as a fraction and a percentage, a yes/no as
    是/否, a grade or a list of keys by their names, nothing as —."""
    if value is None or value == []:
        return "—" if value is None else _("none")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict) and set(value) == {"numerator", "denominator"}:
        numerator, denominator = value["numerator"], value["denominator"]
        if not denominator:
            return f"{numerator}/{denominator}"
        return f"{numerator}/{denominator}（{100 * numerator / denominator:.1f}%）"
    if isinstance(value, list | tuple):
        return "、".join(value_text(key, v) for v in value)
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return localdate(date.fromisoformat(value))  # 2015年7月1日 on a Chinese page
    if isinstance(value, str):
        return str(_word(key, value))
    return str(value)


def _chinese() -> bool:
    return str(get_locale() or "zh").startswith("zh")


def _colon() -> str:
    return "：" if _chinese() else ": "


def source_text(source: str) -> str:
    """A clause as a reader cites it: "001 工作指南 §五(二)3" reads 《工作指南》第五部分（二）3
    on a Chinese page (a notice never writes §); the English page keeps the section sign."""
    return citations.cite_text(source, _chinese())


def source_links(source: str) -> list[dict]:
    """Each clause of a source in words, with the seed and key its link to the text needs
    (``number`` None for a note that cites no seed)."""
    chinese = _chinese()
    return [
        {"text": c.text(chinese), "number": c.number, "clause": c.key}
        for c in citations.cite(source)
    ]


def _word(key: str, value: str):
    for table in (labels.GRADES, labels.CHOICES, labels.EXCLUSIONS, labels.STARS):
        if value in table:
            return table[value]
    if key == "read_from" and value in SOURCES:
        return SOURCES[value]
    if key == "channels" and value in CHANNELS:
        return CHANNELS[value]
    return value


def value_lines(value) -> list[str]:
    """A criterion's value, one figure a line."""
    if isinstance(value, dict) and set(value) != {"numerator", "denominator"}:
        return [f"{figure_label(k)}{_colon()}{value_text(k, v)}" for k, v in value.items()]
    return [] if value is None else [value_text("", value)]


def threshold_lines(threshold, year: int | None = None) -> list[str]:
    """``{"excellent_share": {"min": {"numerator": 9, "denominator": 10}}}`` ->
    ``["“优秀”票比例不少于9/10（90.0%）"]``: each bound a sentence a person reads at a glance
    (``year``, the rating's year, words a founding date as 成立满一年)."""
    if not isinstance(threshold, dict):
        return [] if threshold is None else [str(threshold)]
    lines = []
    for figure, bound in threshold.items():
        if isinstance(bound, dict) and bound and set(bound) <= set(BOUNDS):
            lines.extend(_bound_sentence(figure, op, v, year) for op, v in bound.items())
        else:
            lines.append(f"{figure_label(figure)}{_colon()}{value_text(figure, bound)}")
    return lines


def _bound_sentence(figure: str, op: str, value, year: int | None) -> str:
    if op == "max" and value == 0 and figure in NONE_OF:
        return str(NONE_OF[figure])
    if op == "equals" and value is False and figure in NOT_WEAK:
        return str(NOT_WEAK[figure])
    if figure == "grade" and op == "in":
        return _("Committee grade is %(grades)s", grades=_grades(value))
    if figure == "founded_on" and op == "on_or_before" and year and ISO_DAY.fullmatch(value):
        years = year - date.fromisoformat(value).year
        count = CHINESE_NUMBERS[years] if _chinese() and 0 < years <= 10 else str(years)
        day = value_text(figure, value)
        founded = _("Founded %(years)s full year(s) ago (on or before %(date)s)")
        return founded % {"years": count, "date": day}
    words = {"name": figure_label(figure), "value": _bound_value(figure, op, value)}
    return str(BOUNDS[op]) % words


def _grades(grades) -> str:
    names = [value_text("grade", g) for g in grades]
    if _chinese():
        return "或".join(f"“{n}”" for n in names)
    return " or ".join(names)


def _bound_value(figure: str, op: str, value) -> str:
    if isinstance(value, list | tuple):
        if op == "in":
            joined = "或" if _chinese() else " or "
        else:
            joined = "、" if _chinese() else ", "
        return joined.join(value_text(figure, one) for one in value)
    return value_text(figure, value)


def target_text(fraction) -> str:
    """A target share as a percentage, 1/2 -> 50%; one that is not whole keeps its fraction."""
    numerator, denominator = fraction["numerator"], fraction["denominator"]
    percent = 100 * numerator / denominator
    if percent == int(percent):
        return f"{int(percent)}%"
    return f"{numerator}/{denominator}（{percent:.1f}%）"


def scheme_title(key: str | None) -> str:
    """A scheme as a reviewer names it: a preset by its document's title, a committee's own
    scheme (``key@version``) by the key its committee gave it."""
    if not key:
        return ""
    preset = rules.SCHEMES.get(key.split("@", 1)[0])
    return preset.title if preset is not None and "@" not in key else key


OCR_DOT = "\U001001b0"  # the seeds' OCR wrote "３􀆰" for "３．": a private-use character


def seed_parts(text: str, number: str, clause: str) -> dict:
    """A seed's text cut around the clause ``clause`` (a source key) cites: ``before``,
    ``marked`` (empty when the clause is not found) and ``after``, and the clause in words
    (``cited``, empty when ``clause`` names no clause of this seed)."""
    found = next((c for c in citations.cite(clause) if c.number == number), None)
    span = citations.locate(text, found) if found else None
    start, end = span or (len(text), len(text))
    parts = {"before": text[:start], "marked": text[start:end], "after": text[end:]}
    parts = {k: v.replace(OCR_DOT, "．") for k, v in parts.items()}
    return parts | {"cited": found.text(_chinese()) if found else ""}
