"""Signing staff in: the session a cookie names, and ending every session of an account.

A session carries the account's id and its session version; bumping the version (sign-out
everywhere, a password change) ends every copy of the cookie at once.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from survey.core.converters import parse_id
from survey.core.extensions import db, login_manager
from survey.models import User

_VERSION = re.compile(r"[0-9]{1,10}")


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"


def load_user(user_id: str):
    """The active user a session names, if the session is of the user's current version:
    a cookie copied before a sign-out or a password change names no one."""
    raw_id, _, raw_version = (user_id or "").partition(":")
    found = parse_id(raw_id)
    if found is None or not _VERSION.fullmatch(raw_version):
        return None
    user = db.session.get(User, found)
    if user is None or not user.active or user.session_version != int(raw_version):
        return None
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Every session of ``user_id`` ends, wherever its cookie was copied (flushes only)."""
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
