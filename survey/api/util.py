"""Loaders that enforce scope and role in the API's order, and the documented refusals.

Order of refusals, as on the pages: 401 without a valid token (survey/api/__init__.py), 404
for what the path names outside the token's scope (loaded first, so a foreign id reads as
absent), 403 when the role may not act on it (survey/staff/access.py), then 400 for the body and
409 for the state. A resource named in the body can only be loaded once the body is read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g

from survey.api import answers, schemas
from survey.api.blueprint import bp
from survey.core.extensions import db
from survey.models import Campaign, Organisation
from survey.staff import access
from survey.staff.access import Action

REFUSALS = {
    400: "the body or query is invalid (`field` names the first bad one)",
    401: "missing or invalid Bearer token",
    403: "the token's role may not do this",
    404: "unknown, or outside the token's scope",
    409: "not in this state",
    413: "the body is larger than the server accepts",
    410: "gone: a file that no longer exists (a closed campaign keeps counts only)",
}


def refusals(*statuses: int):
    """Document the error answers a route can give (401 always), each an Error object."""

    def decorator(view):
        for status in sorted({401, *statuses}, reverse=True):
            view = bp.alt_response(status, schema=answers.Error, description=REFUSALS[status])(view)
        return view

    return decorator


def body(schema: type[schemas.Strict]):
    """The route's JSON body, validated at the door against ``schema`` (with its example)."""
    return bp.arguments(schema, example=schemas.EXAMPLES.get(schema.__name__))


def actor() -> str:
    return f"api:{g.api_user.username}"


def load_organisation(organisation_id: int) -> Organisation:
    """The organisation if the token's user may see it; otherwise 404, as if absent."""
    return access.get_organisation(db.session, g.api_user, organisation_id)


def load_campaign(campaign_id: int) -> Campaign:
    return access.get_campaign(db.session, g.api_user, campaign_id)


def to_run(campaign: Campaign) -> Action:
    """The action of running ``campaign``: a reviewer runs public polls, not member reviews."""
    return access.run_campaign_action(campaign.kind)


def _check(action: Action | Callable | None, target) -> None:
    if action is not None:
        access.require(g.api_user, action if isinstance(action, Action) else action(target))


def requires(action: Action):
    """The role (403) before the body is read, for a route whose path names nothing."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            access.require(g.api_user, action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def with_campaign(action: Action | Callable[[Campaign], Action] | None = None):
    """The path's campaign (404 outside scope), then the role (403), before the body."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, campaign_id: int, **kwargs):
            campaign = load_campaign(campaign_id)
            _check(action, campaign)
            return view(*args, campaign=campaign, **kwargs)

        return wrapped

    return decorator


def with_organisation(action: Action | None = None):
    """The path's organisation (404 outside scope), then the role (403), before the body."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, organisation_id: int, **kwargs):
            organisation = load_organisation(organisation_id)
            _check(action, organisation)
            return view(*args, organisation=organisation, **kwargs)

        return wrapped

    return decorator
