"""The append-only audit log: who changed what. Never a voter, never a ballot's use."""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey.models import AuditEntry


def record(session: Session, actor: str, action: str, obj, **detail) -> None:
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            object_type=type(obj).__tablename__,
            object_id=str(obj.id),
            detail=detail,
        )
    )
