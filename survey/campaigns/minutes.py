"""会议记录: the meeting's own facts beside the sealed tally -- where and when the meeting was
held, how many were expected (应到) and present (实到), who was absent (缺席) and who sat in
(列席). The secretary enters them on the minutes page; they are printed with the minutes and
never touch the sealed snapshot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from survey.core.errors import Invalid
from survey.core.scales import MEETING_KINDS
from survey.models import Campaign, MeetingRecord
from survey.models.base import utcnow
from survey.staff import audit

MAX_PLACE = 200
MAX_NAMES = 500
MAX_PEOPLE = 100_000


def meeting_record(session: Session, campaign: Campaign) -> MeetingRecord | None:
    return session.get(MeetingRecord, campaign.id)


def record_meeting(
    session: Session,
    actor: str,
    campaign: Campaign,
    *,
    place: str,
    present: int,
    expected: int | None = None,
    held_at: datetime | None = None,
    absent: str | None = None,
    guests: str | None = None,
) -> MeetingRecord:
    """Write (or rewrite) the meeting's record; ``held_at`` in naive UTC. 实到 may not exceed
    应到; 应到 defaults to the campaign's roll."""
    if campaign.kind not in MEETING_KINDS:
        raise Invalid("only a meeting has minutes", field="campaign")
    place = (place or "").strip()
    if not place or len(place) > MAX_PLACE:
        raise Invalid("give the place of the meeting", field="place")
    if expected is None:
        expected = campaign.eligible_total
    if expected is not None and not 1 <= expected <= MAX_PEOPLE:
        raise Invalid("the number expected is a positive whole number", field="expected")
    if present is None or not 0 <= present <= (expected if expected is not None else MAX_PEOPLE):
        raise Invalid("no more can be present than were expected", field="present")
    absent, guests = _names(absent, "absent"), _names(guests, "guests")
    record = meeting_record(session, campaign) or MeetingRecord(campaign_id=campaign.id)
    record.place, record.held_at, record.expected, record.present = (
        place,
        held_at,
        expected,
        present,
    )
    record.absent, record.guests = absent, guests
    record.updated_by, record.updated_at = actor[:120], utcnow()
    session.add(record)
    session.flush()
    audit.record(session, actor, "campaign.meeting_record", campaign, place=place, present=present)
    return record


def _names(text: str | None, field: str) -> str | None:
    cleaned = " ".join((text or "").split())
    if len(cleaned) > MAX_NAMES:
        raise Invalid(f"keep the names under {MAX_NAMES} characters", field=field)
    return cleaned or None
