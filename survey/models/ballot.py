"""Ballots, the sealed envelopes they fill and the counts a closed campaign keeps.

Secrecy (docs/design.md, docs/secrecy.md): while a campaign is open a cast stores only a sealed
envelope (encrypted, random id, no time, no ballot reference); closing the campaign opens the
envelopes in memory and keeps only counts and each 不满意 reason alone on its row. A ballot
keeps no time of use; a receipt is a separate row that proves a vote was counted without
pointing to it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.base import utcnow
from survey.models.campaign import Campaign

BALLOT_CLASSES = ("full", "probationary", "resident")
BALLOT_STATUSES = ("issued", "used", "void")
CHANNELS = ("phone", "paper")


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
    # How the card came back, set by its spend: ``phone`` or ``paper`` (entered by a teller);
    # none on cards spent before paper ballots existed (phones) and on unused cards.
    channel: Mapped[str | None] = mapped_column(String(8))

    campaign: Mapped[Campaign] = relationship()


class Count(db.Model):
    """What a closed campaign keeps of its votes: how many chose ``choice`` on one question,
    by respondent class (``all`` where the small-group rule merged the classes at close) and,
    on a public poll's headline question, by inside/outside/unknown of the service radius
    (``none`` elsewhere; ``code`` for one-time resident codes). No row is a ballot."""

    __tablename__ = "counts"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    respondent_class: Mapped[str] = mapped_column(String(16), primary_key=True)
    geo: Mapped[str] = mapped_column(String(8), primary_key=True)
    choice: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class Complaint(db.Model):
    """One 不满意 answer to a closed campaign's headline question, with its reason if one was
    given: a random id, the campaign and the text, nothing else (no class, no place, no other
    answer), written in a random order at close. Reviewers verify each (``Verification``)."""

    __tablename__ = "complaints"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)


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
