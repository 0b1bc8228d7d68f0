"""Display labels of the domain's keys, translated lazily."""

from __future__ import annotations

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
