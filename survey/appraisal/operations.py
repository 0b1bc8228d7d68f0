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
        Appraisee(
            campaign_id=campaign.id,
            position=i,
            name=label,
            member_class=m.member_class,
            member_id=m.id,
        )
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

    @property
    def suggested(self) -> str | None:
        return suggested_grade(self.counts)

    @property
    def preselected(self) -> str | None:
        """What the final grades' table starts at: the grade recorded, else the vote's
        suggestion where keeping it needs no reason (优秀, 合格); else undecided."""
        if self.final_grade:
            return self.final_grade
        keep = self.suggested
        return keep if keep is not None and not needs_reason(keep, keep) else None

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


def suggested_grade(counts: Mapping[str, int] | None) -> str | None:
    """The vote's suggestion for one member: the grade given most often. None where the
    counts are withheld (small-group rule), nobody graded the member, or two grades tie for
    the most: the committee then decides, with a reason."""
    if not counts:
        return None
    top = max(counts.values())
    leaders = [grade for grade in GRADES if counts.get(grade) == top]
    return leaders[0] if top > 0 and len(leaders) == 1 else None


REASON_ALWAYS = ("basically_competent", "incompetent")


def needs_reason(grade: str, suggestion: str | None) -> bool:
    """THE rule of final grades: a reason where the committee's grade differs from the
    vote's suggestion, and for every 基本合格 or 不合格 (the grades that call for handling)."""
    return grade in REASON_ALWAYS or grade != suggestion


def excellent_cap_reached(campaign: Campaign, rows: list[Appraisee], finals: Mapping) -> bool:
    """Would the final grades, those recorded with ``finals`` ({appraisee id: grade}) laid
    over them, exceed the campaign's cap on the share of 优秀?"""
    cap = campaign.top_grade_cap_percent
    if cap is None:
        return False
    excellent = sum(1 for r in rows if finals.get(r.id, r.final_grade) == "excellent")
    return excellent * 100 > cap * len(rows)  # whole numbers: no rounding decides


def record_final_grade(
    session: Session, actor: str, campaign: Campaign, appraisee_id: int, grade: str, reason: str
) -> Appraisee:
    """The committee's final grade of one member (the API's verb): ``record_final_grades``
    with one row."""
    (row,) = record_final_grades(session, actor, campaign, {appraisee_id: (grade, reason)})
    return row


def record_final_grades(
    session: Session,
    actor: str,
    campaign: Campaign,
    decisions: Mapping[int, tuple[str, str | None]],
) -> list[Appraisee]:
    """The committee's final grades, {appraisee id: (grade, reason)}, all or none: each row's
    problem is named in ``Invalid.detail["rows"]`` ({id: "grade" | "reason" | "too_long"}),
    and nothing is written while any row has one. A reason is needed where ``needs_reason``
    says; each row that changes is written in the audit log. The rows, in the order given."""
    if campaign.status != CampaignStatus.CLOSED:
        raise Conflict("final grades are recorded once the campaign is closed")
    lock(session, Campaign, campaign.id)  # two committee members grading at once: in turn,
    rows = {r.id: r for r in appraisees(session, campaign)}  # the cap checked against both
    if any(appraisee_id not in rows for appraisee_id in decisions):
        raise NotFound("no such member in this appraisal")
    suggestions = suggestions_of(campaign)
    cleaned, problems = {}, {}
    for appraisee_id, (grade, reason) in decisions.items():
        reason = (reason or "").strip()
        problem = final_grade_problem(grade, reason, suggestions.get(appraisee_id))
        if problem:
            problems[appraisee_id] = problem
        cleaned[appraisee_id] = (grade, reason or None)
    if problems:
        first = next(iter(problems.values()))
        field = "grade" if first == "grade" else "reason"
        raise Invalid(PROBLEMS[first], field=field, rows=problems)
    finals = {appraisee_id: grade for appraisee_id, (grade, _r) in cleaned.items()}
    adds_excellent = "excellent" in finals.values()
    if adds_excellent and excellent_cap_reached(campaign, list(rows.values()), finals):
        raise Conflict(
            f"the campaign allows at most {campaign.top_grade_cap_percent}% 优秀: "
            "these grades would exceed it",
            cap=campaign.top_grade_cap_percent,
        )
    for appraisee_id, (grade, reason) in cleaned.items():
        row = rows[appraisee_id]
        if (row.final_grade, row.final_reason) == (grade, reason):
            continue  # kept as it was: no new decision, no entry
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
    return [rows[appraisee_id] for appraisee_id in cleaned]


PROBLEMS = {
    "grade": "the final grade is one of the four grades",
    "reason": "a final grade that differs from the vote, or is 基本合格/不合格, needs its reason",
    "too_long": f"keep the reason under {MAX_REASON} characters",
}


def final_grade_problem(grade: str, reason: str, suggestion: str | None) -> str | None:
    if grade not in GRADES:
        return "grade"
    if len(reason) > MAX_REASON:
        return "too_long"
    if not reason and needs_reason(grade, suggestion):
        return "reason"
    return None


def suggestions_of(campaign: Campaign) -> dict[int, str | None]:
    """{appraisee id: the vote's suggestion}, read from the sealed snapshot."""
    return {
        row["id"]: suggested_grade(row.get("counts"))
        for row in (campaign.snapshot or {}).get("appraisees", [])
    }
