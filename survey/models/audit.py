from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.digests import GENESIS, audit_digest
from survey.core.extensions import db
from survey.models.base import utcnow


class AuditEntry(db.Model):
    """Append-only log of every change made by staff, the CLI or the API (安全审计).

    Each entry carries the hash of the one before it (``prev_hash``) and its own
    (``entry_hash``, over its fields and ``prev_hash``, by ``algorithm``): an entry changed,
    removed or moved with SQL breaks the chain at that entry. Ids are handed out by the chain's
    head (``AuditChain``), one after the other.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    algorithm: Mapped[str] = mapped_column(String(8))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))

    def computed_hash(self) -> str:
        """What ``entry_hash`` must be, from the fields as they are now."""
        return audit_digest(
            self.algorithm,
            entry_id=self.id,
            at=self.at,
            actor=self.actor,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            detail=self.detail,
            prev_hash=self.prev_hash,
        )


class AuditChain(db.Model):
    """The head of the audit chain: one row, locked by every writer so two cannot fork it.

    ``last_id``/``last_hash`` name the newest entry (an entry cut off the end shows as a head
    the entries no longer reach); ``checkpoint_id``/``checkpoint_hash`` the newest pruned one,
    the hash the oldest kept entry must follow (GENESIS while nothing was pruned).
    """

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    checkpoint_id: Mapped[int] = mapped_column(Integer, default=0)
    checkpoint_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


HEAD_ID = 1


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _connection, target: AuditEntry) -> None:
    raise ValueError("the audit log is append-only")
