"""The password policy (身份鉴别, GB/T 22239-2019 8.1.4.1 a): long enough, of enough kinds
of character, not the user's name, not a common password.

Checked when a password is set (created, reset, changed), never at sign-in: a password set
under an older, weaker policy keeps working. A refusal is ``Invalid`` with ``field`` and the
``rule`` it broke, so each door names the rule in its own words.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path

from flask import current_app, has_app_context

from survey.core.errors import Invalid

DEFAULT_MIN_LENGTH, DEFAULT_MIN_CLASSES = 12, 3
MAX_LENGTH = 200
CLASSES = (
    ("lower case letters", str.islower),
    ("upper case letters", str.isupper),
    ("digits", lambda ch: ch in string.digits),
    ("other characters", lambda ch: not (ch.isalpha() or ch in string.digits)),
)
_COMMON = Path(__file__).with_name("common_passwords.txt")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, lower case (the file says where they come from)."""
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def policy() -> tuple[int, int]:
    """(minimum length, minimum classes of four), from the settings."""
    if not has_app_context():
        return DEFAULT_MIN_LENGTH, DEFAULT_MIN_CLASSES
    config = current_app.config
    return (
        config.get("PASSWORD_MIN_LENGTH", DEFAULT_MIN_LENGTH),
        config.get("PASSWORD_MIN_CLASSES", DEFAULT_MIN_CLASSES),
    )


def classes_in(password: str) -> int:
    return sum(any(test(ch) for ch in password) for _name, test in CLASSES)


def check_password(password: str, username: str, field: str = "password") -> None:
    """Raise ``Invalid`` naming the first rule ``password`` breaks for ``username``."""
    min_length, min_classes = policy()
    if len(password) < min_length:
        raise Invalid(
            f"the password needs at least {min_length} characters",
            field=field,
            rule="length",
            n=min_length,
        )
    if len(password) > MAX_LENGTH:
        raise Invalid(f"the password has at most {MAX_LENGTH} characters", field=field, rule="long")
    if classes_in(password) < min_classes:
        kinds = ", ".join(name for name, _test in CLASSES)
        raise Invalid(
            f"the password needs at least {min_classes} of: {kinds}",
            field=field,
            rule="classes",
            n=min_classes,
        )
    if password.strip().casefold() == username.strip().casefold():
        raise Invalid("the password must not be the user name", field=field, rule="username")
    if password.casefold() in common_passwords():
        raise Invalid(
            "the password is among the 10,000 most common passwords", field=field, rule="common"
        )
