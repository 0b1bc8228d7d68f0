"""The append-only audit log: who changed what. Never a voter, never a ballot's use.

Entries form a hash chain (``AuditEntry``): appending locks the chain's head row, so two
writers at once queue instead of forking it; the lock is held until the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from survey.core.digests import CRYPTO_MODES, GENESIS, plain_json
from survey.models import AuditChain, AuditEntry
from survey.models.audit import HEAD_ID
from survey.models.base import utcnow

MIN_RETENTION_DAYS = 180  # GB/T 22239-2019 8.1.4.3 c: audit records kept at least six months


def record(session: Session, actor: str, action: str, obj, **detail) -> AuditEntry:
    """One entry naming ``obj`` (a flushed row: its table and id)."""
    return record_event(session, actor, action, type(obj).__tablename__, str(obj.id), **detail)


def record_event(
    session: Session, actor: str, action: str, object_type: str, object_id: str | None, **detail
) -> AuditEntry:
    """One entry naming its object by table name and id (a failed sign-in may name none)."""
    last_id, last_hash = _lock_head(session)
    entry = AuditEntry(
        id=last_id + 1,
        at=utcnow(),
        actor=actor[:120],
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=plain_json(detail),
        algorithm=_algorithm(),
        prev_hash=last_hash,
    )
    entry.entry_hash = entry.computed_hash()
    session.add(entry)
    session.execute(
        update(AuditChain)
        .where(AuditChain.id == HEAD_ID)
        .values(last_id=entry.id, last_hash=entry.entry_hash)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return entry


def _algorithm() -> str:
    mode = current_app.config.get("CRYPTO", "international") if has_app_context() else None
    return CRYPTO_MODES[mode or "international"]


def _lock_head(session: Session) -> tuple[int, str]:
    """The newest entry's id and hash, with the head row locked until the commit (PostgreSQL
    ``FOR UPDATE``; SQLite's write transaction already runs alone)."""
    query = (
        select(AuditChain.last_id, AuditChain.last_hash)
        .where(AuditChain.id == HEAD_ID)
        .with_for_update()
    )
    row = session.execute(query).one_or_none()
    if row is None:
        _create_head(session)
        row = session.execute(query).one()
    return row.last_id, row.last_hash


def _create_head(session: Session) -> None:
    """A head continuing from the newest entry, if any (a new database: GENESIS). Two writers
    creating it at once: one insert wins, the other does nothing and then waits on its lock."""
    newest = session.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).one_or_none()
    values = {
        "id": HEAD_ID,
        "last_id": newest.id if newest else 0,
        "last_hash": newest.entry_hash if newest else GENESIS,
        "checkpoint_id": 0,
        "checkpoint_hash": GENESIS,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(AuditChain).values(values).on_conflict_do_nothing())


@dataclass(frozen=True)
class Pruned:
    count: int
    through_id: int
    checkpoint_hash: str


def prune(session: Session, actor: str, before: datetime) -> Pruned:
    """Remove the entries older than ``before`` (the oldest ones, up to the newest of them),
    keeping the chain verifiable: the head records the hash of the last removed entry as its
    checkpoint, and an ``audit.prune`` entry in the chain itself says the same."""
    _lock_head(session)
    through = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.at < before))
    if through is None:
        return Pruned(0, 0, "")
    checkpoint = session.scalar(select(AuditEntry.entry_hash).where(AuditEntry.id == through))
    count = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.id <= through))
    session.execute(delete(AuditEntry).where(AuditEntry.id <= through))
    session.execute(
        update(AuditChain)
        .where(AuditChain.id == HEAD_ID)
        .values(checkpoint_id=through, checkpoint_hash=checkpoint)
        .execution_options(synchronize_session=False)
    )
    record_event(
        session,
        actor,
        "audit.prune",
        "audit_entries",
        str(through),
        count=count,
        before=before.isoformat(timespec="seconds"),
        checkpoint=checkpoint,
    )
    return Pruned(count, through, checkpoint)
