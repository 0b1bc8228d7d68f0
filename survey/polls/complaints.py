"""Complaint verification (查证): reviewers mark each ``dissatisfied`` public answer
``verified`` (经查证属实) or ``unfounded``, with a note. The raw answers never change;
a finding is its own row (one per response: marking again updates it) and every marking
is written to the audit log.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.core.database import lock
from survey.core.errors import Conflict, Invalid, NotFound
from survey.core.scales import SATISFACTION, SCALES
from survey.models import Answer, Campaign, Question, Response, Verification
from survey.models.base import utcnow
from survey.models.poll import VERIFICATION_RESULTS
from survey.staff import audit

COMPLAINT = "dissatisfied"
MAX_NOTE = 1000


def verification_json(verification: Verification | None) -> dict | None:
    if verification is None:
        return None
    return {
        "result": verification.result,
        "note": verification.note,
        "by": verification.verified_by,
        "at": verification.verified_at.isoformat(timespec="seconds") + "Z",
    }


def _headline_answers(campaign: Campaign):
    return (
        select(Response.id, Answer.choice, Answer.text, Verification)
        .join(Answer, Answer.response_id == Response.id)
        .outerjoin(Verification, Verification.response_id == Response.id)
        .where(Response.campaign_id == campaign.id, Answer.question_id == campaign.headline.id)
    )


def require_closed(campaign: Campaign) -> None:
    """Complaints are read once the poll is closed: while it is open its answers are hidden
    from everyone (docs/design.md), and a queue growing live would show how each new one went."""
    if campaign.status != "closed":
        raise Conflict("complaints are listed and verified once the poll is closed")


def list_answers(session: Session, campaign: Campaign, choice: str = COMPLAINT) -> list[dict]:
    """Every headline answer of ``choice`` with its reason and finding (closed polls).

    Ordered by the random response id, so that the list reveals no order of answering.
    """
    require_closed(campaign)
    if choice not in SCALES[SATISFACTION]:
        raise Invalid("choice must be satisfied, basically_satisfied or dissatisfied")
    rows = session.execute(
        _headline_answers(campaign).where(Answer.choice == choice).order_by(Response.id)
    ).all()
    return [
        {"id": rid, "choice": c, "reason": text, "verification": verification_json(v)}
        for rid, c, text, v in rows
    ]


def load_response(session: Session, response_id: str) -> Response:
    response = session.get(Response, response_id) if len(response_id) <= 32 else None
    if response is None:
        raise NotFound("not found")
    return response


def verify(session: Session, actor: str, response: Response, result: str, note: str) -> dict:
    """Record (or change) the finding on one ``dissatisfied`` answer; audited."""
    if result not in VERIFICATION_RESULTS:
        raise Invalid("result must be verified or unfounded", field="result")
    note = (note or "").strip() if isinstance(note, str) else None
    if not note or len(note) > MAX_NOTE:
        raise Invalid(f"note must be 1 to {MAX_NOTE} characters", field="note")
    lock(session, Response, response.id)  # two reviewers marking one answer: in turn
    campaign = session.get(Campaign, response.campaign_id)
    require_closed(campaign)
    rid, choice, text, found = session.execute(
        _headline_answers(campaign).where(Response.id == response.id)
    ).one()
    if choice != COMPLAINT:
        raise Conflict("only a dissatisfied answer is verified")
    previous = found.result if found else None
    if found is None:
        found = Verification(response_id=rid)
        session.add(found)
    found.result, found.note, found.verified_by, found.verified_at = result, note, actor, utcnow()
    session.flush()
    audit.record(
        session, actor, "response.verify", response, result=result, note=note, previous=previous
    )
    return {"id": rid, "choice": choice, "reason": text, "verification": verification_json(found)}


def complaint_counts(session: Session, campaign: Campaign) -> dict[str, int] | None:
    """Raw and verified 不满意 counts of a public campaign's headline question; None while
    the poll is open (its answers are hidden from everyone until it closes)."""
    if campaign.status != "closed":
        return None
    rows = session.execute(
        select(Verification.result, func.count())
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Verification, Verification.response_id == Response.id)
        .where(
            Response.campaign_id == campaign.id,
            Question.position == 0,
            Answer.choice == COMPLAINT,
        )
        .group_by(Verification.result)
    ).all()
    by_result = {result: n for result, n in rows}
    return {
        "dissatisfied_raw": sum(by_result.values()),
        "dissatisfied_verified": by_result.get("verified", 0),
        "unfounded": by_result.get("unfounded", 0),
        "unchecked": by_result.get(None, 0),
    }
