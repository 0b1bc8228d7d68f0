"""Sign-in and sign-out for staff (Flask-Login), throttled against guessing."""

from __future__ import annotations

import functools
import hashlib
import secrets
import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse_many
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from forms.auth import LoginForm, PasswordChangeForm
from survey.core.errors import Invalid
from survey.core.extensions import db, limiter
from survey.core.transactions import transactional
from survey.models import User
from survey.staff import accounts, sign_in
from survey.views import session_life
from survey.views.passwords import password_refusal

bp = Blueprint("auth", __name__)
LOGIN_LIMIT = "10 per minute;60 per hour"  # per address
# A user name is throttled per address it is tried from, so a stranger's wrong passwords
# lock only the stranger's address out of it: the owner signs in from another address at
# once, or from the same one after PAIR_WAIT. Counted where the address limits are (Redis
# when configured, else memory). Across all addresses a ceiling no single address can reach
# (it may try at most 20 a day) stops slow guessing from many; only many addresses lock it.
PAIR_LIMITS = parse_many("5 per 5 minutes;20 per day")
ACCOUNT_LIMITS = parse_many("30 per hour;100 per day")
PAIR_WAIT_MINUTES = 5


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


def _account_keys(username: str) -> dict[str, tuple[str, str]]:
    """The counters of ``username`` tried from this address ("pair") and from any ("account")."""
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    address = hashlib.sha256(get_remote_address().encode()).hexdigest()[:32]
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    return {
        "pair": (prefix, f"login-pair:{digest}:{address}"),
        "account": (prefix, f"login-account:{digest}"),
    }


def _account_lock(username: str) -> str | None:
    """Count one try against ``username`` from this address; which lock holds it ("pair" or
    "account"), None when it may be tried. A locked try is not counted, so waiting is what
    unlocks it; unknown names lock alike (no hint who exists)."""
    keys = _account_keys(username)
    for name, limits in (("pair", PAIR_LIMITS), ("account", ACCOUNT_LIMITS)):
        if not all(limiter.limiter.test(item, *keys[name]) for item in limits):
            return name
    for name, limits in (("pair", PAIR_LIMITS), ("account", ACCOUNT_LIMITS)):
        for item in limits:
            limiter.limiter.hit(item, *keys[name])
    return None


def _account_cleared(username: str) -> None:
    keys = _account_keys(username)
    for name, limits in (("pair", PAIR_LIMITS), ("account", ACCOUNT_LIMITS)):
        for item in limits:
            limiter.limiter.clear(item, *keys[name])


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def _authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password. An unknown, inactive or password-less
    name costs the same hashing as a real one, so the answer's timing names no account."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    if form.validate_on_submit():
        locked = _account_lock(form.username.data)
        if locked is not None:
            session_life.sign_in_refused(form.username.data)
            page = render_template(
                "auth/login.html", form=form, locked=locked, wait=PAIR_WAIT_MINUTES
            )
            return page, 429
        user = _authenticate(form.username.data, form.password.data)
        if user is not None:
            _account_cleared(form.username.data)
            if session_life.signed_in(user):
                days = current_app.config["PASSWORD_MAX_AGE_DAYS"]
                flash(_("Your password is older than %(days)d days: choose a new one.", days=days))
                return redirect(url_for("auth.change_password"), code=303)
            return redirect(_safe_next(request.args.get("next")), code=303)
        session_life.sign_in_refused(form.username.data)
        return render_template("auth/login.html", form=form, failed=True), 401
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@transactional
def logout():
    if current_user.is_authenticated:
        sign_in.end_sessions(db.session, current_user.id)  # and every copy of this cookie
        sign_in.record_sign_out(db.session, current_user._get_current_object())
    logout_user()
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@transactional
def change_password():
    """The signed-in user's own password, the old one required. The change raises the
    session version (every other session ends); this one is signed in again."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(
                db.session, user, form.old_password.data, form.new_password.data
            )
        except Invalid as refusal:
            field = form.old_password if refusal.detail.get("field") == "old_password" else None
            (field or form.new_password).errors = [_password_reason(refusal)]
        else:
            login_user(user)  # the cookie now names the new session version
            sign_in.password_changed()
            flash(_("Your password is changed; your other sessions are signed out."))
            return redirect(url_for("staff.home"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status


def _password_reason(refusal: Invalid) -> str:
    if refusal.detail.get("field") == "old_password":
        return _("The current password is wrong.")
    return password_refusal(refusal)
