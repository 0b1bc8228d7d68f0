"""The API's blueprint: Bearer tokens checked before every route but the public document
(live, and read-only ones only reading), and no answer kept by a cache. The routes are
declared in the modules beside it."""

from __future__ import annotations

import logging

from flask import g, request

from survey.api.door import ContractBlueprint
from survey.core.database import begin_write, outage
from survey.core.error_pages import json_error
from survey.core.extensions import db
from survey.core.timezone import local_today
from survey.staff import access, tokens

log = logging.getLogger(__name__)

bp = ContractBlueprint("api", __name__)
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorised()
    found = tokens.valid(db.session, token.strip())
    if found is None:
        return _unauthorised()
    if not access.scope_allows(found.read_only, request.method):
        return json_error(403, "forbidden", "this API token is read-only")
    _mark_used(found)
    found.user.read_only_scope = found.read_only
    g.api_user = found.user
    return None


def _mark_used(found) -> None:
    """The day of use, written once a day in a commit of its own, before the handler (whose
    transaction starts afresh, with the write lock on SQLite); a database that cannot write
    now must not refuse a read, so a failure is logged and forgotten."""
    today = local_today()
    if found.last_used_on == today:
        return
    try:
        begin_write(db.session)
        tokens.mark_used(db.session, found, today)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 -- any database refusal: the request goes on
        db.session.rollback()
        if not outage(exc):
            raise
        log.warning("could not stamp the API token's last day of use: %s", type(exc).__name__)


def _unauthorised():
    response = json_error(401, "unauthorised", "a valid Bearer token is required")
    response.headers["WWW-Authenticate"] = 'Bearer realm="survey"'
    return response


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response
