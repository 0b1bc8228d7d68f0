"""Secret keys still needed: an open campaign's envelopes open only with the key that sealed
them, so a key retired from SURVEY_SECRET_KEYS too early would leave its votes locked in."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from survey.ballotbox import sealing, sm
from survey.models import Campaign, CampaignStatus, Envelope


def retired_key_warnings(session: Session, keys: list[str] | None = None) -> list[str]:
    """One line per open campaign holding envelopes sealed by a key no longer configured."""
    keys = keys or sealing.secret_keys()
    known = {sealing.key_id(k) for k in keys} | {sm.key_id(k) for k in keys}
    rows = session.execute(
        select(Envelope.campaign_id, Envelope.key_id, func.count())
        .join(Campaign, Campaign.id == Envelope.campaign_id)
        .where(Campaign.status == CampaignStatus.OPEN, Envelope.key_id.not_in(known))
        # versions 2 and 4 are sealed to a campaign's own key (sealing.py), not the server's
        .where(*(Envelope.key_id.not_like(prefix + "%") for prefix in sealing.PUBLIC_KEY_PREFIXES))
        .group_by(Envelope.campaign_id, Envelope.key_id)
        .order_by(Envelope.campaign_id)
    ).all()
    return [
        f"open campaign {campaign_id} has {n} votes sealed by a secret key no longer in "
        f"SURVEY_SECRET_KEYS (key id {kid}): put it back, or the campaign cannot be closed"
        for campaign_id, kid, n in rows
    ]


def warn_at_start(app: Flask) -> None:
    """Log the warnings when the app starts (quietly nothing before the schema exists)."""
    from survey.core.extensions import db

    with app.app_context():
        try:
            warnings = retired_key_warnings(db.session)
        except SQLAlchemyError:
            warnings = []  # no schema yet: init-db will create it
        finally:
            db.session.remove()
    for warning in warnings:
        app.logger.warning(warning)
