"""A public poll closes by the date it carries (a local date, in SURVEY_TIMEZONE): which polls
are past it, and closing one through ``life.close_campaign`` (which opens the sealed box and
seals the result). The request that finds them closes each in a transaction of its own
(survey/views/deadlines.py), before its page is built, so that the page already says so."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import polls
from survey.campaigns import life
from survey.core.timezone import local_today
from survey.models import Campaign, CampaignStatus

ACTOR = "system:closes_on"


def overdue(session: Session, slug: str | None = None) -> list[int]:
    """Ids of open polls whose closing date has passed where the organisation is."""
    query = select(Campaign.id).where(
        Campaign.kind == polls.KIND,
        Campaign.status == CampaignStatus.OPEN,
        Campaign.closes_on < local_today(),
        # A poll whose scrutineers hold the key stops by its date but is opened by staff
        # with their cards, never inside a resident's request.
        Campaign.sealing == "server",
    )
    if slug is not None:
        query = query.where(Campaign.slug == slug)
    return list(session.scalars(query))


def close_if_overdue(session: Session, campaign_id: int, small_group: int) -> bool:
    """Close the poll ``campaign_id`` if it is still open (flushes only); False when another
    request closed it first. The caller owns the transaction (one per poll)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != CampaignStatus.OPEN:
        return False
    life.close_campaign(session, ACTOR, campaign, small_group=small_group)
    return True
