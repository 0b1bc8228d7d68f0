"""Loader decorators for staff pages: sign-in, role, and scope before the view runs."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from survey import access
from survey.extensions import db


def staff_required(*roles: str):
    """Signed in, and (unless admin) holding one of ``roles``; otherwise 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if roles and current_user.role not in roles and current_user.role != "admin":
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def campaign_or_404(campaign_id: int):
    return access.get_campaign(db.session, current_user, campaign_id)


def organisation_or_404(organisation_id: int):
    return access.get_organisation(db.session, current_user, organisation_id)
