"""A committee's own rating scheme (TOML text, validated by survey.rules.load_scheme), by
version: a version a title was granted on is frozen, and a change makes the next one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.extensions import db
from survey.models.base import utcnow


class CommitteeScheme(db.Model):
    __tablename__ = "committee_schemes"
    __table_args__ = (UniqueConstraint("committee_id", "key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def ref(self) -> str:
        """What a title and a rating record: ``key@version`` (at most 32 characters)."""
        return f"{self.key}@{self.version}"
