"""JSON API v1: Bearer tokens, scoping by organisation, JSON errors, one written contract.

The routes are a flask-smorest blueprint: each declares the marshmallow schema of its body
or query (validated at the door, survey/api/door.py), of its answer (dumped through it)
and the refusals it can give; the OpenAPI document is generated from those declarations
(survey/api/openapi.py), so the document and the server cannot drift apart.
"""

from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from survey.api.door import ContractBlueprint
from survey.error_pages import json_error
from survey.extensions import db
from survey.models import ApiToken
from survey.security import hash_api_token

bp = ContractBlueprint("api", __name__)
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorised()
    found = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_api_token(token.strip()))
    )
    if found is None or not found.user.active:
        return _unauthorised()
    g.api_user = found.user
    return None


def _unauthorised():
    response = json_error(401, "unauthorised", "a valid Bearer token is required")
    response.headers["WWW-Authenticate"] = 'Bearer realm="survey"'
    return response


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


from survey.api import campaigns, openapi, organisations, polls, ratings  # noqa: E402,F401

# Last, once every route is recorded: the document is built when the app registers them.
bp.record_once(openapi.build_document)
