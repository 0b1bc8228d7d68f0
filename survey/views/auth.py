"""Sign-in and sign-out for staff (Flask-Login), throttled against guessing."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from forms.auth import LoginForm
from survey import security
from survey.database import transactional
from survey.extensions import db, limiter
from survey.models import User

bp = Blueprint("auth", __name__)
LOGIN_LIMIT = "10 per minute;60 per hour"


def _safe_next(target: str | None) -> str:
    r"""Only a path on this site: never an open redirect.

    Browsers drop tabs, newlines and other invisible characters from a URL and read a
    backslash as a slash, so ``/<TAB>/evil.example`` or ``/\evil.example`` would lead
    off-site: the target is judged (and used) as a browser would read it.
    """
    cleaned = "".join(
        "/" if ch == "\\" else ch
        for ch in target or ""
        if unicodedata.category(ch)[0] not in "CZ"  # control, format and space characters
    )
    parts = urlsplit(cleaned)
    if (
        cleaned.startswith("/")
        and not cleaned.startswith("//")
        and not (parts.scheme or parts.netloc)
    ):
        return cleaned
    return url_for("staff.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")), code=303)
        return render_template("auth/login.html", form=form, failed=True), 401
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@transactional
def logout():
    if current_user.is_authenticated:
        security.end_sessions(db.session, current_user.id)  # and every copy of this cookie
    logout_user()
    return redirect(url_for("auth.login"), code=303)
