"""API tokens' life: made for a user with a name, a lifetime and a scope; listed and revoked
by their owner and the 安全管理员 (secadmin); all of a user's revoked when a password is
reset or changed; stamped with the day (never the time) they were last used."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from survey.core.errors import Invalid, NotFound
from survey.core.security import api_token_hashes, new_api_token
from survey.models import ApiToken, User
from survey.models.base import utcnow
from survey.staff import access, audit

DEFAULT_DAYS = 90
MAX_DAYS = 366
MAX_NAME = 80


def create(
    session: Session,
    actor: str,
    *,
    username: str,
    name: str = "",
    days: int = DEFAULT_DAYS,
    read_only: bool = False,
) -> str:
    """A Bearer token for ``username``, valid ``days`` days; returned once, only its
    hash is stored (SHA-256, or SM3 in the sm mode)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"a token lives 1 to {MAX_DAYS} days", field="days")
    name = name.strip() or f"{utcnow():%Y-%m-%d}"  # unnamed: the day it was made
    if len(name) > MAX_NAME:
        raise Invalid(f"a token's name has at most {MAX_NAME} characters", field="name")
    token, digest = new_api_token()
    row = ApiToken(
        user=user,
        token_hash=digest,
        name=name,
        read_only=read_only,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "api_token.create", user, token=row.id, name=name, read_only=read_only
    )
    return token


def valid(session: Session, token: str) -> ApiToken | None:
    """The live token ``token`` names (unexpired, of an active user); None otherwise."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash.in_(api_token_hashes(token))))
    if row is None or not row.user.active or row.expires_at <= utcnow():
        return None
    return row


def mark_used(session: Session, row: ApiToken, day: date) -> bool:
    """Stamp ``day`` as the token's last use, once a day; True when it wrote (flushes)."""
    if row.last_used_on == day:
        return False
    session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_on=day))
    session.flush()
    return True


def visible(session: Session, viewer: User) -> list[ApiToken]:
    """The tokens ``viewer`` may see and revoke: their own, or every one for the secadmin."""
    query = select(ApiToken).order_by(ApiToken.expires_at.desc(), ApiToken.id.desc())
    if not access.may(viewer, access.Action.MANAGE_TOKENS):
        query = query.where(ApiToken.user_id == viewer.id)
    return list(session.scalars(query))


def revoke(session: Session, actor: str, viewer: User, token_id: int) -> ApiToken:
    """Delete a token its owner or the secadmin names; NotFound for anyone else's."""
    row = session.get(ApiToken, token_id)
    if row is None or (
        row.user_id != viewer.id and not access.may(viewer, access.Action.MANAGE_TOKENS)
    ):
        raise NotFound("no such token")
    audit.record(session, actor, "api_token.revoke", row.user, token=row.id, name=row.name)
    session.delete(row)
    session.flush()
    return row


def revoke_all(session: Session, actor: str, user: User) -> int:
    """Every token of ``user`` gone (a password reset or change): how many there were."""
    count = session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount
    session.flush()
    if count:
        audit.record(session, actor, "api_token.revoke_all", user, count=count)
    return count
