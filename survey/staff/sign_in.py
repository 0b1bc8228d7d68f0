"""Signing staff in: the session a cookie names, and ending every session of an account.

A session carries the account's id and its session version; bumping the version (sign-out
everywhere, a password change) ends every copy of the cookie at once.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user
from sqlalchemy import func, select, true, update
from sqlalchemy.orm import Session

from survey.core.converters import parse_id
from survey.core.extensions import db, login_manager
from survey.models import AuditEntry, User
from survey.staff import audit

_VERSION = re.compile(r"[0-9]{1,10}")


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    app.before_request(end_a_stale_session)
    app.before_request(insist_on_a_new_password)


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


# 身份鉴别 (GB/T 22239-2019 8.1.4.1 b): a session ends after an idle time and, however busy,
# after an absolute time. Both instants ride in the signed session cookie.
SIGNED_IN_AT, SEEN_AT, SIGN_IN_ENTRY = "signed_in_at", "seen_at", "sign_in_entry"
# 身份鉴别 (optional expiry): signed in with a password older than the setting allows, the
# session may do nothing but change it (or sign out).
MUST_CHANGE = "must_change_password"
WHILE_EXPIRED = frozenset({"auth.change_password", "auth.logout", "static"})
SEEN_STEP_S = 60  # the cookie is rewritten at most once a minute, not on every request
SIGNED_IN, SIGN_IN_FAILED = "user.sign_in", "user.sign_in_failed"
TYPED_MAX = 80


def _now() -> float:
    return time.time()


def session_started(entry_id: int, password_expired: bool = False) -> None:
    """Stamp a new staff session (call right after ``login_user``)."""
    session[SIGNED_IN_AT] = session[SEEN_AT] = int(_now())
    session[SIGN_IN_ENTRY] = entry_id
    if password_expired:
        session[MUST_CHANGE] = True
    else:
        session.pop(MUST_CHANGE, None)


def password_changed() -> None:
    """The session's password is new: it may go anywhere again."""
    session.pop(MUST_CHANGE, None)


def insist_on_a_new_password():
    """Before each request of a session signed in with an expired password: to the
    change-password page, whatever was asked (sign-out and static files aside)."""
    if session.get(MUST_CHANGE) and "_user_id" in session:
        if request.endpoint not in WHILE_EXPIRED:
            return redirect(url_for("auth.change_password"), code=303)
    return None


def end_a_stale_session() -> None:
    """Before each request: sign out a staff session idle too long or signed in too long
    ago, or one without stamps (a cookie from before the limits). Anonymous requests (the
    ballot and poll pages, the API's Bearer tokens) are not looked at."""
    if "_user_id" not in session:
        return
    now = int(_now())
    config = current_app.config
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if (
        not isinstance(signed_in_at, int)
        or not isinstance(seen_at, int)
        or now - seen_at > config["SESSION_IDLE_MINUTES"] * 60
        or now - signed_in_at > config["SESSION_MAX_HOURS"] * 3600
    ):
        logout_user()
        for key in (SIGNED_IN_AT, SEEN_AT, SIGN_IN_ENTRY, MUST_CHANGE):
            session.pop(key, None)
        flash(_("Your session has ended; please sign in again."))
        return
    if now - seen_at >= SEEN_STEP_S:
        session[SEEN_AT] = now


def record_sign_in(session_: Session, user: User, address: str | None) -> int:
    """The audit entry of a sign-in (its id goes into the session); flushes."""
    entry = audit.record(session_, f"web:{user.username}", SIGNED_IN, user, address=address)
    return entry.id


def record_sign_out(session_: Session, user: User) -> None:
    """The audit entry of a sign-out (every session of the account ends with it); flushes."""
    audit.record(session_, f"web:{user.username}", "user.sign_out", user)


def record_failed_sign_in(session_: Session, typed: str, address: str | None) -> None:
    """A refused sign-in: the name as typed (cut short), never the password; the account's
    id when the name is one, so its owner is told at the next sign-in."""
    typed = typed.strip()[:TYPED_MAX]
    user_id = session_.scalar(select(User.id).where(User.username == typed))
    audit.record_event(
        session_,
        f"web:{typed}",
        SIGN_IN_FAILED,
        "users",
        str(user_id) if user_id is not None else None,
        username=typed,
        address=address,
    )


@dataclass(frozen=True)
class LastSignIn:
    """What the staff home shows: the sign-in before this one, and the failures since."""

    at: datetime | None
    address: str | None
    failures: int


def last_sign_in(session_: Session, user_id: int, current_entry: int | None) -> LastSignIn:
    """The account's sign-in before ``current_entry`` (this session's) and the failed
    attempts on the account after it (None, None: the first sign-in on record)."""
    mine = (AuditEntry.object_type == "users") & (AuditEntry.object_id == str(user_id))
    before = AuditEntry.id < current_entry if current_entry else true()
    previous = session_.execute(
        select(AuditEntry.id, AuditEntry.at, AuditEntry.detail)
        .where(mine, AuditEntry.action == SIGNED_IN, before)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).one_or_none()
    failed = select(func.count(AuditEntry.id)).where(
        mine, AuditEntry.action == SIGN_IN_FAILED, before
    )
    if previous is not None:
        failed = failed.where(AuditEntry.id > previous.id)
    failures = session_.scalar(failed)
    if previous is None:
        return LastSignIn(None, None, failures)
    return LastSignIn(previous.at, (previous.detail or {}).get("address"), failures)
