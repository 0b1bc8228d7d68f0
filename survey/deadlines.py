"""A public poll closes by the date it carries, without a cron: the first request that finds
an open poll past its closing date (a local date, in SURVEY_TIMEZONE) closes it, through
``campaigns.close_campaign`` (which opens the sealed box and seals the result), in a
transaction of its own before the page is built, so that the page already says it is closed.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import campaigns, polls
from survey.database import run_in_transaction
from survey.errors import DomainError
from survey.extensions import db
from survey.models import Campaign, CampaignStatus
from survey.timezone import local_today

ACTOR = "system:closes_on"


def overdue(session: Session, slug: str | None = None) -> list[int]:
    """Ids of open polls whose closing date has passed where the organisation is."""
    query = select(Campaign.id).where(
        Campaign.kind == polls.KIND,
        Campaign.status == CampaignStatus.OPEN,
        Campaign.closes_on < local_today(),
    )
    if slug is not None:
        query = query.where(Campaign.slug == slug)
    return list(session.scalars(query))


def close_overdue(session: Session, slug: str | None = None) -> list[int]:
    """Close every overdue poll (or the one at ``slug``), each in its own transaction; the
    ids closed here. Another request closing it first is not an error."""
    closed = []
    small_group = current_app.config["SMALL_GROUP_THRESHOLD"]
    for campaign_id in overdue(session, slug):

        def work(campaign_id=campaign_id):
            campaign = session.get(Campaign, campaign_id)
            if campaign is None or campaign.status != CampaignStatus.OPEN:
                return False
            campaigns.close_campaign(session, ACTOR, campaign, small_group=small_group)
            return True

        try:
            if run_in_transaction(session, work):
                closed.append(campaign_id)
        except DomainError as refusal:  # a retired key, a race: the poll refuses answers anyway
            current_app.logger.warning("poll %s past its date not closed: %s", campaign_id, refusal)
    return closed


# The public poll closes its own poll when it finds it past its date (survey/views/poll.py):
# it has read the campaign anyway, so the check costs its hot path no statement.
READERS = {"poll_staff", "staff", "secretary", "review", "ratings", "files", "api"}


def init_app(app: Flask) -> None:
    @app.before_request
    def close_polls_past_their_date():
        # Only where a poll or its results are read: never on a ballot, a health check or a
        # static file (one statement less on the members' hot path).
        if request.endpoint in (None, "static") or request.blueprint not in READERS:
            return
        close_overdue(db.session)
