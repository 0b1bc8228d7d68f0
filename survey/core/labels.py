"""Display labels of the domain's keys, translated lazily."""

from __future__ import annotations

import re

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.core import names

CHOICES = {
    "excellent": _l("Excellent"),
    "competent": _l("Competent"),
    "basically_competent": _l("Basically competent"),
    "incompetent": _l("Incompetent"),
    "satisfied": _l("Satisfied"),
    "basically_satisfied": _l("Basically satisfied"),
    "dissatisfied": _l("Dissatisfied"),
}

PROMPTS = {
    "How do you rate the work of this branch this year?": _l(
        "How do you rate the work of this branch this year?"
    ),
    "How satisfied are you with this branch's service?": _l(
        "How satisfied are you with this branch's service?"
    ),
    # The indicator items are stored as the ballot asks them (survey.campaigns.meeting.INDICATORS,
    # the five 强 of the standard); an English page asks them in English.
    "政治功能强": _l("Strong political function"),
    "队伍建设强": _l("Strong ranks of members"),
    "组织生活强": _l("Strong organisational life"),
    "作用发挥强": _l("Strong in playing its role"),
    "群众工作强": _l("Strong work with the people"),
}


def member_label(frozen: str):
    """A member's name as an appraisal froze it, told apart in the reader's language: the
    ballot's 赵磊（2015年入党） reads "赵磊 (joined the Party in 2015)" on an English page."""
    found = names.parse(frozen)
    if found.erased is not None:
        return _("Erased member #%(id)d", id=found.erased)
    if found.year is not None:
        return _("%(name)s (joined the Party in %(year)d)", name=found.name, year=found.year)
    if found.number is not None:
        return _("%(name)s (%(number)d)", name=found.name, number=found.number)
    return frozen


def choice_label(key: str):
    return CHOICES.get(key, key)


def prompt_label(prompt: str):
    """Built-in prompts are translated; a committee's own indicator text is shown as written."""
    return PROMPTS.get(prompt, prompt)


CRITERIA = {
    "members": _l("Members' review (党员评议)"),
    "quorum": _l("Attendance against the roll"),
    "public": _l("Public judgement (群众评判)"),
    "organisation": _l("Committee grade (组织评定)"),
    "social": _l("Social evaluation (社会评价)"),
    "exclusions": _l("Negative list (负面清单)"),
    "founded": _l("Founded at least a year"),
    "weak": _l("Not weak and lax (软弱涣散)"),
    "weak_last_year": _l("Not weak and lax the year before (上年度软弱涣散)"),
    "score": _l("Quantitative score"),
    "volunteers": _l("Volunteer service (organs)"),
    "stars": _l("Ten-star rating (villages)"),
}

OUTCOMES = {
    "pass": _l("pass"),
    "fail": _l("fail"),
    "pending": _l("pending"),
    "exempt": _l("exempt"),
    "not_applicable": _l("not applicable"),
}

VERDICTS = {
    "eligible": _l("eligible"),
    "not_eligible": _l("not eligible"),
    "pending": _l("pending"),
}

GRADES = {
    "excellent": _l("Excellent"),
    "good": _l("Good"),
    "fair": _l("Fair"),
    "poor": _l("Poor"),
}

EXCLUSIONS = {
    "accountability": _l("Branch or unit held accountable this year"),
    "negative_publicity": _l("Major negative publicity or verified complaints"),
    "leader_disciplined": _l("Branch leader disciplined"),
    "leader_investigated": _l("Branch leader under criminal investigation"),
    "directive_failure": _l("Failed to carry out key directives"),
    "member_disciplined": _l("A member dealt with for breaking rules, discipline or law this year"),
    "staff_criminal": _l("Other staff of the unit held criminally liable this year"),
    "other": _l("Other (give the reason)"),
}

STARS = {
    "strong_leadership": _l("Strong leadership star (班子坚强星)"),
    "harmony_stability": _l("Harmony and stability star (和谐稳定星)"),
    "public_satisfaction": _l("Public satisfaction star (群众满意星)"),
}
STATUSES = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}

CLASSES = {
    "full": _l("Full member"),
    "probationary": _l("Probationary member"),
    "resident": _l("Resident"),
    "public": _l("Residents (public link)"),
    "representative": _l("Invited representative"),
}

# Who a 群众代表 meeting invites (survey/core/scales.py REPRESENTATIVES)
REPRESENTATIVES = {
    "masses": _l("Representatives of the masses (群众代表)"),
    "teachers": _l("Teachers' representatives (教师代表)"),
    "service_users": _l("Those the organ serves (服务对象)"),
}


KINDS = {"branch": _l("Branch (党支部)"), "committee": _l("Committee (党委)")}

DOMAINS = {
    "organ": _l("government organs"),
    "village": _l("villages"),
    "community": _l("urban communities"),
    "enterprise": _l("enterprises"),
    "state_enterprise": _l("state-owned and collective enterprises"),
    "private_enterprise": _l("private enterprises"),
    "social_organisation": _l("social organisations"),
    "school": _l("schools"),
    "mobile": _l("mobile Party members"),
    "university": _l("universities and colleges"),
    "hospital": _l("public hospitals"),
    "institution": _l("other public institutions"),
    "other": _l("other fields"),
}

FACTS = {
    "volunteers": _l("Members registered as volunteers"),
    "serving_members": _l("Serving members"),
    "volunteer_activities": _l("Volunteer activities this year"),
    "score": _l("Score (where a score is kept)"),
    "stars": _l("Stars in the ten-star rating"),
    "named_stars": _l("Named stars held"),
}


ROLES = {
    "secretary": _l("Branch secretary"),
    "reviewer": _l("Reviewer"),
    "sysadmin": _l("System administrator"),
    "secadmin": _l("Security administrator"),
    "auditor": _l("Audit administrator"),
    "admin": _l("Admin (system and security, not yet split)"),
}


def role_label(key: str):
    return ROLES.get(key, key)


def kind_label(key: str):
    return KINDS.get(key, key)


def status_label(key: str):
    return STATUSES.get(key, key)


def class_label(key: str):
    return CLASSES.get(key, key)


def representatives_label(key: str | None):
    return REPRESENTATIVES.get(key or "masses", key)


REASONS = {
    "a poll of the year is still open": _l("a poll of the year is still open"),
    "branch has no public-facing functions": _l("branch has no public-facing functions"),
    "dissatisfied answers not yet checked": _l("dissatisfied answers not yet checked"),
    "marked weak and lax (软弱涣散)": _l("marked weak and lax"),
    "marked weak and lax (软弱涣散) the year before": _l(
        "marked weak and lax the year before, and the committee has not let it be rated"
    ),
    "no assessment entered": _l("no assessment entered"),
    "no committee grade entered": _l("no committee grade entered"),
    "no channel of public judgement recorded": _l(
        "no channel of public judgement recorded (a poll, representatives at the report "
        "meeting, or a public notice or interviews)"
    ),
    "no eligible roll given": _l("no eligible roll given"),
    "no member review this year": _l("no member review this year"),
    "no member took part": _l("no member took part"),
    "no public poll": _l("no public poll"),
    "no responses": _l("no responses"),
    "no score kept": _l("no score kept"),
    "no social feedback recorded": _l("no social feedback recorded"),
    "quorum not reached": _l("quorum not reached: half or fewer of the roll took part"),
    "full members' grades not counted apart: classes merged under the small-group rule": _l(
        "the full members' grades cannot be counted apart: a class had fewer votes than the "
        "small-group threshold, so the classes were merged at close, and subtracting would "
        "reveal those few votes"
    ),
    "star rating not entered": _l("star rating not entered"),
    "verified dissatisfied answers break the rule": _l(
        "verified dissatisfied answers break the rule"
    ),
    "volunteer figures not entered": _l("volunteer figures not entered"),
}


def _names(found: str, table: dict) -> str:
    return "、".join(str(table.get(key, key)) for key in found.split(", "))


# the engine's reasons that carry keys or figures: (pattern, its words with the keys named)
FIGURED = [
    (
        re.compile(r"excluded: (.+)"),
        lambda m: _("on the negative list: %(items)s", items=_names(m[1], EXCLUSIONS)),
    ),
    (
        re.compile(r"excellent share below (.+)"),
        lambda m: _("share of Excellent below %(bound)s", bound=m[1]),
    ),
    (
        re.compile(r"grade (\w+) is not one of (.+)"),
        lambda m: _(
            "grade %(grade)s is not one of %(within)s",
            grade=_names(m[1], GRADES),
            within=_names(m[2], GRADES),
        ),
    ),
    (
        re.compile(r"negative feedback from (.+)"),
        lambda m: _("negative feedback from %(departments)s", departments=m[1].replace(", ", "、")),
    ),
    (
        re.compile(r"a standard for (.+) branches only"),
        lambda m: _("a standard for branches of %(domains)s only", domains=_names(m[1], DOMAINS)),
    ),
    (
        re.compile(r"no (.+) entered"),
        lambda m: _("not entered: %(facts)s", facts=_names(m[1], FACTS)),
    ),
    (re.compile(r"no (.+) kept"), lambda m: _("not kept: %(facts)s", facts=_names(m[1], FACTS))),
]


def reason_label(reason: str):
    """The engine's reasons in the reader's language, its keys named; others as given."""
    if reason in REASONS:
        return REASONS[reason]
    for pattern, words in FIGURED:
        if found := pattern.fullmatch(reason):
            return words(found)
    return reason


def init_app(app: Flask) -> None:
    """Every template reads keys through these, whichever blueprint renders it."""

    @app.context_processor
    def label_helpers():
        return {
            "status_label": status_label,
            "class_label": class_label,
            "representatives_label": representatives_label,
            "kind_label": kind_label,
            "role_label": role_label,
            "choice_label": choice_label,
            "prompt_label": prompt_label,
            "member_label": member_label,
            "small_group": app.config["SMALL_GROUP_THRESHOLD"],
        }
