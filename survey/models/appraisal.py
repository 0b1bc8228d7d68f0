"""民主评议党员: the members appraised in one campaign, frozen from the roll at creation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.extensions import db


class Appraisee(db.Model):
    """One row of a member appraisal: the member's name and class as the roll had them when
    the campaign was made (a later roll does not change a campaign), the roll row it was
    made from, and the committee's final grade with its reason. Its ballot question is keyed
    ``m_<id>``. Nothing here links a vote to a voter: the grades given are counted per
    question, never per ballot."""

    __tablename__ = "appraisees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    # The roll row it was made from (none on rows made before 0029 whose name was not the
    # branch's only one): personal-data export and erasure follow it, never the name.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    member_class: Mapped[str] = mapped_column(String(16))
    final_grade: Mapped[str | None] = mapped_column(String(32))
    final_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def key(self) -> str:
        return f"m_{self.id}"
