"""Public notice (公示) of a committee's proposed titles, and the objections (异议) to it.

Secrecy: an objection keeps its reason, the branch it names and the date only — no address,
no time of day, no device. The one-per-device rule is kept in ``notice_devices``, a table
with no link to any objection (an HMAC of the signed device id, never the id itself).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.base import utcnow
from survey.models.organisation import Organisation

OBJECTION_RESULTS = ("verified", "unfounded")


class Notice(db.Model):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)  # the last day objections are taken
    # Where objections may also be made in person (联系人, 电话, 地址): none before 0025.
    contact_person: Mapped[str | None] = mapped_column(String(40))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_address: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    committee: Mapped[Organisation] = relationship()
    entries: Mapped[list[NoticeEntry]] = relationship(
        back_populates="notice", order_by="NoticeEntry.id"
    )


class NoticeEntry(db.Model):
    """A branch on the proposed list."""

    __tablename__ = "notice_entries"
    __table_args__ = (UniqueConstraint("notice_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    notice: Mapped[Notice] = relationship(back_populates="entries")
    organisation: Mapped[Organisation] = relationship()


class NoticeDevice(db.Model):
    """This device has objected to this notice (one per device per notice). No serial id:
    a row numbered in step with the objections would tie a device to its objection."""

    __tablename__ = "notice_devices"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    device_hmac: Mapped[str] = mapped_column(String(64), primary_key=True)


class Objection(db.Model):
    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    lodged_on: Mapped[date] = mapped_column(Date)  # the date only, in Asia/Shanghai
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    result: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str | None] = mapped_column(String(120))
    checked_on: Mapped[date | None] = mapped_column(Date)

    notice: Mapped[Notice] = relationship()
    organisation: Mapped[Organisation] = relationship()
