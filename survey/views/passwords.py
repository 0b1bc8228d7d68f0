"""The password policy's refusals in the reader's language: each names the rule it broke."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.core.errors import Invalid


def password_refusal(refusal: Invalid) -> str:
    """The sentence a form shows under the password field (survey/staff/passwords.py)."""
    rule, n = refusal.detail.get("rule"), refusal.detail.get("n")
    if rule == "length":
        return _("The password needs at least %(n)d characters.", n=n)
    if rule == "long":
        return _("The password is too long.")
    if rule == "classes":
        return _(
            "The password needs at least %(n)d of the four kinds: lower case letters, upper "
            "case letters, digits, other characters.",
            n=n,
        )
    if rule == "username":
        return _("The password must not be the user name.")
    if rule == "common":
        return _("This password is among the 10,000 most common passwords: choose another.")
    return refusal.message
