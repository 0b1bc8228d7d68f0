"""``flask --app survey audit CAMPAIGN_ID``: recount a campaign and check it against what
was sealed, so that a result changed behind the application's back does not go unnoticed.

Every vote is counted once on each side: ballots spent plus poll devices (one per public
answer) equal the votes stored -- sealed envelopes while open, the votes counted at close
once closed -- and the receipts drawn. A closed campaign's snapshot must still hash to its
SHA-256, and the stored counts must still give its counts and the sealed tallies the ratings
read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey import appraisal
from survey.ballotbox import counting, responses
from survey.campaigns import life
from survey.models import AuditEntry, Campaign, CampaignStatus, PollDevice, Receipt, Tally

# A member's name erased from a sealed snapshot (个人信息保护法, survey/files/personal_data.py):
# the audit log records the digest before and after, so the seal is still followed.
ERASED_IN_SNAPSHOT = "appraisal.name_erased"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _count(session: Session, model, campaign_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(model.campaign_id == campaign_id)
    )


def audit_campaign(session: Session, campaign: Campaign) -> list[Check]:
    """Every check, passed or not, in the order they are printed."""
    spent = life.ballot_counts(session, campaign.id)["cast"]
    devices = _count(session, PollDevice, campaign.id)
    plain = campaign.votes_counted or 0
    sealed = responses.envelope_count(session, campaign.id)
    receipts = _count(session, Receipt, campaign.id)
    votes = plain + sealed
    checks = [
        Check(
            "votes stored == ballots spent + poll devices",
            votes == spent + devices,
            f"{votes} stored ({plain} counted at close, {sealed} envelopes); "
            f"{spent} ballots spent, {devices} poll devices",
        ),
        Check("receipts == votes stored", receipts == votes, f"{receipts} receipts, {votes} votes"),
    ]
    if campaign.status == CampaignStatus.OPEN:
        checks.append(
            Check(
                "open: envelopes == ballots spent + poll devices",
                sealed == spent + devices,
                f"{sealed} envelopes",
            )
        )
    if campaign.status == CampaignStatus.CLOSED:
        checks += _closed_checks(session, campaign, sealed, plain)
    return checks


def _seals(session: Session, campaign: Campaign) -> list[str]:
    """The sealed digest, then each digest a recorded erasure of a name led to from it."""
    steps = {
        detail["sealed"]: detail["resealed"]
        for detail in session.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.action == ERASED_IN_SNAPSHOT,
                AuditEntry.object_type == "campaigns",
                AuditEntry.object_id == str(campaign.id),
            )
        )
        if detail
    }
    seals = [campaign.snapshot_sha256]
    while seals[-1] in steps and steps[seals[-1]] not in seals:
        seals.append(steps[seals[-1]])
    return seals


def _closed_checks(session: Session, campaign: Campaign, sealed: int, plain: int) -> list[Check]:
    snapshot = campaign.snapshot or {}
    digest = life.snapshot_digest(snapshot) if campaign.snapshot else None
    per_question = counting.answer_counts(session, campaign)
    checks = [
        Check("closed: no envelope left", sealed == 0, f"{sealed} envelopes"),
        Check(
            "snapshot matches its SHA-256",
            digest is not None and digest in _seals(session, campaign),
            f"{digest} vs sealed {campaign.snapshot_sha256}",
        ),
        Check(
            "votes counted == snapshot",
            plain == snapshot.get("responses"),
            f"{plain} vs {snapshot.get('responses')}",
        ),
    ]
    if appraisal.is_appraisal(campaign):
        return checks + _appraisal_checks(session, campaign, snapshot, per_question)
    headline = per_question[campaign.headline.key]
    checks += [
        Check(
            "headline counts recounted == snapshot",
            headline == snapshot.get("counts"),
            f"{headline} vs {snapshot.get('counts')}",
        ),
        # every ballot answers the headline question: its counts add up to the votes
        Check(
            "headline counts add up to the votes counted",
            sum(headline.values()) == plain,
            f"{sum(headline.values())} vs {plain}",
        ),
    ]
    # the snapshot hides an extra question's counts under the small-group rule: compare shown
    shown = {q["key"]: q["counts"] for q in snapshot.get("questions", []) if q["counts"]}
    fresh = {key: counts for key, counts in per_question.items() if key in shown}
    checks.append(Check("question counts recounted == snapshot", fresh == shown, f"{fresh}"))
    stored = {}
    for cls, choice, n in session.execute(
        select(Tally.respondent_class, Tally.choice, Tally.n).where(
            Tally.campaign_id == campaign.id
        )
    ):
        stored.setdefault(cls, {})[choice] = n
    by_class = {
        cls: {c: n for c, n in counts.items() if n}
        for cls, counts in life.class_counts(session, campaign).items()
    }
    checks.append(Check("tallies table == counts recounted", stored == by_class, f"{stored}"))
    return checks


def _appraisal_checks(session, campaign, snapshot: dict, per_question: dict) -> list[Check]:
    """A member appraisal: each member's counts the seal shows (the small-group rule hides
    the others) recounted, and no headline tallies (the ratings read none from it)."""
    shown = {r["key"]: r["counts"] for r in snapshot.get("appraisees", []) if r["counts"]}
    fresh = {key: counts for key, counts in per_question.items() if key in shown}
    tallies = session.scalar(
        select(func.count()).select_from(Tally).where(Tally.campaign_id == campaign.id)
    )
    return [
        Check("member counts recounted == snapshot", fresh == shown, f"{fresh}"),
        Check("no tallies row for a member appraisal", tallies == 0, f"{tallies} rows"),
    ]
