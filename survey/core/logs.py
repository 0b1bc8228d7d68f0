"""Logging from the environment, and one line a request.

``SURVEY_LOG_LEVEL`` (INFO by default) and ``SURVEY_LOG_JSON=1`` (one JSON object a line, for
a log shipper) configure the root logger once per process; the app's own logger writes
through it. Each request is logged with its method, its **route pattern** (``/b/<token>``),
its status and its duration: never the path, whose ballot token, receipt code or poll slug
beside a time is the one record that could be set beside the votes. A path that matches no
route is logged as ``<unmatched>`` for the same reason.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, request

REQUEST_LOGGER = "survey.request"
QUIET_ROUTES = {"/healthz", "/readyz"}  # a load balancer asks every few seconds: DEBUG only


class JsonLines(logging.Formatter):
    FIELDS = ("method", "route", "status", "ms")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(level: str, as_json: bool) -> None:
    """One stderr handler on the root logger (replaced, not added to, on a second app)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "survey", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.survey = True
    handler.setFormatter(
        JsonLines()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    if not app.testing:  # under pytest the test runner owns the handlers
        from flask.logging import default_handler

        configure(app.config["LOG_LEVEL"], app.config["LOG_JSON"])
        app.logger.removeHandler(default_handler)  # the root handler writes it, once
    log = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
        fields = {"method": request.method, "route": route, "status": response.status_code}
        log.log(level, "%s %s %s %sms", *fields.values(), ms, extra=fields | {"ms": ms})
        return response
