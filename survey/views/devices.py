"""The signed device cookie that keeps a phone to one answer: a public poll, a notice's
objection. Only an HMAC of the id is ever stored (survey/polls/answers.py,
survey/rating/notice.py)."""

from __future__ import annotations

import secrets

from flask import current_app, request
from itsdangerous import BadSignature

from survey.core.security import serializer

DEVICE_COOKIE = "poll_device"
DEVICE_MAX_AGE = 2 * 365 * 86400


def current_device() -> str:
    """The signed random id of this browser, or a new one (set on the response)."""
    try:
        return serializer("device").loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return secrets.token_urlsafe(16)


def with_device(response, device: str):
    """``response`` carrying the device cookie (HttpOnly, signed)."""
    response.set_cookie(
        DEVICE_COOKIE,
        serializer("device").dumps(device),
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
