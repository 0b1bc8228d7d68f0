"""The API's blueprint: Bearer tokens checked before every route but the public document,
and no answer kept by a cache. The routes are declared in the modules beside it."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from survey.api.door import ContractBlueprint
from survey.core.error_pages import json_error
from survey.core.extensions import db
from survey.core.security import hash_api_token
from survey.models import ApiToken

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
