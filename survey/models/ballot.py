"""Ballots and the anonymous responses they unlock.

Secrecy (docs/design.md, docs/secrecy.md): while a campaign is open a cast stores only a sealed
envelope (encrypted, random id, no time, no ballot reference); closing the campaign opens the
envelopes in one shuffled transaction into responses with random ids and no time. A ballot
keeps no time of use; a receipt is a separate row that proves a vote was counted without
pointing to it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.base import utcnow
from survey.models.campaign import Campaign

BALLOT_CLASSES = ("full", "probationary", "resident")
BALLOT_STATUSES = ("issued", "used", "void")


class Ballot(db.Model):
    __tablename__ = "ballots"
    __table_args__ = (Index("ix_ballots_campaign_status", "campaign_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(String(8), unique=True)
    ballot_class: Mapped[str] = mapped_column(String(16), default="full")
    status: Mapped[str] = mapped_column(String(8), default="issued")
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A retry of the same form after a lost answer is shown its receipt: an HMAC of the
    # form's one-time nonce, and the receipt (which holds no choice).
    retry_hmac: Mapped[str | None] = mapped_column(String(64))
    receipt_code: Mapped[str | None] = mapped_column(String(16))

    campaign: Mapped[Campaign] = relationship()


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    respondent_class: Mapped[str] = mapped_column(String(16))
    # Public polls only: inside / outside / unknown of the service radius, never coordinates.
    geo: Mapped[str | None] = mapped_column(String(8))

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")


class Answer(db.Model):
    __tablename__ = "answers"

    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)


class Receipt(db.Model):
    __tablename__ = "receipts"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)


class Envelope(db.Model):
    """One vote of an open campaign, encrypted (survey/ballotbox/sealing.py): a random id, the
    campaign, which secret key sealed it (a short hash, not the key) and nonce+ciphertext.
    No time, no ballot, no sequence; deleted when the campaign closes."""

    __tablename__ = "envelopes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
