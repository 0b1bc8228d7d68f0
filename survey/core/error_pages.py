"""Every refusal is a readable page in the visitor's language, or a JSON error under /api."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from survey.core.database import READ_ONLY, outage
from survey.core.errors import DomainError

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
    503: _l("Briefly unavailable"),
}
# A reason whose page title must not read as the generic 409 ("already submitted").
REASON_TITLES = {"already_open": _l("Already open"), "already_closed": _l("Already closed")}
RETRY_AFTER_S = 5  # a restarting database is usually back within seconds
OUTAGE_MESSAGES = {
    "unavailable": "the service is briefly unavailable; nothing was recorded; try again shortly",
    READ_ONLY: "the server cannot write; tell the administrator; nothing was recorded",
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
            title=REASON_TITLES.get(reason) or TITLES.get(status, _l("Error")),
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
        # an error raised after the view (an after-request hook) arrives wrapped in a 500
        if isinstance(exc, InternalServerError) and outage(exc.original_exception):
            return unexpected(exc.original_exception)
        status = exc.code or 500
        if wants_json():
            response = json_error(status, exc.name.lower().replace(" ", "_"), exc.description)
            if "Allow" in (headers := dict(exc.get_headers())):
                response.headers["Allow"] = headers["Allow"]  # a 405 names what is allowed
            return response
        return page(status, "http")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        kind = outage(exc)
        if kind:
            return unavailable(app, kind, exc)
        app.logger.exception("unhandled error")
        if wants_json():
            return json_error(500, "internal", "internal error")
        return page(500, "internal")


def unavailable(app: Flask, kind: str, exc: BaseException):
    """The database is down or cannot write: 503, one log line, no traceback.

    The line names the endpoint, never the path: a ballot URL with a time is the one record
    that could be set beside the votes. The driver's first line says what failed; the SQL
    parameters are hidden by the engine.
    """
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).splitlines() or [""])[0][:200]
    app.logger.warning(
        "database %s: 503 for %s %s (%s: %s)",
        kind,
        request.method,
        request.endpoint,
        type(cause).__name__,
        first,
    )
    if wants_json():
        response = json_error(503, kind, OUTAGE_MESSAGES[kind])
    else:
        response = app.make_response(page(503, kind))
    if kind != READ_ONLY:  # a full disk or a read-only file waits for the administrator
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response
