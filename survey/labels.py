"""Display labels of the domain's keys, translated lazily."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

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
}


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
}


def status_label(key: str):
    return STATUSES.get(key, key)


def class_label(key: str):
    return CLASSES.get(key, key)


REASONS = {
    "a poll of the year is still open": _l("a poll of the year is still open"),
    "branch has no public-facing functions": _l("branch has no public-facing functions"),
    "dissatisfied answers not yet checked": _l("dissatisfied answers not yet checked"),
    "marked weak and lax (软弱涣散)": _l("marked weak and lax"),
    "no assessment entered": _l("no assessment entered"),
    "no committee grade entered": _l("no committee grade entered"),
    "no eligible roll given": _l("no eligible roll given"),
    "no member review this year": _l("no member review this year"),
    "no member took part": _l("no member took part"),
    "no public poll": _l("no public poll"),
    "no responses": _l("no responses"),
    "no score kept": _l("no score kept"),
    "no social feedback recorded": _l("no social feedback recorded"),
    "quorum not reached": _l("quorum not reached: half or fewer of the roll took part"),
    "star rating not entered": _l("star rating not entered"),
    "verified dissatisfied answers break the rule": _l(
        "verified dissatisfied answers break the rule"
    ),
    "volunteer figures not entered": _l("volunteer figures not entered"),
}


def reason_label(reason: str):
    """The engine's fixed reasons in the reader's language; others (with figures) as given."""
    return REASONS.get(reason, reason)


def init_app(app: Flask) -> None:
    """Every template reads keys through these, whichever blueprint renders it."""

    @app.context_processor
    def label_helpers():
        return {
            "status_label": status_label,
            "class_label": class_label,
            "choice_label": choice_label,
            "prompt_label": prompt_label,
            "small_group": app.config["SMALL_GROUP_THRESHOLD"],
        }
