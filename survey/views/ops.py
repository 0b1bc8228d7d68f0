"""Health checks for a load balancer or an orchestrator.

``/healthz``: the process answers (no database: a database outage must not get every app
host restarted). ``/readyz``: 200 while the database answers, 503 with a JSON body naming it
otherwise, so the balancer sends no member there. Two things that do not stop the host are
reported in the body with ``"status": "degraded"`` and still 200: Redis down (every request
keeps working; the rate limits count in each worker's memory until it returns), and a
database that answers but refuses writes (read-only, disk full: reading keeps working, votes
are refused with 503 "tell the administrator"), found by ``database_writes``, a one-row
write of nothing (alembic_version set to itself) committed. Neither endpoint is
rate-limited (one balancer address asks often) nor cached (docs/deploy.md).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from survey.core.database import READ_ONLY, outage
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
    if checks["database"] == "ok":
        checks["database_writes"] = _database_writes()
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis(current_app.config["REDIS_URL"])
    failed = sorted(name for name, state in checks.items() if state != "ok")
    if checks["database"] == "ok":
        status = "degraded" if failed else "ok"
        if failed:
            current_app.logger.warning("degraded: %s", ", ".join(failed))
        return _answer(200, {"status": status, "checks": checks})
    current_app.logger.warning("not ready: %s", ", ".join(failed))
    message = "not ready: database unavailable"
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


def _database_writes() -> str:
    """ "ok" when a write commits; "read_only (…)" when the database refuses it (a read-only
    transaction or file, a full disk), "unavailable (…)" for anything else."""
    try:
        db.session.execute(text("UPDATE alembic_version SET version_num = version_num"))
        db.session.commit()
        return "ok"
    except Exception as exc:  # any failure is reported, never a 500
        db.session.rollback()
        kind = "read_only" if outage(exc) == READ_ONLY else "unavailable"
        return f"{kind} ({type(getattr(exc, 'orig', None) or exc).__name__})"


def _redis(url: str) -> str:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=PROBE_TIMEOUT_S, socket_timeout=PROBE_TIMEOUT_S
    )
    try:
        client.ping()
        return "ok"
    except redis.RedisError as exc:  # the limits count in each worker's memory meanwhile
        return f"degraded ({type(exc).__name__}): rate limits count per worker"
    finally:
        client.close()


def _answer(status: int, body: dict):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
