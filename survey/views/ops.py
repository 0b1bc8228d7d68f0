"""Health checks for a load balancer or an orchestrator.

``/healthz``: the process answers (no database: a database outage must not get every app
host restarted). ``/readyz``: the database answers, and Redis when one is configured; 503
with a JSON body naming what failed otherwise, so the balancer sends no member there.
Neither is rate-limited (one balancer address asks often) nor cached.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from survey.core.extensions import db, limiter

bp = Blueprint("ops", __name__)
PROBE_TIMEOUT_S = 1


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return _answer(200, {"status": "ok"})


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks = {"database": _database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis(current_app.config["REDIS_URL"])
    failed = sorted(name for name, state in checks.items() if state != "ok")
    if not failed:
        return _answer(200, {"status": "ok", "checks": checks})
    current_app.logger.warning("not ready: %s", ", ".join(failed))
    message = "not ready: " + ", ".join(failed) + " unavailable"
    body = {"status": "unavailable", "checks": checks}
    return _answer(503, body | {"error": {"code": "not_ready", "message": message}})


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure means "not ready", never a 500
        return f"unavailable ({type(getattr(exc, 'orig', None) or exc).__name__})"
    finally:
        db.session.rollback()


def _redis(url: str) -> str:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=PROBE_TIMEOUT_S, socket_timeout=PROBE_TIMEOUT_S
    )
    try:
        client.ping()
        return "ok"
    except redis.RedisError as exc:
        return f"unavailable ({type(exc).__name__})"
    finally:
        client.close()


def _answer(status: int, body: dict):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
