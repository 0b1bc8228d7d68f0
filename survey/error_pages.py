"""Every refusal is a readable page in the visitor's language, or a JSON error under /api."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.errors import DomainError

TITLES = {
    400: _l("The form could not be read"),
    401: _l("Please sign in"),
    403: _l("Not open"),
    404: _l("Not found"),
    405: _l("Not allowed"),
    409: _l("Already done"),
    410: _l("No longer valid"),
    413: _l("Too much data"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, field: str | None = None):
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    response = jsonify({"error": error})
    response.status_code = status
    return response


def page(status: int, reason: str, message: str | None = None):
    return (
        render_template(
            "errors/error.html",
            status=status,
            reason=reason,
            title=TITLES.get(status, _l("Error")),
            message=message,
        ),
        status,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            return json_error(exc.status, exc.reason, exc.message, exc.detail.get("field"))
        return page(exc.status, exc.reason)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if wants_json():
            return json_error(400, "csrf", exc.description)
        return page(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            response = json_error(status, exc.name.lower().replace(" ", "_"), exc.description)
            if "Allow" in (headers := dict(exc.get_headers())):
                response.headers["Allow"] = headers["Allow"]  # a 405 names what is allowed
            return response
        return page(status, "http")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if wants_json():
            return json_error(500, "internal", "internal error")
        return page(500, "internal")
