from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.base import utcnow
from survey.models.organisation import Organisation


class CampaignStatus(StrEnum):
    """A campaign's life (docs/design.md "Campaign life"): draft -> open -> closed, never back."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    def next_states(self) -> tuple[CampaignStatus, ...]:
        return TRANSITIONS[self]


TRANSITIONS: dict[CampaignStatus, tuple[CampaignStatus, ...]] = {
    CampaignStatus.DRAFT: (CampaignStatus.OPEN,),
    CampaignStatus.OPEN: (CampaignStatus.CLOSED,),
    CampaignStatus.CLOSED: (),
}
STATUS_CHECK = "status IN ('draft', 'open', 'closed')"
SEALING_MODES = ("server", "scrutineers")
SEALING_CHECK = "sealing IN ('server', 'scrutineers')"


class Campaign(db.Model):
    """One review or poll of one organisation in one year."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(STATUS_CHECK, name="status"),
        CheckConstraint(SEALING_CHECK, name="sealing"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[CampaignStatus] = mapped_column(String(16), default=CampaignStatus.DRAFT)
    slug: Mapped[str | None] = mapped_column(String(64), unique=True)
    geofence: Mapped[str] = mapped_column(String(16), default="off")
    eligible_full: Mapped[int | None] = mapped_column(Integer)
    eligible_probationary: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # how many envelopes the close opened (the counts alone cannot say it: an appraisal's
    # rows may be left blank)
    votes_counted: Mapped[int | None] = mapped_column(Integer)
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    closes_on: Mapped[date | None] = mapped_column(Date)  # shown on the public poll's poster
    # Member appraisal (民主评议党员) settings: must every row be graded, and the highest
    # share of 优秀 the final grades may give (None: no cap). No grade word in a column name:
    # tests/test_sealed_box.py scans the raw database file for them while voting is open.
    all_rows_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    top_grade_cap_percent: Mapped[int | None] = mapped_column(Integer)
    # Who holds the key of the ballot box (survey/ballotbox/scrutineers.py): "server" (its
    # secret keys) or "scrutineers" (k of n cards; only the public key is kept here).
    sealing: Mapped[str] = mapped_column(String(16), default="server", server_default="server")
    scrutineers_k: Mapped[int | None] = mapped_column(Integer)
    scrutineers_n: Mapped[int | None] = mapped_column(Integer)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The suite that seals it (SURVEY_CRYPTO when it was created: "international" or "sm",
    # survey/ballotbox/sealing.py), kept so that a change of the setting strands no box.
    crypto: Mapped[str] = mapped_column(
        String(16), default="international", server_default="international"
    )
    # A public poll's ceiling of answers from one address in a day, raised by the committee
    # for a known shared address (None: the setting POLL_DAILY_LIMIT).
    answers_per_address_day: Mapped[int | None] = mapped_column(Integer)
    # A 群众代表 meeting's representatives (survey/core/scales.py REPRESENTATIVES): masses,
    # teachers or service_users; None for every other kind.
    representatives: Mapped[str | None] = mapped_column(String(16))

    organisation: Mapped[Organisation] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="campaign", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def headline(self) -> Question:
        return self.questions[0]

    @property
    def has_roll(self) -> bool:
        return self.eligible_full is not None or self.eligible_probationary is not None

    @property
    def eligible_total(self) -> int | None:
        if not self.has_roll:
            return None
        return (self.eligible_full or 0) + (self.eligible_probationary or 0)


class Question(db.Model):
    """A question on a ballot; the first one (position 0) is the headline the rules read."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    prompt: Mapped[str] = mapped_column(Text)
    scale: Mapped[str] = mapped_column(String(32))

    campaign: Mapped[Campaign] = relationship(back_populates="questions")
