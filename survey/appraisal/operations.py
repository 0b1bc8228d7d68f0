"""民主评议党员 (member appraisal): a campaign whose ballot grades every member of the roll.

Each appraisee is one Question (key ``m_<appraisee id>``, the four grades), so that the
ballots, the sealed envelopes, the opening at close and the counts are those of every other
campaign. What is particular lives here: the roll frozen at creation, the rows a member may
leave blank, the per-member counts sealed at close (small-group rule), and the committee's
final grades with the optional cap on the share of 优秀 (docs/rules.md "Member appraisal").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.appraisal.homonyms import labels
from survey.ballotbox import counting
from survey.core.database import lock
from survey.core.errors import Conflict, Invalid, NotFound
from survey.core.scales import MEMBER_APPRAISAL, MEMBER_REVIEW, SCALES
from survey.models import Appraisee, Campaign, CampaignStatus, Member, Question
from survey.models.base import utcnow
from survey.staff import audit

GRADES = SCALES[MEMBER_REVIEW]  # excellent, competent, basically_competent, incompetent
MAX_APPRAISEES = 300
MAX_REASON = 500
SORTS = ("position", "name", "excellent", "incompetent")


def is_appraisal(campaign) -> bool:
    return getattr(campaign, "kind", None) == MEMBER_APPRAISAL


def freeze_roll(session: Session, campaign: Campaign) -> list[Appraisee]:
    """The branch's active members, in roll order, as the campaign's appraisees and one
    question each. A later roll changes nothing here."""
    members = session.scalars(
        select(Member)
        .where(Member.organisation_id == campaign.organisation.id, Member.active.is_(True))
        .order_by(Member.id)
    ).all()
    if not members:
        raise Invalid(
            "this branch has no member roll: import the roll first", field="organisation_id"
        )
    if len(members) > MAX_APPRAISEES:
        raise Invalid(f"at most {MAX_APPRAISEES} members can be appraised", field="roll")
    rows = [  # two members of one name told apart (赵磊（2015年入党）) on the ballot and after
        Appraisee(campaign_id=campaign.id, position=i, name=label, member_class=m.member_class)
        for i, (m, label) in enumerate(zip(members, labels(members), strict=True))
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        campaign.questions.append(
            Question(position=row.position, key=row.key, prompt=row.name, scale=MEMBER_REVIEW)
        )
    if campaign.eligible_full is None and campaign.eligible_probationary is None:
        classes = [m.member_class for m in members]
        campaign.eligible_full = classes.count("full")
        campaign.eligible_probationary = classes.count("probationary")
    session.flush()
    return rows


def refreeze_roll(session: Session, campaign: Campaign) -> list[Appraisee]:
    """A draft's rows read again from the branch's current roll (a corrected roll imported
    after the draft was made); once open, the rows are fixed."""
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("only a draft campaign can be edited", status=str(campaign.status))
    campaign.questions.clear()
    session.flush()
    for row in appraisees(session, campaign):
        session.delete(row)
    session.flush()
    return freeze_roll(session, campaign)


def ballot_rows(session: Session, campaign: Campaign) -> list[tuple[Question, Appraisee]]:
    """The ballot's rows in order: each question with the member it asks about."""
    names = {a.key: a for a in appraisees(session, campaign)}
    return [(q, names.get(q.key)) for q in campaign.questions]


def appraisees(session: Session, campaign: Campaign) -> list[Appraisee]:
    return list(
        session.scalars(
            select(Appraisee)
            .where(Appraisee.campaign_id == campaign.id)
            .order_by(Appraisee.position)
        )
    )


def read_rows(campaign, submitted: Mapping[str, str | None]) -> tuple[dict[int, str], list[str]]:
    """(question id -> grade of the rows answered, keys of the rows left blank).

    A value that is not one of the four grades is refused (a forged form); blank rows are
    refused by ``check_complete`` when the campaign wants every row."""
    answers, missing = {}, []
    for question in campaign.questions:
        choice = submitted.get(question.key) or None
        if choice is None:
            missing.append(question.key)
        elif choice not in GRADES:
            raise Invalid("every row takes one of the four grades", field=question.key)
        else:
            answers[question.id] = choice
    return answers, missing


def must_answer_all(campaign) -> bool:
    return campaign.all_rows_required is not False


def row_counts(session: Session, campaign: Campaign, responded: int, small_group: int) -> list:
    """Per appraisee: how many graded the row and the count of each grade. With fewer than
    ``small_group`` responses (``responded``), or a row graded by fewer, no counts (``None``)."""
    counts = counting.answer_counts(session, campaign)  # every grade of every row present
    result = []
    for row in appraisees(session, campaign):
        mine = counts[row.key]
        answered = sum(mine.values())
        shown = responded >= small_group and answered >= small_group
        result.append(
            {
                "id": row.id,
                "key": row.key,
                "name": row.name,
                "member_class": row.member_class,
                "answered": answered if shown else None,
                "counts": mine if shown else None,
            }
        )
    return result


def with_final_grades(session: Session, campaign: Campaign, rows: list[dict]) -> list[dict]:
    """The sealed per-member rows (copies: the seal is never touched) with the final
    grades recorded since the close."""
    decided = {a.id: a for a in appraisees(session, campaign)}
    return [
        dict(
            row,
            final_grade=getattr(decided.get(row["id"]), "final_grade", None),
            final_reason=getattr(decided.get(row["id"]), "final_reason", None),
        )
        for row in rows
    ]


def final_grade_json(row: Appraisee) -> dict:
    return {
        "id": row.id,
        "key": row.key,
        "name": row.name,
        "member_class": row.member_class,
        "final_grade": row.final_grade,
        "final_reason": row.final_reason,
    }


@dataclass
class ResultRow:
    id: int
    position: int
    name: str
    member_class: str
    answered: int | None
    counts: dict[str, int] | None
    final_grade: str | None
    final_reason: str | None

    def share(self, grade: str) -> float | None:
        if not self.counts or not self.answered:
            return None
        return self.counts[grade] / self.answered

    @property
    def calls_for_handling(self) -> bool:
        """处置不合格党员 (004 任务清单 9–10): graded 不合格 by the committee, or (no final grade
        yet) more than HANDLING_SHARE of the grades given to the member are 不合格."""
        if self.final_grade is not None:
            return self.final_grade == "incompetent"
        above, of = HANDLING_SHARE
        return bool(self.counts) and self.counts["incompetent"] * of > above * (self.answered or 0)


# The documents set no share of 不合格 that calls for handling (000 §二(一)3 and 004 任务清单
# 9–10 name the handling, not a figure): more than half is this product's prompt to the
# committee, which decides by its final grade; it is no verdict and feeds no rating.
HANDLING_SHARE = (1, 2)


@dataclass(frozen=True)
class Overview:
    """What the results page and its print say above the rows."""

    handling: list[ResultRow]
    hidden: bool  # some member's counts withheld by the small-group rule
    graded: int  # final grades recorded
    excellent_final: int  # of which 优秀, held against the campaign's cap


def overview(rows: list[ResultRow]) -> Overview:
    finals = [r.final_grade for r in rows if r.final_grade]
    return Overview(
        handling=[r for r in rows if r.calls_for_handling],
        hidden=any(r.counts is None for r in rows),
        graded=len(finals),
        excellent_final=finals.count("excellent"),
    )


def results(session: Session, campaign: Campaign, sort: str = "position") -> list[ResultRow]:
    """The rows of a closed appraisal, counts read from the sealed snapshot only."""
    if campaign.status != CampaignStatus.CLOSED or campaign.snapshot is None:
        raise Conflict("results are shown once the campaign is closed", status=campaign.status)
    sealed = {row["id"]: row for row in campaign.snapshot.get("appraisees", [])}
    rows = [
        ResultRow(
            a.id,
            a.position,
            a.name,
            a.member_class,
            sealed.get(a.id, {}).get("answered"),
            sealed.get(a.id, {}).get("counts"),
            a.final_grade,
            a.final_reason,
        )
        for a in appraisees(session, campaign)
    ]
    return sort_rows(rows, sort)


def sort_rows(rows: list[ResultRow], sort: str) -> list[ResultRow]:
    if sort == "name":
        return sorted(rows, key=lambda r: (r.name, r.position))
    if sort in ("excellent", "incompetent"):
        return sorted(rows, key=lambda r: (-(r.share(sort) or 0), r.position))
    return sorted(rows, key=lambda r: r.position)


def excellent_cap_reached(campaign: Campaign, rows: list[Appraisee], changing: int) -> bool:
    """Would one more 优秀 (for ``changing``) exceed the campaign's cap on its share?"""
    cap = campaign.top_grade_cap_percent
    if cap is None:
        return False
    excellent = sum(1 for r in rows if r.final_grade == "excellent" and r.id != changing) + 1
    return excellent * 100 > cap * len(rows)  # whole numbers: no rounding decides


def record_final_grade(
    session: Session, actor: str, campaign: Campaign, appraisee_id: int, grade: str, reason: str
) -> Appraisee:
    """The committee's final grade of one member, with its reason, in the audit log."""
    if campaign.status != CampaignStatus.CLOSED:
        raise Conflict("final grades are recorded once the campaign is closed")
    if grade not in GRADES:
        raise Invalid("the final grade is one of the four grades", field="grade")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("a final grade needs its reason", field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid(f"keep the reason under {MAX_REASON} characters", field="reason")
    lock(session, Campaign, campaign.id)  # two committee members grading at once: in turn,
    rows = appraisees(session, campaign)  # so that the cap is checked against both
    row = next((r for r in rows if r.id == appraisee_id), None)
    if row is None:
        raise NotFound("no such member in this appraisal")
    if grade == "excellent" and excellent_cap_reached(campaign, rows, row.id):
        raise Conflict(
            f"the campaign allows at most {campaign.top_grade_cap_percent}% 优秀: "
            "this grade would exceed it",
            cap=campaign.top_grade_cap_percent,
        )
    row.final_grade, row.final_reason = grade, reason
    row.decided_by, row.decided_at = actor, utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "appraisal.final_grade",
        campaign,
        appraisee=row.id,
        name=row.name,
        grade=grade,
        reason=reason,
    )
    return row
