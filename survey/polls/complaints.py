"""Complaint verification (查证): reviewers mark each ``dissatisfied`` public answer
``verified`` (经查证属实) or ``unfounded``, with a note. Each 不满意 is a ``Complaint`` row
kept at close (its reason alone, survey/ballotbox/counting.py) and never changes; a finding
is its own row (one per complaint: marking again updates it) and every marking is written to
the audit log.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.core.database import lock
from survey.core.errors import Conflict, Invalid, NotFound
from survey.core.scales import MASSES_MEETING, SATISFACTION, SCALES
from survey.models import Campaign, Complaint, Verification
from survey.models.base import utcnow
from survey.models.poll import VERIFICATION_RESULTS
from survey.staff import audit

COMPLAINT = "dissatisfied"
MAX_NOTE = 1000
# The kinds whose 不满意 are verified here: the public polls, and 群众代表 at the meeting
JUDGED_KINDS = ("public_satisfaction", MASSES_MEETING)


def verification_json(verification: Verification | None) -> dict | None:
    if verification is None:
        return None
    return {
        "result": verification.result,
        "note": verification.note,
        "by": verification.verified_by,
        "at": verification.verified_at.isoformat(timespec="seconds") + "Z",
    }


def require_closed(campaign: Campaign) -> None:
    """Complaints are read once the poll is closed: while it is open its answers are hidden
    from everyone (docs/design.md), and a queue growing live would show how each new one went."""
    if campaign.status != "closed":
        raise Conflict("complaints are listed and verified once the poll is closed")


def list_answers(session: Session, campaign: Campaign, choice: str = COMPLAINT) -> list[dict]:
    """Every 不满意 answer of a closed poll with its reason and finding.

    A closed campaign keeps each 不满意 alone on its row (survey/ballotbox/counting.py); the
    other choices carry no text and are counts only, so their list is empty. Ordered by
    the random id, so that the list reveals no order of answering.
    """
    require_closed(campaign)
    if choice not in SCALES[SATISFACTION]:
        raise Invalid("choice must be satisfied, basically_satisfied or dissatisfied")
    if choice != COMPLAINT:
        return []
    rows = session.execute(
        select(Complaint.id, Complaint.reason, Verification)
        .outerjoin(Verification, Verification.complaint_id == Complaint.id)
        .where(Complaint.campaign_id == campaign.id)
        .order_by(Complaint.id)
    ).all()
    return [
        {"id": cid, "choice": COMPLAINT, "reason": text, "verification": verification_json(v)}
        for cid, text, v in rows
    ]


def load_response(session: Session, complaint_id: str) -> Complaint:
    """The 不满意 answer of that id (the ``id`` of ``list_answers``), else NotFound."""
    complaint = session.get(Complaint, complaint_id) if len(complaint_id) <= 32 else None
    if complaint is None:
        raise NotFound("not found")
    return complaint


def verify(session: Session, actor: str, complaint: Complaint, result: str, note: str) -> dict:
    """Record (or change) the finding on one ``dissatisfied`` answer; audited."""
    if result not in VERIFICATION_RESULTS:
        raise Invalid("result must be verified or unfounded", field="result")
    note = (note or "").strip() if isinstance(note, str) else None
    if not note or len(note) > MAX_NOTE:
        raise Invalid(f"note must be 1 to {MAX_NOTE} characters", field="note")
    lock(session, Complaint, complaint.id)  # two reviewers marking one answer: in turn
    campaign = session.get(Campaign, complaint.campaign_id)
    require_closed(campaign)
    found = session.get(Verification, complaint.id, populate_existing=True)
    previous = found.result if found else None
    if found is None:
        found = Verification(complaint_id=complaint.id)
        session.add(found)
    found.result, found.note, found.verified_by, found.verified_at = result, note, actor, utcnow()
    session.flush()
    audit.record(
        session, actor, "response.verify", complaint, result=result, note=note, previous=previous
    )
    return {
        "id": complaint.id,
        "choice": COMPLAINT,
        "reason": complaint.reason,
        "verification": verification_json(found),
    }


def complaint_counts(session: Session, campaign: Campaign) -> dict[str, int] | None:
    """Raw and verified 不满意 counts of a public campaign's headline question; None while
    the poll is open (its answers are hidden from everyone until it closes)."""
    if campaign.status != "closed":
        return None
    rows = session.execute(
        select(Verification.result, func.count())
        .select_from(Complaint)
        .outerjoin(Verification, Verification.complaint_id == Complaint.id)
        .where(Complaint.campaign_id == campaign.id)
        .group_by(Verification.result)
    ).all()
    by_result = {result: n for result, n in rows}
    return {
        "dissatisfied_raw": sum(by_result.values()),
        "dissatisfied_verified": by_result.get("verified", 0),
        "unfounded": by_result.get("unfounded", 0),
        "unchecked": by_result.get(None, 0),
    }
