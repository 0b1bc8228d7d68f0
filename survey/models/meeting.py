"""会议记录: what the minutes say of the meeting itself -- where and when it was held and who
attended -- entered by the secretary on the minutes page. Nothing here touches the sealed
result: the tally printed beside it is read from the snapshot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.extensions import db
from survey.models.base import utcnow


class MeetingRecord(db.Model):
    """One per campaign: 会议地点, 会议时间, 应到/实到, 缺席 and 列席 (names as written)."""

    __tablename__ = "meeting_records"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    place: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC, as every stored time
    expected: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    absent: Mapped[str | None] = mapped_column(String(500))
    guests: Mapped[str | None] = mapped_column(String(500))
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
