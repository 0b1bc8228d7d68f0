"""The sign-in's record: each sign-in and each refused one goes into the audit log (安全审计),
and a new session is stamped for its idle and absolute limits (survey/staff/sign_in.py)."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import login_user

from survey.core.extensions import db
from survey.core.transactions import run_in_transaction
from survey.models import User
from survey.staff import accounts, sign_in


def signed_in(user: User) -> bool:
    """Record the sign-in (committed), then sign ``user`` in with a stamped session; True
    when the password has expired (the session may then only change it)."""
    address = get_remote_address()
    entry_id = run_in_transaction(
        db.session, lambda: sign_in.record_sign_in(db.session, user, address)
    )
    expired = accounts.password_expired(user, current_app.config["PASSWORD_MAX_AGE_DAYS"])
    login_user(user)
    sign_in.session_started(entry_id, password_expired=expired)
    return expired


def sign_in_refused(typed_name: str) -> None:
    """Record a refused sign-in: the name as typed and the address, never the password."""
    address = get_remote_address()
    run_in_transaction(
        db.session, lambda: sign_in.record_failed_sign_in(db.session, typed_name, address)
    )
