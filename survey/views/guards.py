"""Loader decorators and loaders for staff pages: sign-in, the role table, and scope, before
the view acts (the same rules as the API's, from survey/staff/access.py)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from survey.core.extensions import db
from survey.staff import access
from survey.staff.access import Action


def staff_required(action: Action | None = None):
    """Signed in, and allowed ``action`` by the role table (when given); otherwise 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if action is not None and not access.may(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def campaign_or_404(campaign_id: int, kind: str | None = None):
    """A campaign the signed-in account may see, of ``kind`` when given; otherwise 404."""
    campaign = access.get_campaign(db.session, current_user, campaign_id)
    if kind is not None and campaign.kind != kind:
        abort(404)
    return campaign


def campaign_to_run(campaign_id: int, kind: str | None = None):
    """A campaign the signed-in account may see (else 404) and run (else 403)."""
    campaign = campaign_or_404(campaign_id, kind)
    access.require(current_user, access.run_campaign_action(campaign.kind))
    return campaign


def organisation_or_404(organisation_id: int):
    return access.get_organisation(db.session, current_user, organisation_id)


def web_actor() -> str:
    """How the audit log names the signed-in account acting through the pages."""
    return f"web:{current_user.username}"
