"""The heavy reads from a streaming replica (``SURVEY_DATABASE_READ_URL``), with the primary
as their fallback, and how fresh the figures read are.

The committee summaries, the rating pages and the exports call ``read(work)``: ``work`` gets
a session on the replica when the replica answers and lags the primary by at most
``SURVEY_DATABASE_READ_MAX_LAG_SECONDS``, else ``db.session`` (the primary). The ballot and
poll paths never call it: a cast reads and writes the primary only.

Lag: the replica has replayed the primary's current WAL position (``pg_current_wal_lsn()``)
-- nothing to wait for, its figures are as of now -- or else its last replayed transaction
(``pg_last_xact_replay_timestamp()``) is that old. A replica that cannot be reached or fails
mid-read is left alone for ``RETRY_AFTER_S`` (no page waits for its connect timeout twice).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from flask import current_app
from flask_babel import gettext
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from survey.core.database import drop_if_server_hung_up, engine_options
from survey.core.extensions import db
from survey.core.timezone import local_today, localtime, to_local, zone_name

log = logging.getLogger("survey.replica")
T = TypeVar("T")
RETRY_AFTER_S = 10
PRIMARY, REPLICA = "primary", "replica"
DOWN, LAGGING = "down", "lagging"
REPLAYED = text(
    "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), CAST(:lsn AS pg_lsn)),"
    " pg_last_xact_replay_timestamp(), now()"
)


@dataclass(frozen=True)
class Freshness:
    """Where the figures were read and as of when (aware UTC); ``fell_back`` names why the
    primary answered although a replica is configured (``down`` or ``lagging``)."""

    source: str
    as_of: datetime
    fell_back: str | None = None
    configured: bool = False


class Replica:
    """The read engine of one app, made on first use, and when it last failed."""

    def __init__(self, url: str, config):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        self.engine = create_engine(url, **engine_options(config, url))
        event.listen(self.engine, "checkout", drop_if_server_hung_up)
        self.max_lag = float(config["DATABASE_READ_MAX_LAG_SECONDS"])
        self.dead_until = 0.0

    def failed(self, exc: BaseException) -> None:
        log.warning("read replica unusable, reading the primary: %s", _first_line(exc))
        self.dead_until = time.monotonic() + RETRY_AFTER_S
        self.engine.dispose()

    def lag(self, session: Session, primary_lsn: str) -> tuple[float, datetime]:
        """Seconds behind the primary (0 when caught up) and the time its figures are as of."""
        recovering, behind, replayed, now = session.execute(REPLAYED, {"lsn": primary_lsn}).one()
        if not recovering or behind >= 0:
            return 0.0, now
        if replayed is None:
            return float("inf"), now
        return max(0.0, (now - replayed).total_seconds()), replayed


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).splitlines() or [type(exc).__name__])[0][:200]


def _replica() -> Replica | None:
    app = current_app._get_current_object()
    url = app.config.get("DATABASE_READ_URL")
    if not url or db.engine.dialect.name != "postgresql":
        return None
    if "survey_replica" not in app.extensions:
        app.extensions["survey_replica"] = Replica(url, app.config)
    return app.extensions["survey_replica"]


def _primary(work: Callable[[Session], T], configured: bool, why: str | None):
    return work(db.session), Freshness(PRIMARY, datetime.now(UTC), why, configured)


def read(work: Callable[[Session], T], since: datetime | None = None) -> tuple[T, Freshness]:
    """``work(session)`` on the replica when it is up and fresh, else on the primary.

    ``since`` (naive UTC, as stored): the replica must hold what was written then, e.g. a
    campaign's close, whatever the lag allowed (a campaign's export just after its close)."""
    replica = _replica()
    if replica is None:
        return _primary(work, False, None)
    if time.monotonic() < replica.dead_until:
        return _primary(work, True, DOWN)
    primary_lsn = db.session.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
    try:
        with Session(replica.engine) as session:
            lag, as_of = replica.lag(session, primary_lsn)
            if lag > replica.max_lag:
                log.warning("read replica %.0f s behind, reading the primary", lag)
                return _primary(work, True, LAGGING)
            if since is not None and as_of < since.replace(tzinfo=UTC):
                return _primary(work, True, LAGGING)
            result = work(session)  # closed, not rolled back: its objects stay loaded
    except DBAPIError as exc:
        replica.failed(exc)
        return _primary(work, True, DOWN)
    return result, Freshness(REPLICA, as_of.astimezone(UTC), None, True)


def note(fresh: Freshness) -> str:
    """数据截至 14:05（北京时间） -- and why the primary answered, when it did; "" when no
    replica is configured (the figures are then the database's own, as of the page)."""
    if not fresh.configured:
        return ""
    local = to_local(fresh.as_of)
    clock = local.strftime("%H:%M") if local.date() == local_today() else localtime(fresh.as_of)
    zone = zone_name(current_app.config["TIMEZONE"])
    line = gettext("Figures as of %(time)s (%(zone)s)", time=clock, zone=zone)
    if fresh.fell_back == DOWN:
        return line + gettext("; read from the main database: the reporting copy did not answer")
    if fresh.fell_back == LAGGING:
        return line + gettext("; read from the main database: the reporting copy is behind")
    return line
