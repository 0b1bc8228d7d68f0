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
OPERATORS = {
    "min": "≥",
    "max": "≤",
    "more_than": ">",
    "less_than": "<",
    "in": "∈",
    "includes": "⊇",
    "equals": "=",
    "on_or_before": "≤",
}
IN_WORDS = {
    "min": "不少于",
    "max": "不超过",
    "more_than": "超过",
    "less_than": "少于",
    "in": "为",
    "includes": "包含",
    "on_or_before": "不晚于",
}
"""The bounds in words on a Chinese page, where ≥ and ∈ are not how a notice is written."""
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
    """A clause as a reader cites it: "001 工作指南 §七(四)" reads "001 工作指南 七(四)" on a
    Chinese page (a notice never writes §); the English page keeps the section sign."""
    return source.replace("§", "") if _chinese() else source


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


def threshold_lines(threshold) -> list[str]:
    """``{"excellent_share": {"min": {"numerator": 9, "denominator": 10}}}`` ->
    ``["优秀票比例 ≥ 9/10（90.0%）"]``: a bound a person reads at a glance."""
    if not isinstance(threshold, dict):
        return [] if threshold is None else [str(threshold)]
    lines = []
    chinese = _chinese()
    for figure, bound in threshold.items():
        name = figure_label(figure)
        if isinstance(bound, dict) and bound and set(bound) <= set(OPERATORS):
            for op, v in bound.items():
                if not chinese:
                    lines.append(f"{name} {OPERATORS[op]} {value_text(figure, v)}")
                elif op == "equals":
                    lines.append(f"{name}{_colon()}{value_text(figure, v)}")
                elif op == "in":
                    lines.append(f"{name}为{'或'.join(value_text(figure, one) for one in v)}")
                else:
                    lines.append(f"{name}{IN_WORDS[op]}{value_text(figure, v)}")
        else:
            lines.append(f"{name}{_colon()}{value_text(figure, bound)}")
    return lines


def scheme_title(key: str | None) -> str:
    """A scheme as a reviewer names it: a preset by its document's title, a committee's own
    scheme (``key@version``) by the key its committee gave it."""
    if not key:
        return ""
    preset = rules.SCHEMES.get(key.split("@", 1)[0])
    return preset.title if preset is not None and "@" not in key else key
