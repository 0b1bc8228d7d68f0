"""Request parsing, loaders that enforce scope, and URL building for the API."""

from __future__ import annotations

from datetime import date

from flask import current_app, g, request, url_for

from survey import access
from survey.converters import MAX_ID
from survey.errors import Forbidden, Invalid
from survey.extensions import db
from survey.models import Campaign, Organisation


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data


def actor() -> str:
    return f"api:{g.api_user.username}"


def load_organisation(organisation_id: int) -> Organisation:
    """The organisation if the token's user may see it; otherwise 404, as if absent."""
    return access.get_organisation(db.session, g.api_user, organisation_id)


def load_campaign(campaign_id: int) -> Campaign:
    return access.get_campaign(db.session, g.api_user, campaign_id)


def external_url(endpoint: str, **values) -> str:
    """Absolute links on SURVEY_BASE_URL (QR codes must point at the public host)."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def absolute(path: str) -> str:
    """An absolute link to a path of this site, on SURVEY_BASE_URL when it is set."""
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    return base + path


def text(data: dict, field: str, *, required=True, max_length=200, default=None) -> str | None:
    value = data.get(field, default)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{field} must be a non-empty string", field=field)
    if len(value) > max_length:
        raise Invalid(f"{field} must be at most {max_length} characters", field=field)
    return value.strip()


def integer(data: dict, field: str, *, required=True, low=None, high=MAX_ID, default=None):
    value = data.get(field, default)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{field} must be an integer", field=field)
    if (low is not None and value < low) or (high is not None and value > high):
        raise Invalid(f"{field} must be between {low} and {high}", field=field)
    return value


def number(data: dict, field: str, low: float, high: float) -> float:
    value = data.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{field} must be a number", field=field)
    if not low <= value <= high:
        raise Invalid(f"{field} must be between {low} and {high}", field=field)
    return float(value)


def boolean(data: dict, field: str, default: bool) -> bool:
    value = data.get(field, default)
    if not isinstance(value, bool):
        raise Invalid(f"{field} must be true or false", field=field)
    return value


def iso_date(data: dict, field: str) -> date | None:
    value = data.get(field)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid(f"{field} must be a date as YYYY-MM-DD", field=field) from None


def choice(data: dict, field: str, options, default=None) -> str:
    value = data.get(field, default)
    if value not in options:
        raise Invalid(f"{field} must be one of: {', '.join(options)}", field=field)
    return value


def require_role(*roles: str) -> None:
    """403 unless the token's user is an admin or holds one of ``roles``."""
    if g.api_user.role != "admin" and g.api_user.role not in roles:
        raise Forbidden(f"this needs the role: {', '.join(roles)}")
