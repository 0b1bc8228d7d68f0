"""Settings, read from ``SURVEY_*`` environment variables."""

from __future__ import annotations

import math
import os
import re
import secrets
from collections import Counter
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
    # ... and at most this many a day from one address (a committee may raise it for a poll
    # answered from a known shared address: docs/reliability.md, poll stuffing)
    "POLL_DAILY_LIMIT": 200,
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
    "PASSWORD_MAX_AGE_DAYS": 0,  # 0: passwords never expire (NIST SP 800-63B); on if asked
    # SURVEY_DATABASE_READ_URL: a streaming replica for the heavy reads (committee summaries,
    # rating pages, exports; never a ballot or poll path), used while it lags the primary by
    # at most SURVEY_DATABASE_READ_MAX_LAG_SECONDS (survey/core/replica.py)
    "DATABASE_READ_URL": None,
    "DATABASE_READ_MAX_LAG_SECONDS": 30.0,
    # SURVEY_DATABASE_POOLER=transaction: behind PgBouncer's transaction pooling (psycopg
    # prepares no statement: a prepared statement lives in one server connection)
    "DATABASE_POOLER": None,
}
POOLERS = ("transaction",)
# (setting, env var, type): the level-3 settings read from the environment
GOVERNANCE_SETTINGS = (
    ("CRYPTO", "SURVEY_CRYPTO", str),
    ("AUDIT_RETENTION_DAYS", "SURVEY_AUDIT_RETENTION_DAYS", int),
    ("SESSION_IDLE_MINUTES", "SURVEY_SESSION_IDLE_MINUTES", int),
    ("SESSION_MAX_HOURS", "SURVEY_SESSION_MAX_HOURS", int),
    ("PASSWORD_MIN_LENGTH", "SURVEY_PASSWORD_MIN_LENGTH", int),
    ("PASSWORD_MIN_CLASSES", "SURVEY_PASSWORD_MIN_CLASSES", int),
    ("PASSWORD_MAX_AGE_DAYS", "SURVEY_PASSWORD_MAX_AGE_DAYS", int),
)
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}  # a hung Redis, not a hung page


# The development key lives apart from the instance folder that holds the database: a copy of
# that folder (a backup, a laptop, a zip sent for help) must not carry the key that opens
# its sealed votes and signs its ballot links. SURVEY_SECRET_KEY_FILE overrides the place.
DEV_KEY_NAME = "secret_key"
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def dev_key_path(env=os.environ) -> Path:
    """Where ``make run`` keeps its development key: ``SURVEY_SECRET_KEY_FILE``, else
    ``$XDG_CONFIG_HOME/survey/secret_key`` (``~/.config/survey/secret_key``)."""
    if env.get("SURVEY_SECRET_KEY_FILE"):
        return Path(env["SURVEY_SECRET_KEY_FILE"]).expanduser()
    config_home = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "survey" / DEV_KEY_NAME


def _read_keys(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def _private_copy(path: Path, keys: list[str]) -> Path:
    """A new file beside ``path`` holding ``keys``, 0600 from its creation (never readable
    by others, even for a moment), in a 0700 folder of its own."""
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w") as out:
        out.write("".join(f"{key}\n" for key in keys))
    return temporary


def _development_keys(app: Flask) -> list[str]:
    """The development key file's keys (one a line, newest first), made once: by a hard link
    of a complete file, so that two workers starting together end with the same key. A key an
    older version kept in the instance folder is moved there, once, with a warning: the
    campaigns it sealed still open, and the folder no longer carries it."""
    path, instance = dev_key_path(), Path(app.instance_path).resolve()
    if path.resolve().is_relative_to(instance):
        raise KeyBesideData(
            f"SURVEY_SECRET_KEY_FILE={path} is inside the instance folder {instance}, beside "
            "the database: one copy of that folder would open everything; choose a path outside it"
        )
    beside = instance / DEV_KEY_NAME
    try:
        moved = _read_keys(beside)
    except FileNotFoundError:
        moved = None
    if moved is not None:
        keys = _read_keys(path) if path.exists() else []
        # after the file's own keys (if any): it stays the newest, the moved one still opens
        os.replace(_private_copy(path, keys + [k for k in moved if k not in keys]), path)
        beside.unlink(missing_ok=True)
        app.logger.warning(
            "the development secret key was beside the database in %s; moved to %s "
            "(never copy that folder and this file together)",
            beside.parent,
            path,
        )
    if not path.exists():
        made = _private_copy(path, [secrets.token_urlsafe(48)])
        try:
            os.link(made, path)  # only if there is none: a worker starting beside keeps its own
        except FileExistsError:
            pass
        finally:
            made.unlink()
    keys = _read_keys(path)
    if not keys:  # an emptied file: a new key (nothing could have been sealed by none)
        keys = [secrets.token_urlsafe(48)]
        os.replace(_private_copy(path, keys), path)
    return keys


class KeyBesideData(RuntimeError):
    """The development key file set inside the instance folder that holds the database."""


def _secret_keys(app: Flask) -> list[str]:
    """Newest first: SURVEY_SECRET_KEYS, else the development key (``dev_key_path``)."""
    raw = os.environ.get("SURVEY_SECRET_KEYS", "")
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    return keys or _development_keys(app)


def load(app: Flask, test_config: dict | None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    instance.chmod(0o700)  # the database and its WAL live here (never the key: dev_key_path)
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
    if "SURVEY_POLL_DAILY_LIMIT" in env:
        app.config["POLL_DAILY_LIMIT"] = int(env["SURVEY_POLL_DAILY_LIMIT"])
    _database_settings(app.config, env)
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


def _database_settings(config, env) -> None:
    """The read replica and the pooler in front of PostgreSQL; a pooler this service does not
    know refuses the start (a typo would leave psycopg preparing statements behind PgBouncer)."""
    read = env.get("SURVEY_DATABASE_READ_URL")
    if read:
        primary = config.get("SQLALCHEMY_DATABASE_URI") or "postgresql"
        if not (read.startswith("postgresql") and primary.startswith("postgresql")):
            raise ProductionError(
                "SURVEY_DATABASE_READ_URL is a streaming replica of the PostgreSQL database in "
                "SURVEY_DATABASE_URL (postgresql+psycopg://…)"
            )
        config["DATABASE_READ_URL"] = read
    if "SURVEY_DATABASE_READ_MAX_LAG_SECONDS" in env:
        config["DATABASE_READ_MAX_LAG_SECONDS"] = float(env["SURVEY_DATABASE_READ_MAX_LAG_SECONDS"])
    pooler = env.get("SURVEY_DATABASE_POOLER", "").strip()
    if pooler and pooler not in POOLERS:
        raise ProductionError(
            f"SURVEY_DATABASE_POOLER is one of: {', '.join(POOLERS)} (or unset), not {pooler!r}"
        )
    if pooler:
        config["DATABASE_POOLER"] = pooler


MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
# 32 random bytes: 43 characters of base64url (token_urlsafe(32)), 64 of hex (token_hex(32))
MIN_KEY_CHARS, MIN_HEX_KEY_CHARS = 43, 64
# Bits per character of the key's own character frequencies: ~4.9 for 43 base64url chars,
# ~3.8 for 64 hex chars drawn at random; words and patterns fall below.
MIN_BITS_PER_CHAR = 3.0
# Words a key is replaced by in examples and placeholders (compared lower-case, letters and
# digits only): deploy/survey.env.example ships CHANGE-ME.
PLACEHOLDERS = frozenset(
    {"changeme", "secret", "secretkey", "password", "default", "example", "test", "dev"}
    | {"development", "key", "insecure", "replaceme", "todo", "xxx", "none", "null"}
)
PLACEHOLDER_PARTS = ("changeme", "replaceme", "placeholder", "yoursecret", "example", "insecure")


def weak_key(entries: list[str]) -> str | None:
    """Why a list of secret keys is unfit for production (one phrase that never quotes a
    key), or None: an empty entry (``a,,b``, a trailing comma), a placeholder or word, fewer
    than 32 random bytes, or text rather than random characters."""
    count = len(entries)
    for n, entry in enumerate(entries, 1):
        key, which = entry.strip(), f"entry {n} of {count}"
        if not key:
            return f"{which} is empty (a doubled, leading or trailing comma)"
        plain = re.sub(r"[^a-z0-9]", "", key.lower())
        if plain in PLACEHOLDERS or any(part in plain for part in PLACEHOLDER_PARTS):
            return f"{which} is a placeholder, not a key"
        hex_only = re.fullmatch(r"[0-9a-fA-F]+", key) is not None
        least = MIN_HEX_KEY_CHARS if hex_only else MIN_KEY_CHARS
        if len(key) < least:
            kind = "hex characters" if hex_only else "characters"
            return (
                f"{which} has {len(key)} {kind}, fewer than 32 random bytes "
                f"(at least {MIN_KEY_CHARS} base64url or {MIN_HEX_KEY_CHARS} hex characters)"
            )
        if re.fullmatch(r"(.+?)\1+", key) or _bits_per_char(key) < MIN_BITS_PER_CHAR:
            return f"{which} is a word or a pattern, not random characters"
    return None


def _bits_per_char(key: str) -> float:
    counts = Counter(key)
    return -sum(c / len(key) * math.log2(c / len(key)) for c in counts.values())


class ProductionError(RuntimeError):
    """A production start with a setting that would lose or split data: refuse to start."""


def check_production(app: Flask, env) -> None:
    """``SURVEY_ENV=production``: the keys come from the environment (a key made up in one
    host's instance folder differs on the next host and dies with the folder), and SQLite only
    where the operator says the service runs on one host (a file cannot be shared by hosts)."""
    if env.get("SURVEY_ENV") != "production":
        return
    raw = env.get("SURVEY_SECRET_KEYS", "")
    if not app.config.get("SECRET_KEYS") and not raw.strip():
        raise ProductionError(
            "SURVEY_ENV=production needs SURVEY_SECRET_KEYS (comma-separated, newest first; "
            f"the same on every host), e.g. from: {MAKE_A_KEY}"
        )
    weak = weak_key(app.config.get("SECRET_KEYS") or raw.split(","))
    if weak:
        raise ProductionError(
            f"SURVEY_ENV=production refuses SURVEY_SECRET_KEYS: {weak}; make a key with: "
            f"{MAKE_A_KEY}"
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
    if config["PASSWORD_MAX_AGE_DAYS"] < 0:
        raise ProductionError("SURVEY_PASSWORD_MAX_AGE_DAYS is 0 (off) or more")
    if config["PASSWORD_MIN_LENGTH"] < 8 or not 1 <= config["PASSWORD_MIN_CLASSES"] <= 4:
        raise ProductionError(
            "SURVEY_PASSWORD_MIN_LENGTH is at least 8 and SURVEY_PASSWORD_MIN_CLASSES 1 to 4"
        )
