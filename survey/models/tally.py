from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.extensions import db


class Tally(db.Model):
    """Headline counts of a closed campaign by respondent class, sealed at close.

    The rating reads these instead of recounting every answer: a closed campaign never
    changes, and a committee of 10,000 branches is summarised from them in one query.
    """

    __tablename__ = "tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    respondent_class: Mapped[str] = mapped_column(String(16), primary_key=True)
    choice: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
