"""Absolute links to this site: on SURVEY_BASE_URL when it is set, else on the request's host.

QR codes, posters and API answers carry links that leave the site (printed, shared in
WeChat), so they must name the public host, not whatever host the request came through.
"""

from __future__ import annotations

from flask import current_app, request, url_for


def external_url(endpoint: str, **values) -> str:
    """The absolute link to ``endpoint`` (as ``url_for``)."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def absolute(path: str) -> str:
    """The absolute link to a path of this site."""
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    return base + path
