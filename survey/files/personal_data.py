"""Personal information (个人信息保护法): what the product holds about one person, as JSON, and
its erasure (docs/compliance.md "个人信息").

A staff account: its row, its API tokens (never their hash), and the audit entries it wrote or
that name it (sign-ins with their addresses). Erased: deactivated, every session and token
ended, the password hash dropped, the user name replaced by ``已删除账号#<id>``, and the same
actor name in the "by" columns of what it did replaced too. The audit chain is not rewritten
(each entry's digest covers its row): entries written before keep the old name until the
retention prunes them, and one new entry records the erasure by the account's id.

A member on a roll: their rows on the branch's rolls, and the appraisals (民主评议党员) made
from those rows, with their final grades and the counts the seal keeps. A second member of
the same name is another person: rows are followed by member id, and a name only where one
person holds it (``_member_rows``). Erased: the rows leave the roll and the name becomes
``已删除成员#<id>`` on the roll, in each appraisal's row, its ballot question and its sealed
snapshot. Vote counts are never touched; a snapshot whose name
was replaced is resealed, and the audit log records the old and new digests, so
``flask --app survey audit`` still follows the seal (survey/campaigns/recount.py).
"""

from __future__ import annotations

import copy
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from survey.campaigns.life import snapshot_digest
from survey.campaigns.recount import ERASED_IN_SNAPSHOT
from survey.core.errors import NotFound
from survey.core.names import BY_YEAR, ERASED_MEMBER, parse
from survey.models import (
    ApiToken,
    Appraisee,
    Assessment,
    AuditEntry,
    Campaign,
    Member,
    Question,
    User,
)
from survey.models.base import utcnow
from survey.staff import audit, tokens

ERASED_ACCOUNT = "已删除账号#{id}"
ACTOR_PREFIXES = ("web:", "api:")


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def _member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id) if 0 < member_id < 2**31 else None
    if member is None:
        raise NotFound(f"no member with id {member_id}")
    return member


def _actors(username: str) -> list[str]:
    return [f"{prefix}{username}" for prefix in ACTOR_PREFIXES]


def export_user(session: Session, username: str) -> dict:
    """Everything held about the staff account ``username`` (never its password hash)."""
    user = _user(session, username)
    mine = (AuditEntry.object_type == "users") & (AuditEntry.object_id == str(user.id))
    entries = session.scalars(
        select(AuditEntry)
        .where(or_(mine, AuditEntry.actor.in_(_actors(username))))
        .order_by(AuditEntry.id)
    )
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    return {
        "kind": "staff_account",
        "exported_at": _plain(utcnow()),
        "account": {
            "id": user.id,
            "username": user.username,
            "role": user.role,
            "organisation": user.organisation.name if user.organisation else None,
            "active": user.active,
            "created_at": _plain(user.created_at),
            "password_set_at": _plain(user.password_set_at),
            "password": "kept only as a one-way hash, never exported",
        },
        "api_tokens": [
            {
                "name": t.name,
                "read_only": t.read_only,
                "created_at": _plain(t.created_at),
                "expires_at": _plain(t.expires_at),
                "last_used_on": _plain(t.last_used_on),
            }
            for t in rows
        ],
        "audit_entries": [
            {
                "id": e.id,
                "at": _plain(e.at),
                "actor": e.actor,
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "detail": e.detail,
            }
            for e in entries
        ],
    }


def erase_user(session: Session, actor: str, username: str) -> str:
    """Erase the staff account ``username``; returns its placeholder name (flushes)."""
    user = _user(session, username)
    placeholder = ERASED_ACCOUNT.format(id=user.id)
    old, new = _actors(username), _actors(placeholder)
    for column in (Appraisee.decided_by, Assessment.entered_by):
        for before, after in zip(old, new, strict=True):
            session.execute(
                update(column.class_)
                .where(column == before)
                .values({column.key: after})
                .execution_options(synchronize_session=False)
            )
    tokens.revoke_all(session, actor, user)
    user.username, user.active, user.password_hash = placeholder, False, None
    user.session_version = (user.session_version or 0) + 1
    session.flush()
    audit.record(session, actor, "user.erase", user, placeholder=placeholder)
    return placeholder


def _member_rows(session: Session, member: Member) -> tuple[list[Member], bool]:
    """The person's rows on every roll of the branch, and whether another person holds
    their name. A new roll retires the old one and adds new rows, so a row of an older roll
    is the same person by name, as the roster reads it, only while that name is one
    person's: where two people hold it (on one roll, or told apart on a ballot) the rows
    must also share the year of joining, and without a year only the member's own row is
    theirs."""
    query = select(Member).where(
        Member.organisation_id == member.organisation_id, Member.name == member.name
    )
    rows = list(session.scalars(query.order_by(Member.id)))
    if not _name_shared(session, member, rows):
        return rows, False
    if member.joined_on is None:
        return [member], True
    return [row for row in rows if row.joined_on == member.joined_on], True


def _name_shared(session: Session, member: Member, rows: list[Member]) -> bool:
    """Whether two people of the branch are seen holding ``member``'s name: twice on the
    active roll, with two years of joining, or on an appraisal (twice, or labelled)."""
    if sum(1 for row in rows if row.active) > 1:
        return True
    if len({row.joined_on for row in rows if row.joined_on is not None}) > 1:
        return True
    linked = select(Appraisee.campaign_id).where(Appraisee.member_id.in_([r.id for r in rows]))
    twice = linked.group_by(Appraisee.campaign_id).having(func.count(Appraisee.id) > 1)
    if session.scalar(select(twice.exists())):
        return True
    names = session.scalars(
        select(Appraisee.name)
        .join(Campaign, Campaign.id == Appraisee.campaign_id)
        .where(
            Campaign.organisation_id == member.organisation_id,
            Appraisee.name.startswith(member.name + "（", autoescape=True),
        )
    )
    return any(parse(name).name == member.name for name in names)


def _appraisals(
    session: Session, member: Member, rows: list[Member], shared: bool
) -> list[tuple[Appraisee, Campaign]]:
    """The appraisal rows made from the person's roll rows (``_member_rows``), and those
    made before rows were linked (migration 0029) that can only be theirs: their name when
    no one else holds it (not ``shared``), or their name labelled with their year of
    joining."""
    ids = [row.id for row in rows]
    query = (
        select(Appraisee, Campaign)
        .join(Campaign, Campaign.id == Appraisee.campaign_id)
        .where(Campaign.organisation_id == member.organisation_id)
        .order_by(Appraisee.id)
    )
    linked = session.execute(query.where(Appraisee.member_id.in_(ids)))
    found = [(row.Appraisee, row.Campaign) for row in linked]
    names = [] if shared else [member.name]
    if member.joined_on is not None:
        names.append(member.name + BY_YEAR.format(year=member.joined_on.year))
    unlinked = query.where(Appraisee.member_id.is_(None), Appraisee.name.in_(names))
    found += [(row.Appraisee, row.Campaign) for row in session.execute(unlinked)]
    return sorted(found, key=lambda pair: pair[0].id)


def _sealed_row(campaign: Campaign, appraisee_id: int) -> dict | None:
    for row in (campaign.snapshot or {}).get("appraisees", []):
        if row.get("id") == appraisee_id:
            return row
    return None


def _entries_naming(session: Session, object_type: str, ids: list[int]) -> list[dict]:
    """The audit entries whose object is one of ``ids`` of ``object_type``, oldest first."""
    query = select(AuditEntry).where(
        AuditEntry.object_type == object_type, AuditEntry.object_id.in_([str(i) for i in ids])
    )
    return [
        {"id": e.id, "at": _plain(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
        for e in session.scalars(query.order_by(AuditEntry.id))
    ]


def export_member(session: Session, member_id: int) -> dict:
    """Everything held about the roll member ``member_id``."""
    member = _member(session, member_id)
    rows, shared = _member_rows(session, member)
    appraisals = []
    for row, campaign in _appraisals(session, member, rows, shared):
        sealed = _sealed_row(campaign, row.id) or {}
        appraisals.append(
            {
                "campaign_id": campaign.id,
                "campaign": campaign.title,
                "year": campaign.year,
                "status": str(campaign.status),
                "member_class": row.member_class,
                "answered": sealed.get("answered"),
                "counts": sealed.get("counts"),
                "final_grade": row.final_grade,
                "final_reason": row.final_reason,
                "decided_at": _plain(row.decided_at),
            }
        )
    return {
        "kind": "roll_member",
        "exported_at": _plain(utcnow()),
        "organisation": member.organisation_id,
        "roll_rows": [
            {"id": m.id, "name": m.name, "member_class": m.member_class, "active": m.active}
            for m in rows
        ],
        "appraisals": appraisals,
        "audit_entries": _entries_naming(session, "members", [m.id for m in rows]),
    }


def erase_member(session: Session, actor: str, member_id: int) -> str:
    """Erase the roll member ``member_id``; returns the placeholder name (flushes)."""
    member = _member(session, member_id)
    placeholder = ERASED_MEMBER.format(id=member.id)
    rows, shared = _member_rows(session, member)
    appraisals = _appraisals(session, member, rows, shared)
    for row in rows:
        row.name, row.active = placeholder, False
    for row, campaign in appraisals:
        row.name = placeholder
        session.execute(
            update(Question)
            .where(Question.campaign_id == campaign.id, Question.key == row.key)
            .values(prompt=placeholder)
            .execution_options(synchronize_session=False)
        )
        _reseal(session, actor, campaign, row.id, placeholder)
    session.flush()
    audit.record(
        session,
        actor,
        "member.erase",
        member,
        placeholder=placeholder,
        roll_rows=len(rows),
        appraisals=len(appraisals),
    )
    return placeholder


def _reseal(session: Session, actor: str, campaign: Campaign, row_id: int, placeholder: str):
    """The snapshot's row of ``row_id`` named ``placeholder``, its counts untouched; the
    audit log records the digest before and after (never the name)."""
    if _sealed_row(campaign, row_id) is None:
        return
    snapshot = copy.deepcopy(campaign.snapshot)
    for row in snapshot["appraisees"]:
        if row.get("id") == row_id:
            row["name"] = placeholder
    before, after = snapshot_digest(campaign.snapshot), snapshot_digest(snapshot)
    campaign.snapshot = snapshot
    session.flush()
    audit.record(
        session,
        actor,
        ERASED_IN_SNAPSHOT,
        campaign,
        appraisee=row_id,
        placeholder=placeholder,
        sealed=before,
        resealed=after,
    )
