"""Public polls: complaint verification, device dedupe and the anomaly counters.

Secrecy: ``poll_devices`` and ``poll_hits`` have no link to a vote. A device row only
says "this device answered this campaign"; a hit row only counts answers per hour and per
(daily-rotated, truncated) HMAC of the IP address and of the user agent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.extensions import db
from survey.models.base import utcnow

VERIFICATION_RESULTS = ("verified", "unfounded")


class Verification(db.Model):
    """A reviewer's finding on one ``dissatisfied`` answer (经查证属实 or unfounded)."""

    __tablename__ = "verifications"

    complaint_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("complaints.id"), primary_key=True
    )
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    verified_by: Mapped[str] = mapped_column(String(120))
    verified_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PollDevice(db.Model):
    """One answer per device per campaign: only HMAC(secret, campaign id + device id).

    ``nonce_hmac``: the HMAC of the answering form's one-time nonce, unique per campaign so
    that a form is spent once; a retry of that same form is shown ``receipt_code``."""

    __tablename__ = "poll_devices"
    __table_args__ = (
        UniqueConstraint("campaign_id", "device_hmac"),
        UniqueConstraint("campaign_id", "nonce_hmac", name="uq_poll_devices_nonce_hmac"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    device_hmac: Mapped[str] = mapped_column(String(64))
    nonce_hmac: Mapped[str | None] = mapped_column(String(64))
    receipt_code: Mapped[str | None] = mapped_column(String(16))


class PollHit(db.Model):
    """Answers counted per campaign, hour, IP hash and user-agent hash (anomaly view), and the
    answers the per-address limit refused from the same source (``throttled``)."""

    __tablename__ = "poll_hits"
    __table_args__ = (UniqueConstraint("campaign_id", "hour", "ip_hash", "ua_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    hour: Mapped[datetime] = mapped_column(DateTime)
    ip_hash: Mapped[str] = mapped_column(String(16))
    ua_hash: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer, default=0)
    throttled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
