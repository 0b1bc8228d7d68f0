"""Settings, read from ``SURVEY_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

# templates/, static/, migrations/: inside the package when installed from a wheel (setup.py
# copies them there), at the repository root in a checkout or an editable install.
_PACKAGE = Path(__file__).resolve().parent.parent  # survey/, or the installed package
ROOT = _PACKAGE if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent

DEFAULTS = {
    "BALLOT_MAX_AGE": 60 * 60 * 24 * 120,  # a card printed for the meeting stays valid 120 days
    # the member's ballot page kept rendered per campaign and language (survey/views/ballot_page.py)
    "BALLOT_PAGE_CACHE": True,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a member may keep the ballot open through a long meeting
    # no pre-ping (a SELECT 1 round trip on every request): a connection dropped by a database
    # restart fails its one request with a 503, SQLAlchemy then invalidates the whole pool and
    # the next request connects afresh (tests/test_faults.py). Hidden parameters: no ballot id
    # in any error message or log (survey/core/database.py enforces it).
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "hide_parameters": True},
    "BABEL_DEFAULT_LOCALE": "zh",
    "SMALL_GROUP_THRESHOLD": 5,
    # SURVEY_TIMEZONE: where people read times, a poll's closing day, the day on exported forms
    "TIMEZONE": "Asia/Shanghai",
    "POLL_MIN_FILL_SECONDS": 2,  # a public poll sent faster than a human can fill it is refused
    "POLL_RATE_LIMIT": "60 per minute",  # answers per IP per campaign (Flask-Limiter syntax)
    "PASSWORD_HASH_METHOD": "scrypt",
    # Redis down: count in each worker's memory instead, and never fail a request over a
    # counter -- above all not after its answer was committed (the deduction runs after).
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    # GB/T 22239-2019 level 3 (docs/compliance.md): the hash of the audit chain, how long its
    # entries are kept, when a staff session ends, what a new password must be
    "CRYPTO": "international",  # SURVEY_CRYPTO: international (SHA-256) | sm (SM3)
    "AUDIT_RETENTION_DAYS": 365,
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    "PASSWORD_MIN_LENGTH": 12,
    "PASSWORD_MIN_CLASSES": 3,  # of four: lower case, upper case, digits, other characters
}
# (setting, env var, type): the level-3 settings read from the environment
GOVERNANCE_SETTINGS = (
    ("CRYPTO", "SURVEY_CRYPTO", str),
    ("AUDIT_RETENTION_DAYS", "SURVEY_AUDIT_RETENTION_DAYS", int),
    ("SESSION_IDLE_MINUTES", "SURVEY_SESSION_IDLE_MINUTES", int),
    ("SESSION_MAX_HOURS", "SURVEY_SESSION_MAX_HOURS", int),
    ("PASSWORD_MIN_LENGTH", "SURVEY_PASSWORD_MIN_LENGTH", int),
    ("PASSWORD_MIN_CLASSES", "SURVEY_PASSWORD_MIN_CLASSES", int),
)
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}  # a hung Redis, not a hung page


def _secret_keys(app: Flask) -> list[str]:
    """Newest first; a development key is kept in the instance folder when none is set."""
    raw = os.environ.get("SURVEY_SECRET_KEYS", "")
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if keys:
        return keys
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return [path.read_text().strip()]


def load(app: Flask, test_config: dict | None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    instance.chmod(0o700)  # the database, its WAL and the secret key live here
    app.config.update(DEFAULTS)
    env = os.environ
    app.config["SQLALCHEMY_DATABASE_URI"] = env.get(
        "SURVEY_DATABASE_URL", f"sqlite:///{Path(app.instance_path) / 'survey.sqlite'}"
    )
    app.config["REDIS_URL"] = env.get("SURVEY_REDIS_URL") or None
    app.config["BASE_URL"] = (env.get("SURVEY_BASE_URL") or "").rstrip("/") or None
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    # Several deployments (or test runs) may share one Redis: keep their counters apart.
    app.config["RATELIMIT_KEY_PREFIX"] = env.get("SURVEY_RATELIMIT_KEY_PREFIX", "survey")
    app.config["TRUSTED_PROXIES"] = int(env.get("SURVEY_TRUSTED_PROXIES", "0"))
    app.config["SESSION_COOKIE_SECURE"] = (app.config["BASE_URL"] or "").startswith("https://")
    if "SURVEY_BALLOT_MAX_AGE" in env:
        app.config["BALLOT_MAX_AGE"] = int(env["SURVEY_BALLOT_MAX_AGE"])
    if "SURVEY_POLL_MIN_FILL_SECONDS" in env:
        app.config["POLL_MIN_FILL_SECONDS"] = float(env["SURVEY_POLL_MIN_FILL_SECONDS"])
    if "SURVEY_TIMEZONE" in env:
        app.config["TIMEZONE"] = env["SURVEY_TIMEZONE"]
    if "SURVEY_POLL_RATE_LIMIT" in env:
        app.config["POLL_RATE_LIMIT"] = env["SURVEY_POLL_RATE_LIMIT"]
    for setting, name, kind in GOVERNANCE_SETTINGS:
        if name in env:
            app.config[setting] = kind(env[name])
    if test_config:
        app.config.update(test_config)
        if "REDIS_URL" in test_config:
            app.config["RATELIMIT_STORAGE_URI"] = test_config["REDIS_URL"] or "memory://"
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", REDIS_TIMEOUTS)
    app.config["LOG_LEVEL"] = env.get("SURVEY_LOG_LEVEL", "INFO").upper()
    app.config["LOG_JSON"] = env.get("SURVEY_LOG_JSON") == "1"
    check_production(app, env)
    check_governance(app.config)
    if not app.config.get("SECRET_KEYS"):
        app.config["SECRET_KEYS"] = _secret_keys(app)
    app.config["SECRET_KEY"] = app.config["SECRET_KEYS"][0]
    app.config["SECRET_KEY_FALLBACKS"] = app.config["SECRET_KEYS"][1:]


class ProductionError(RuntimeError):
    """A production start with a setting that would lose or split data: refuse to start."""


def check_production(app: Flask, env) -> None:
    """``SURVEY_ENV=production``: the keys come from the environment (a key made up in one
    host's instance folder differs on the next host and dies with the folder), and SQLite only
    where the operator says the service runs on one host (a file cannot be shared by hosts)."""
    if env.get("SURVEY_ENV") != "production":
        return
    if not app.config.get("SECRET_KEYS") and not env.get("SURVEY_SECRET_KEYS", "").strip():
        raise ProductionError(
            "SURVEY_ENV=production needs SURVEY_SECRET_KEYS (comma-separated, newest first; "
            "the same on every host), e.g. from: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'"
        )
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    if sqlite and env.get("SURVEY_SINGLE_HOST") != "1":
        raise ProductionError(
            "SURVEY_ENV=production with SQLite: set SURVEY_DATABASE_URL to PostgreSQL "
            "(postgresql+psycopg://…), or SURVEY_SINGLE_HOST=1 if this one host is the whole "
            "service (the SQLite file cannot be shared between hosts)"
        )


def check_governance(config) -> None:
    """Refuse to start on a level-3 setting out of its bounds (a typo must not weaken it)."""
    from survey.core.digests import CRYPTO_MODES

    if config["CRYPTO"] not in CRYPTO_MODES:
        raise ProductionError(f"SURVEY_CRYPTO is one of: {', '.join(CRYPTO_MODES)}")
    if config["AUDIT_RETENTION_DAYS"] < 180:
        raise ProductionError("SURVEY_AUDIT_RETENTION_DAYS is at least 180 (six months)")
    if config["SESSION_IDLE_MINUTES"] < 1 or config["SESSION_MAX_HOURS"] < 1:
        raise ProductionError("SURVEY_SESSION_IDLE_MINUTES and _MAX_HOURS are at least 1")
    if config["PASSWORD_MIN_LENGTH"] < 8 or not 1 <= config["PASSWORD_MIN_CLASSES"] <= 4:
        raise ProductionError(
            "SURVEY_PASSWORD_MIN_LENGTH is at least 8 and SURVEY_PASSWORD_MIN_CLASSES 1 to 4"
        )
