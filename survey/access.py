"""Who may see which organisation (DESIGN.md "Access").

An admin sees all; a secretary only their branch; a reviewer their committee's subtree.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.converters import MAX_ID
from survey.errors import NotFound
from survey.models import Campaign, Organisation, User

MAX_DEPTH = 32


def ancestors_and_self(session: Session, organisation_id: int) -> list[int]:
    chain, current = [], organisation_id
    while current is not None and len(chain) < MAX_DEPTH:
        chain.append(current)
        current = session.scalar(select(Organisation.parent_id).where(Organisation.id == current))
    return chain


def can_see(session: Session, user: User, organisation_id: int) -> bool:
    if user.role == "admin":
        return True
    if user.organisation_id is None:
        return False
    if user.role == "secretary":
        return organisation_id == user.organisation_id
    if user.role == "reviewer":
        return user.organisation_id in ancestors_and_self(session, organisation_id)
    return False


def can_manage_campaigns(user: User) -> bool:
    return user.role in ("admin", "secretary", "reviewer")


def subtree_ids(session: Session, root_id: int, kind: str | None = None) -> set[int]:
    """Every organisation below ``root_id`` (of ``kind`` only, when given), itself included:
    one query per level."""
    found, frontier = {root_id}, {root_id}
    while frontier:
        below = select(Organisation.id).where(Organisation.parent_id.in_(frontier))
        if kind is not None:
            below = below.where(Organisation.kind == kind)
        children = set(session.scalars(below))
        frontier = children - found
        found |= frontier
    return found


def get_organisation(session: Session, user: User, organisation_id: int) -> Organisation:
    """The organisation if ``user`` may see it; otherwise NotFound, as if it were absent."""
    in_range = 0 < organisation_id <= MAX_ID
    organisation = session.get(Organisation, organisation_id) if in_range else None
    if organisation is None or not can_see(session, user, organisation.id):
        raise NotFound(f"organisation {organisation_id} not found")
    return organisation


def get_campaign(session: Session, user: User, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id) if 0 < campaign_id <= MAX_ID else None
    if campaign is None or not can_see(session, user, campaign.organisation_id):
        raise NotFound(f"campaign {campaign_id} not found")
    return campaign
