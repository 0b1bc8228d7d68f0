"""The member roll of a branch: who may be expected at the annual review (never a voter)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.extensions import db

MEMBER_CLASSES = ("full", "probationary")


class Member(db.Model):
    """A member on a branch's roll. Rolls are imported whole: a new roll retires the old
    one (``active`` false) instead of deleting it, so a past count can still be explained.
    Nothing links a member to a ballot or a vote."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    member_class: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_on: Mapped[date | None] = mapped_column(Date)  # 入党时间, when the roster gives it
