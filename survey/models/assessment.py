"""What reviewers enter for a branch and year, and the title (最强党支部) granted on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.base import utcnow
from survey.models.organisation import Organisation


class Assessment(db.Model):
    """组织评定, 社会评价, 负面清单 and domain data for one branch and year.

    ``social`` is a list of ``{department, negative, note}``, ``exclusions`` a list of
    ``{key, note}`` and ``named_stars`` a list of star keys: small lists read whole.
    ``facts`` holds the further facts a scheme reads (survey/rules/facts.toml), e.g.
    ``{"weak": false, "term_ends_on": "2026-06-30", "overall_rank": 2}``; NULL on rows
    saved before it existed, read as no facts.
    """

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("organisation_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    organisation_grade: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(Integer)
    social: Mapped[list] = mapped_column(JSON, default=list)
    exclusions: Mapped[list] = mapped_column(JSON, default=list)
    volunteers: Mapped[int | None] = mapped_column(Integer)
    serving_members: Mapped[int | None] = mapped_column(Integer)
    volunteer_activities: Mapped[int | None] = mapped_column(Integer)
    stars: Mapped[int | None] = mapped_column(Integer)
    named_stars: Mapped[list] = mapped_column(JSON, default=list)
    facts: Mapped[dict | None] = mapped_column(JSON, default=dict)
    entered_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Title(db.Model):
    """The title granted for a year on a recorded rating; revoked with date and reason."""

    __tablename__ = "titles"
    __table_args__ = (UniqueConstraint("organisation_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(String(32))
    rating: Mapped[dict] = mapped_column(JSON)
    rating_sha256: Mapped[str] = mapped_column(String(64))
    granted_by: Mapped[str] = mapped_column(String(120))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_by: Mapped[str | None] = mapped_column(String(120))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship()
