"""Ballots and the anonymous responses they unlock.

Secrecy (DESIGN.md): a response has a random id, no reference to the ballot that unlocked
it and only the day it was given; a ballot keeps no time of use; a receipt is a separate row
that proves a response was counted without pointing to it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.base import today, utcnow
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

    campaign: Mapped[Campaign] = relationship()


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    respondent_class: Mapped[str] = mapped_column(String(16))
    created_on: Mapped[date] = mapped_column(Date, default=today)
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
    created_on: Mapped[date] = mapped_column(Date, default=today)
