"""A branch's roll kept by hand between imports: one member corrected or removed.

A removed member leaves the active roll but stays stored (as a retired roll does), so a past
count can still be explained. An appraisal already made keeps the names it froze at its
creation; a draft reads the roll again only when its secretary asks (campaign edit page).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.errors import Invalid, NotFound
from survey.core.scales import MEMBER_APPRAISAL
from survey.files.imports import MAX_NAME
from survey.files.roster import member_name
from survey.models import Campaign, CampaignStatus, Organisation
from survey.models.member import MEMBER_CLASSES, Member
from survey.staff import audit


def member_of(session: Session, branch: Organisation, member_id: int) -> Member:
    """An active member of ``branch``'s roll, else NotFound (404)."""
    member = session.get(Member, member_id)
    if member is None or member.organisation_id != branch.id or not member.active:
        raise NotFound("no such member on this roll")
    return member


def edit_member(
    session: Session,
    actor: str,
    member: Member,
    *,
    name: str,
    member_class: str,
    joined_on: date | None,
) -> Member:
    """One member's name, class and 入党时间 corrected, in the audit log."""
    name = member_name(name)
    if not name:
        raise Invalid("the member's name is empty", field="name")
    if len(name) > MAX_NAME:
        raise Invalid(f"keep the name under {MAX_NAME} characters", field="name")
    if member_class not in MEMBER_CLASSES:
        raise Invalid("the class is full or probationary", field="member_class")
    member.name, member.member_class, member.joined_on = name, member_class, joined_on
    session.flush()
    audit.record(
        session,
        actor,
        "members.edit",
        member,
        name=name,
        member_class=member_class,
        joined_on=joined_on.isoformat() if joined_on else None,
    )
    return member


def remove_member(session: Session, actor: str, member: Member) -> None:
    """The member off the active roll (kept, inactive), in the audit log."""
    member.active = False
    session.flush()
    audit.record(session, actor, "members.remove", member, name=member.name)


def draft_appraisals(session: Session, branch: Organisation) -> list[Campaign]:
    """The branch's member appraisals still in draft: they keep the names they froze."""
    return list(
        session.scalars(
            select(Campaign)
            .where(
                Campaign.organisation_id == branch.id,
                Campaign.kind == MEMBER_APPRAISAL,
                Campaign.status == CampaignStatus.DRAFT,
            )
            .order_by(Campaign.id)
        )
    )
