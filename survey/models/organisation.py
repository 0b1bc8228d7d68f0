from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey.core.extensions import db
from survey.models.base import utcnow

ORGANISATION_KINDS = ("committee", "branch")


class Organisation(db.Model):
    """A committee (机关党委 / 基层党委) or a branch (党支部)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    domain: Mapped[str | None] = mapped_column(String(32))
    founded_on: Mapped[date | None] = mapped_column(Date)
    public_facing: Mapped[bool] = mapped_column(Boolean, default=True)
    weak: Mapped[bool] = mapped_column(Boolean, default=False)
    service_lat: Mapped[float | None] = mapped_column(Float)
    service_lon: Mapped[float | None] = mapped_column(Float)
    service_radius_m: Mapped[int | None] = mapped_column(Integer)
    scheme: Mapped[str | None] = mapped_column(String(32))
    # A committee with the power to approve probationary members (具有审批预备党员权限的基层
    # 党(工)委): only its titles count toward the target share (001 工作指南 §三(三)).
    approves_probationary: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Deactivated: gone from the lists and no new campaign; its campaigns and history stay.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])

    def service_area(self) -> dict | None:
        if self.service_lat is None or self.service_lon is None:
            return None
        return {"lat": self.service_lat, "lon": self.service_lon, "radius_m": self.service_radius_m}


# Werkzeug's method; the app factory sets it from PASSWORD_HASH_METHOD (tests use a cheap one).
PASSWORD_HASH = {"method": "scrypt"}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Part of the id Flask-Login keeps in the session cookie: raising it (sign-out, a new
    # password) makes every earlier copy of that cookie name no one.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the password was last set: with SURVEY_PASSWORD_MAX_AGE_DAYS on, an older one
    # must be changed at sign-in before anything else (None: set before revision 0023).
    password_set_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation | None] = relationship()

    def set_password(self, password: str) -> None:
        if self.password_hash:
            self.session_version = (self.session_version or 0) + 1
        self.password_hash = generate_password_hash(password, PASSWORD_HASH["method"])
        self.password_set_at = utcnow()

    def get_id(self) -> str:  # Flask-Login: what the session cookie holds
        return f"{self.id}:{self.session_version or 0}"

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored. It stops working at ``expires_at``; a
    read-only one may only read. ``last_used_on`` is a day, never a time: enough to find
    a forgotten token, too coarse to line up with anything else."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    name: Mapped[str] = mapped_column(String(80), default="", server_default="")
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship()
