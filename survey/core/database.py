"""Engine set-up: connections, write locks, faults and the schema's migrations.

The commit has one owner, ``survey.core.transactions``, which only the doors import.

SQLite: WAL, a busy timeout and ``secure_delete`` (a deleted envelope is overwritten, not left
in a free page) on every connection; the database, -wal and -shm files readable by the owner
only (0600); write transactions opened with ``BEGIN IMMEDIATE``: a deferred transaction
that upgrades to a write lock skips the busy timeout and fails with "database is locked".
PostgreSQL: serialization failures and
deadlocks are retried a bounded number of times.

Faults: ``outage(exc)`` tells a database that cannot be reached (or cannot write) from a
bug, so that the request is answered 503 with one log line instead of a 500 and a traceback.
SQL parameters are never logged: they hold ballot ids, which beside a timestamp would say
when a card was used.
"""

from __future__ import annotations

import errno
import logging
import os
import pwd
import select as _select
import sys
from urllib.parse import quote

import click
from flask import Flask, current_app, request
from sqlalchemy import event, make_url, select
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, scoped_session

from survey.core.config import ROOT
from survey.core.extensions import db

log = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SQLITE_BUSY_TIMEOUT_MS = 10_000
PRIVATE_FILE = 0o600


def _private_files(path: str) -> None:
    """The database and its -wal and -shm: owner only (SQLite gives the -wal and -shm the
    database file's mode, so the database is created 0600 before SQLite opens it). Modes are
    only narrowed: a file its administrator made read-only stays read-only."""
    if not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    for name in (path, f"{path}-wal", f"{path}-shm"):
        if not os.path.exists(name):
            continue
        mode = os.stat(name).st_mode & 0o777
        if mode & ~0o700:
            try:
                os.chmod(name, mode & 0o700)
            except OSError as exc:  # a read-only file system: nothing can change it anyway
                if exc.errno != errno.EROFS:
                    raise


class DatabaseFileError(SystemExit):
    """The SQLite file cannot be used by this service: one line naming it and the fix, then
    exit code 3, gunicorn's "worker failed to boot" (the arbiter halts, no respawn loop)."""

    def __init__(self, line: str):
        print(f"survey: {line}", file=sys.stderr, flush=True)
        super().__init__(3)
        self.line = line


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def check_database_file(path: str) -> bool:
    """Refuse to start (DatabaseFileError) when the SQLite file at ``path`` belongs to
    another user or cannot be created; True when this service can write it (and its folder,
    where SQLite keeps the -wal and -shm), False when it can only read it."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    me = os.geteuid()
    if not os.path.exists(path):
        if not os.access(folder, os.W_OK):
            raise DatabaseFileError(
                f"cannot create the database file {path}: its folder {folder} is not "
                f"writable by user {_user_name(me)}; fix: chown {_user_name(me)} {folder}"
            )
        return True
    owner = os.stat(path).st_uid
    if owner != me and me != 0:
        raise DatabaseFileError(
            f"the database file {path} belongs to user {_user_name(owner)}, and this service "
            f"runs as {_user_name(me)}; fix: chown {_user_name(me)} {path} {path}-wal "
            f"{path}-shm (those that exist), or run the service as {_user_name(owner)}"
        )
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def _read_only_uri(path: str) -> str | None:
    """The URI that reads a database this service cannot write: after a clean stop (no
    -wal left to replay) SQLite is told the file will not change, so it needs no -shm it
    could not create; None when a -wal holds data (its pages need SQLite's shared index)."""
    wal = f"{path}-wal"
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        return None
    return f"sqlite:///file:{quote(os.path.abspath(path))}?mode=ro&immutable=1&uri=true"


POSTGRES_CONNECT_TIMEOUT_S = 5  # an unreachable host fails the request soon, not in minutes
# The database refuses writes: read-only transaction, disk full (PostgreSQL SQLSTATEs) ...
READ_ONLY_SQLSTATES = {"25006", "53100"}
# ... or SQLite's words for the same (a read-only file, a full disk).
READ_ONLY_SQLITE = ("readonly database", "disk is full", "disk i/o error")
UNAVAILABLE = "unavailable"
READ_ONLY = "read_only"


def _configure_sqlite(engine) -> None:
    path = engine.url.database
    on_disk = path not in (None, "", ":memory:") and not path.startswith("file:")
    if on_disk:
        _private_files(path)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        if on_disk:
            _private_files(path)

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def init_app(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
    uri = _sqlite_file_checked(uri)
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config, uri)
    db.init_app(app)

    # Registered after Flask-SQLAlchemy's own, so it runs first: a session whose connection
    # died with the server (a restart, an outage) cannot even roll back, and that failure in
    # the teardown would turn an answered 503 into a 500.
    @app.teardown_appcontext
    def remove_session_even_on_a_dead_connection(_exc):
        try:
            db.session.remove()
        except DBAPIError:
            current = db.session()  # the scoped session's own Session
            try:
                current.invalidate()  # drop the dead connection without a ROLLBACK
            finally:
                db.session.registry.clear()

    if click.get_current_context(silent=True) is not None:  # the ``flask`` command line
        migrations(app)  # its ``flask db`` commands
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)

            @app.before_request
            def writes_lock_first():
                # A request that may write holds the write lock from its first statement:
                # a read snapshot upgraded later fails at once when another writer came
                # between, whatever the busy timeout.
                if request.method not in SAFE_METHODS:
                    begin_write(db.session)

        elif not app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"]:
            event.listen(db.engine, "checkout", drop_if_server_hung_up)


def _sqlite_file_checked(uri: str) -> str:
    """The URI to open: a SQLite file this service may only read is opened read-only (pages
    that read keep working; a write is refused, and answered 503 "tell the administrator")."""
    url = make_url(uri)
    path = url.database
    if url.get_backend_name() != "sqlite" or path in (None, "", ":memory:"):
        return uri
    if path.startswith("file:"):
        return uri
    if check_database_file(path):
        return uri
    read_only = _read_only_uri(path)
    if read_only is None:
        return uri
    logging.getLogger("survey").warning(
        "database file %s cannot be written by this service: serving reads only", path
    )
    return read_only


def drop_if_server_hung_up(dbapi_connection, _record, _proxy) -> None:
    """A pooled PostgreSQL connection is idle between requests: if its socket has anything to
    read, the server hung up (a restart or ``pg_terminate_backend`` sends its FATAL and
    closes). Then the pool replaces it before use -- what ``pool_pre_ping`` does, without its
    ``SELECT 1`` round trip on every request (one non-blocking poll instead). Anything else
    an idle backend may send unasked (a ParameterStatus after a configuration reload; we
    LISTEN to nothing) costs one reconnect, never an error."""
    try:
        if dbapi_connection.closed or _select.select([dbapi_connection.fileno()], [], [], 0)[0]:
            raise DisconnectionError("the server closed this connection")
    except (OSError, ValueError) as exc:
        raise DisconnectionError("the connection's socket is gone") from exc


def engine_options(config, uri: str) -> dict:
    """The configured options, with SQL parameters hidden from every message and log whatever
    the configuration says, and a bounded connect time on PostgreSQL."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["hide_parameters"] = True
    # No pre-ping by default: a dropped connection costs one request a 503 (outage() below),
    # then the pool is invalidated and refilled; a ping would cost every request a round trip.
    options.setdefault("pool_pre_ping", False)
    if uri.startswith("postgresql"):
        connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
        if config.get("DATABASE_POOLER") == "transaction":
            # PgBouncer's transaction pooling hands each transaction any server connection:
            # a statement psycopg prepared on one is unknown on the next ("prepared statement
            # _pg3_0 does not exist"). PgBouncer 1.18 (Debian 12) cannot track them.
            connect_args["prepare_threshold"] = None
        options["connect_args"] = connect_args | dict(options.get("connect_args") or {})
    return options


def outage(exc: BaseException) -> str | None:
    """``READ_ONLY`` when the database refuses to write, ``UNAVAILABLE`` when it cannot be
    reached or dropped the connection, ``None`` for anything else (a bug: a 500)."""
    if isinstance(exc, DBAPIError):
        if getattr(exc.orig, "sqlstate", None) in READ_ONLY_SQLSTATES:
            return READ_ONLY
        if any(words in str(exc.orig).lower() for words in READ_ONLY_SQLITE):
            return READ_ONLY
        if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
            return UNAVAILABLE
    if isinstance(exc, PoolTimeout):  # every pooled connection busy for the pool's timeout
        return UNAVAILABLE
    return None


def migrations(app: Flask):
    """Flask-Migrate, for the schema commands only: alembic and mako with it cost a web worker
    11 MB it never uses. Registered at start under the ``flask`` command line (for ``flask
    db``), else on first need (``upgrade`` below: the tests, the bench, a script)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    return app.extensions["migrate"]


def upgrade(revision: str = "head") -> None:
    """The schema to ``revision`` (the newest by default), in the current app's context."""
    from flask_migrate import upgrade as migrate_upgrade

    migrations(current_app._get_current_object())
    before = _revision()
    migrate_upgrade(revision=revision)
    if _revision() != before:  # something ran: dropped rows may sit in free pages
        compact_sqlite()


def _revision() -> str | None:
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def compact_sqlite() -> None:
    """SQLite: rewrite the file without its free pages (``VACUUM``) and empty the WAL.
    ``secure_delete`` zeroes a deleted row's bytes, but a dropped table's pages (revision
    0014 drops the ballot-by-ballot tables) and the WAL's frames keep copies until the file
    is rebuilt and the WAL checkpointed. VACUUM cannot run inside a transaction, hence here,
    after the migrations committed, on a raw connection (pysqlite's own autocommit: the
    engine's "begin" event would open a transaction first). Any reader left open would keep
    the WAL's old frames: the pool's idle connections are closed first (the caller's session
    must hold no transaction open, as in ``init-db``)."""
    engine = db.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    engine.dispose()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM")
        busy, _frames, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        raw.close()
    if busy:
        log.warning("the WAL could not be emptied (another process reads): run init-db again")


def _migrations_dir():
    return ROOT / "migrations"


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def begin_write(session: Session) -> None:
    """End any read transaction and start one that holds the write lock from its start.

    A transaction that already holds it (a POST request's, on SQLite) is kept: taking the
    lock twice would only cost the ballot POST a second round of waiting.
    """
    if is_sqlite(session):
        current = session() if isinstance(session, scoped_session) else session
        if current.in_transaction() and _holds_write_lock(current):
            return
        session.rollback()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    else:
        session.rollback()


def _holds_write_lock(session: Session) -> bool:
    return session.connection().get_execution_options().get("sqlite_begin") == "IMMEDIATE"


def lock(session: Session, model, row_id) -> None:
    """Hold ``row_id``'s row for the rest of the transaction, so that a check-then-insert
    under it runs one at a time (PostgreSQL; SQLite's IMMEDIATE transaction already does)."""
    session.execute(select(model.id).where(model.id == row_id).with_for_update())
