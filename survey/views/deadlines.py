"""A public poll closes by the date it carries, without a cron: the first request that finds
an open poll past its closing date closes it (survey/campaigns/deadlines.py), in a transaction
of its own before the page is built, so that the page already says it is closed.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from sqlalchemy.orm import Session

from survey.campaigns import deadlines
from survey.core.errors import DomainError
from survey.core.extensions import db
from survey.core.transactions import run_in_transaction


def close_overdue(session: Session, slug: str | None = None) -> list[int]:
    """Close every overdue poll (or the one at ``slug``), each in its own transaction; the
    ids closed here. Another request closing it first is not an error."""
    closed = []
    small_group = current_app.config["SMALL_GROUP_THRESHOLD"]
    for campaign_id in deadlines.overdue(session, slug):

        def work(campaign_id=campaign_id):
            return deadlines.close_if_overdue(session, campaign_id, small_group)

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
