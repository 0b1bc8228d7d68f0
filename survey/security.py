"""Signed tokens, API token hashing and the headers every response carries."""

from __future__ import annotations

import hashlib
import secrets

from flask import Flask, current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# One salt per purpose: a token signed for one use never verifies for another.
SALTS = {
    "ballot": "survey.ballot.v1",
    "device": "survey.device.v1",
    "poll_form": "survey.poll_form.v2",  # v2: bound to the device, with a one-time nonce
    "ballot_nonce": "survey.ballot_nonce.v1",
}


def serializer(purpose: str) -> URLSafeTimedSerializer:
    """Signs with the newest key; every key of ``SECRET_KEYS`` still verifies (rotation)."""
    keys = list(reversed(current_app.config["SECRET_KEYS"]))  # itsdangerous: newest last
    return URLSafeTimedSerializer(keys, salt=SALTS[purpose])


def ballot_token(ballot_id: str) -> str:
    return serializer("ballot").dumps(ballot_id)


def read_ballot_token(token: str, max_age: int) -> tuple[str | None, bool]:
    """(ballot id, expired) for a genuine token; (None, False) for a forged or garbled one."""
    signer = serializer("ballot")
    try:
        return signer.loads(token, max_age=max_age), False
    except SignatureExpired as exc:
        try:
            return signer.load_payload(exc.payload), True
        except BadSignature:
            return None, False
    except BadSignature:
        return None, False


def new_api_token() -> tuple[str, str]:
    """(token shown once, its SHA-256 hex stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_api_token(token)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_app(app: Flask) -> None:
    from survey.extensions import login_manager

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def load_user(user_id: str):
    from survey.converters import parse_id
    from survey.extensions import db
    from survey.models import User

    found = parse_id(user_id)
    user = db.session.get(User, found) if found is not None else None
    return user if user is not None and user.active else None
