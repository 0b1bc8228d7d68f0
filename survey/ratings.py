"""Ratings from the database: evidence for the pure engine, the committee summary, titles.

Evidence for many branches is read with a fixed number of set-based queries (members,
public answers, assessments), never one query per branch: a committee of 10,000 branches
is summarised in a handful of statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from survey import access
from survey import rating as engine
from survey.errors_domain import Invalid
from survey.models import Answer, Assessment, Campaign, Organisation, Question, Response, Title

CHUNK = 5_000  # ids per IN (...) list; SQLite allows 32,766 bound parameters


def scheme_for(session: Session, organisation: Organisation, requested: str | None):
    """The requested scheme, else the nearest committee's own, else the default (nmg-2020)."""
    if requested:
        try:
            return engine.get_scheme(requested)
        except engine.UnknownScheme:
            known = ", ".join(engine.SCHEMES)
            raise Invalid(f"unknown scheme {requested!r}; known: {known}", field="scheme") from None
    for org_id in access.ancestors_and_self(session, organisation.id):
        key = session.scalar(select(Organisation.scheme).where(Organisation.id == org_id))
        if key in engine.SCHEMES:
            return engine.get_scheme(key)
    return engine.get_scheme(engine.DEFAULT_SCHEME)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _facts(org: Organisation) -> engine.OrganisationFacts:
    return engine.OrganisationFacts(
        id=org.id,
        name=org.name,
        domain=org.domain,
        founded_on=org.founded_on,
        public_facing=org.public_facing,
        weak=org.weak,
    )


def _headline_counts(campaign_filter, year: int, ids: list[int]) -> Select:
    """Headline answers per (branch, campaign, class, choice) of the year's campaigns."""
    return (
        select(
            Campaign.organisation_id,
            Campaign.id,
            Response.respondent_class,
            Answer.choice,
            func.count(),
        )
        .join(Response, Response.campaign_id == Campaign.id)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, and_(Question.id == Answer.question_id, Question.position == 0))
        .where(campaign_filter, Campaign.year == year, Campaign.organisation_id.in_(ids))
        .group_by(Campaign.organisation_id, Campaign.id, Response.respondent_class, Answer.choice)
    )


def member_evidence(
    session: Session, year: int, ids: list[int]
) -> dict[int, engine.MemberEvidence]:
    """The latest closed member review of the year per branch (the annual meeting)."""
    latest: dict[int, Campaign] = {}
    campaigns = session.scalars(
        select(Campaign).where(
            Campaign.kind == "member_review",
            Campaign.status == "closed",
            Campaign.year == year,
            Campaign.organisation_id.in_(ids),
        )
    )
    for campaign in campaigns:
        held = latest.get(campaign.organisation_id)
        if held is None or (campaign.closed_at, campaign.id) > (held.closed_at, held.id):
            latest[campaign.organisation_id] = campaign
    chosen = {c.id for c in latest.values()}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = session.execute(
        _headline_counts(
            and_(Campaign.kind == "member_review", Campaign.status == "closed"), year, ids
        )
    )
    for _org, campaign_id, cls, choice, n in rows:
        if campaign_id in chosen:
            counts[campaign_id][f"participants_{cls}"] += n
            if choice == "excellent":
                counts[campaign_id][f"excellent_{cls}"] += n
    return {
        org_id: engine.MemberEvidence(
            campaign_ids=(c.id,),
            eligible_full=c.eligible_full,
            eligible_probationary=c.eligible_probationary,
            **{k: v for k, v in counts[c.id].items()},
        )
        for org_id, c in latest.items()
    }


def public_evidence(
    session: Session, year: int, ids: list[int]
) -> dict[int, engine.PublicEvidence]:
    """Every answer of the year's public polls (open or closed) and its verification."""
    totals: dict[int, dict] = defaultdict(lambda: {"ids": set(), "responses": 0, "dissatisfied": 0})
    public = and_(Campaign.kind == "public_satisfaction", Campaign.status != "draft")
    for org_id, campaign_id, _cls, choice, n in session.execute(
        _headline_counts(public, year, ids)
    ):
        entry = totals[org_id]
        entry["ids"].add(campaign_id)
        entry["responses"] += n
        if choice == "dissatisfied":
            entry["dissatisfied"] += n
    checked = verification_counts(session, year, ids)
    return {
        org_id: engine.PublicEvidence(
            campaign_ids=tuple(sorted(entry["ids"])),
            responses=entry["responses"],
            dissatisfied=entry["dissatisfied"],
            verified=checked.get((org_id, "verified"), 0),
            unfounded=checked.get((org_id, "unfounded"), 0),
        )
        for org_id, entry in totals.items()
    }


def verification_counts(session: Session, year: int, ids: list[int]) -> dict[tuple[int, str], int]:
    """(branch, result) -> how many of the year's dissatisfied public answers were checked."""
    try:
        from survey.models import Verification
    except ImportError:  # the verification queue is not installed
        return {}
    rows = session.execute(
        select(Campaign.organisation_id, Verification.result, func.count())
        .join(Response, Response.campaign_id == Campaign.id)
        .join(Verification, Verification.response_id == Response.id)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, and_(Question.id == Answer.question_id, Question.position == 0))
        .where(
            Campaign.kind == "public_satisfaction",
            Campaign.status != "draft",
            Campaign.year == year,
            Campaign.organisation_id.in_(ids),
            Answer.choice == "dissatisfied",
        )
        .group_by(Campaign.organisation_id, Verification.result)
    )
    return {(org_id, result): n for org_id, result, n in rows}


def assessment_evidence(
    session: Session, year: int, ids: list[int]
) -> dict[int, engine.Assessment]:
    found = session.scalars(
        select(Assessment).where(Assessment.year == year, Assessment.organisation_id.in_(ids))
    )
    return {a.organisation_id: to_engine_assessment(a) for a in found}


def to_engine_assessment(row: Assessment) -> engine.Assessment:
    return engine.Assessment(
        organisation_grade=row.organisation_grade,
        score=row.score,
        social=tuple(
            engine.SocialFeedback(s["department"], bool(s["negative"]), s.get("note", ""))
            for s in row.social or ()
        ),
        exclusions=tuple(
            engine.Exclusion(e["key"], e.get("note", "")) for e in row.exclusions or ()
        ),
        volunteers=row.volunteers,
        serving_members=row.serving_members,
        volunteer_activities=row.volunteer_activities,
        stars=row.stars,
        named_stars=frozenset(row.named_stars or ()),
        entered_by=row.entered_by,
    )


def evidence_for(
    session: Session, year: int, organisations: list[Organisation]
) -> dict[int, engine.Evidence]:
    """Evidence of every branch in ``organisations`` for ``year``: three queries per chunk."""
    result = {}
    by_id = {org.id: org for org in organisations}
    for ids in _chunks(list(by_id)):
        members = member_evidence(session, year, ids)
        public = public_evidence(session, year, ids)
        assessments = assessment_evidence(session, year, ids)
        for org_id in ids:
            result[org_id] = engine.Evidence(
                year=year,
                organisation=_facts(by_id[org_id]),
                members=members.get(org_id),
                public=public.get(org_id),
                assessment=assessments.get(org_id),
            )
    return result


def rate_branch(
    session: Session, organisation: Organisation, year: int, scheme_key: str | None = None
) -> engine.Rating:
    if organisation.kind != "branch":
        raise Invalid("only a branch is rated", field="organisation_id")
    scheme = scheme_for(session, organisation, scheme_key)
    evidence = evidence_for(session, year, [organisation])[organisation.id]
    return engine.rate(evidence, scheme)


def committees_under(session: Session, root_id: int) -> set[int]:
    """The committee and every committee below it (one query per level)."""
    found, frontier = {root_id}, {root_id}
    while frontier:
        below = set(
            session.scalars(
                select(Organisation.id).where(
                    Organisation.parent_id.in_(frontier), Organisation.kind == "committee"
                )
            )
        )
        frontier = below - found
        found |= frontier
    return found


def branches_under(session: Session, committee: Organisation) -> list[Organisation]:
    parents = list(committees_under(session, committee.id))
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == "branch", Organisation.parent_id.in_(parents))
            .order_by(Organisation.id)
        )
    )


def committee_summary(
    session: Session, committee: Organisation, year: int, scheme_key: str | None = None
) -> dict:
    """Each branch's verdict, the eligible share against the target, the recommended list.

    A branch that already holds a live title from an earlier year is re-checked, not
    re-entered (002 §四(三)): it keeps its verdict in the list but is not recommended again.
    """
    if committee.kind != "committee":
        raise Invalid("a summary is made for a committee", field="committee_id")
    scheme = scheme_for(session, committee, scheme_key)
    branches = branches_under(session, committee)
    evidence = evidence_for(session, year, branches)
    ratings = [engine.rate(evidence[b.id], scheme) for b in branches]
    summary = engine.summarise(ratings, scheme, year)
    holders = title_holders(session, [b.id for b in branches], year)
    names = {b.id: b.name for b in branches}
    data = summary.to_dict()
    for branch in data["branches"]:
        branch["name"] = names[branch["organisation_id"]]
        branch["holds_title_since"] = holders.get(branch["organisation_id"])
    data["recommended"] = [i for i in data["recommended"] if holders.get(i) is None]
    data["committee_id"] = committee.id
    return data


def title_holders(session: Session, ids: list[int], year: int) -> dict[int, int]:
    """Branch -> first year of a live (unrevoked) title granted before ``year``."""
    held: dict[int, int] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Title.organisation_id, func.min(Title.year))
            .where(Title.organisation_id.in_(chunk), Title.year < year, Title.revoked_at.is_(None))
            .group_by(Title.organisation_id)
        )
        held.update(dict(rows.all()))
    return held
