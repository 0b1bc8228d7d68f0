"""Evidence for the pure engine (``survey.rules``) read from the database.

Evidence for many branches is read with a fixed number of set-based queries (members,
public answers, assessments), never one query per branch: a committee of 10,000 branches
is summarised in a handful of statements.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.orm import Session

from survey import rules
from survey.core.scales import MASSES_MEETING
from survey.models import Assessment, Campaign, Complaint, Organisation, Tally, Verification

# Tallies whose classes were merged at close (small-group rule, survey/ballotbox/counting.py)
MERGED_FIELD = {"all": "merged"}
CHUNK = 5_000  # ids per IN (...) list; SQLite allows 32,766 bound parameters

PUBLIC_CAMPAIGN_KINDS = ("public_satisfaction", MASSES_MEETING)
"""The campaign kinds whose closed tallies are 群众评判 answers on the satisfaction scale, each a
channel counted with the others (their verified 不满意 too): the public polls, and 群众代表
invited to the 述职评议 meeting with one-time cards (000 §二(三), 001 工作指南 §五(二)3, 003
§三(一)3), whose campaigns are named apart (channel ``meeting``)."""


def plain_rows(session: Session, statement) -> list:
    """The rows of a Core ``statement`` through the session's connection (its transaction,
    its pending changes flushed first): plain tuples without the ORM's result processing,
    a quarter of the Python time of reading a committee's ~50,000 evidence rows."""
    session.flush()
    return session.connection().execute(statement).all()


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _facts(org) -> rules.OrganisationFacts:
    """From an Organisation or a row of FACTS (read by position: 10,000 rows at a time)."""
    if isinstance(org, Organisation):
        return rules.OrganisationFacts(
            org.id, org.name, org.domain, org.founded_on, org.public_facing, org.weak
        )
    return rules.OrganisationFacts(*org)


def _closed_of_year(kinds, year: int, ids) -> tuple:
    """The filter on ``Campaign`` for the year's closed campaigns of ``kinds`` in ``ids``."""
    return (
        Campaign.kind.in_(kinds),
        Campaign.status == "closed",
        Campaign.year == year,
        Campaign.organisation_id.in_(ids),
    )


def _closed_campaign_tallies(session: Session, kinds, year: int, ids: list[int]):
    """Closed campaigns of the year, of ``kinds`` (one kind or a tuple), with their sealed
    tallies (one row per class/choice)."""
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    return plain_rows(
        session,
        select(
            Campaign.organisation_id,
            Campaign.id,
            Campaign.closed_at,
            Campaign.eligible_full,
            Campaign.eligible_probationary,
            Tally.respondent_class,
            Tally.choice,
            Tally.n,
        )
        .outerjoin(Tally, Tally.campaign_id == Campaign.id)
        .where(*_closed_of_year(kinds, year, ids)),
    )


def member_evidence(session: Session, year: int, ids: list[int]) -> dict[int, rules.MemberEvidence]:
    """The latest closed member review of the year per branch (the annual meeting)."""
    latest: dict[int, tuple] = {}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (
        org_id,
        campaign_id,
        closed_at,
        full,
        probationary,
        cls,
        choice,
        n,
    ) in _closed_campaign_tallies(session, "member_review", year, ids):
        key = (closed_at, campaign_id)
        if org_id not in latest or key > latest[org_id][0]:
            latest[org_id] = (key, full, probationary)
        if cls is not None:
            cls = MERGED_FIELD.get(cls, cls)
            counts[campaign_id][f"participants_{cls}"] += n
            if choice == "excellent":
                counts[campaign_id][f"excellent_{cls}"] += n
    return {
        org_id: rules.MemberEvidence(
            campaign_ids=(key[1],),
            eligible_full=full,
            eligible_probationary=probationary,
            **counts[key[1]],
        )
        for org_id, (key, full, probationary) in latest.items()
    }


def public_evidence(session: Session, year: int, ids) -> dict[int, rules.PublicEvidence]:
    """The answers of the year's closed public polls (sealed) and their verification.

    A poll still open is only named: its counts stay hidden from everyone until it closes
    (docs/design.md), and the criterion waits for it.
    """
    totals: dict[int, dict] = defaultdict(
        lambda: {"ids": set(), "open": [], "meetings": set(), "responses": 0, "dissatisfied": 0}
    )
    meetings = {
        campaign_id
        for (campaign_id,) in plain_rows(
            session,
            select(Campaign.id).where(
                Campaign.kind == MASSES_MEETING,
                Campaign.status.in_(("open", "closed")),
                Campaign.year == year,
                Campaign.organisation_id.in_(ids),
            ),
        )
    }
    for org_id, campaign_id, _at, _f, _p, _cls, choice, n in _closed_campaign_tallies(
        session, PUBLIC_CAMPAIGN_KINDS, year, ids
    ):
        entry = totals[org_id]
        entry["ids"].add(campaign_id)
        if choice is not None:
            _add_answers(entry, choice, n, campaign_id in meetings)
        if campaign_id in meetings:
            entry["meetings"].add(campaign_id)
    for org_id, campaign_id in plain_rows(
        session,
        select(Campaign.organisation_id, Campaign.id).where(
            Campaign.kind.in_(PUBLIC_CAMPAIGN_KINDS),
            Campaign.status == "open",
            Campaign.year == year,
            Campaign.organisation_id.in_(ids),
        ),
    ):
        totals[org_id]["open"].append(campaign_id)
        if campaign_id in meetings:
            totals[org_id]["meetings"].add(campaign_id)
    checked = verification_counts(session, year, ids)
    return {
        org_id: rules.PublicEvidence(
            campaign_ids=tuple(sorted(entry["ids"])),
            responses=entry["responses"],
            dissatisfied=entry["dissatisfied"],
            verified=checked.get((org_id, "verified"), 0),
            unfounded=checked.get((org_id, "unfounded"), 0),
            open_polls=tuple(sorted(entry["open"])),
            meeting_campaign_ids=tuple(sorted(entry["meetings"])),
            meeting_responses=entry.get("meeting_responses", 0),
            meeting_dissatisfied=entry.get("meeting_dissatisfied", 0),
        )
        for org_id, entry in totals.items()
        if entry["responses"] or entry["open"]
    }


def _add_answers(entry: dict, choice: str, n: int, at_meeting: bool) -> None:
    """Count ``n`` answers of ``choice`` into a branch's public totals (and, for 群众代表 at
    the meeting, into its channel's own)."""
    dissatisfied = n if choice == "dissatisfied" else 0
    entry["responses"] += n
    entry["dissatisfied"] += dissatisfied
    if at_meeting:
        entry["meeting_responses"] = entry.get("meeting_responses", 0) + n
        entry["meeting_dissatisfied"] = entry.get("meeting_dissatisfied", 0) + dissatisfied


def verification_counts(session: Session, year: int, ids: list[int]) -> dict[tuple[int, str], int]:
    """(branch, result) -> how many of the year's dissatisfied public answers were checked."""
    # Only a dissatisfied headline answer can be verified (survey.polls.complaints.verify), and
    # answers never change: counting verifications needs no join to the answers.
    rows = plain_rows(
        session,
        select(Campaign.organisation_id, Verification.result, func.count())
        .select_from(Verification)
        .join(Complaint, Complaint.id == Verification.complaint_id)
        .join(Campaign, Campaign.id == Complaint.campaign_id)
        .where(*_closed_of_year(PUBLIC_CAMPAIGN_KINDS, year, ids))
        .group_by(Campaign.organisation_id, Verification.result),
    )
    return {(org_id, result): n for org_id, result, n in rows}


ASSESSMENT_COLUMNS = (
    "organisation_grade",
    "score",
    "social",
    "exclusions",
    "volunteers",
    "serving_members",
    "volunteer_activities",
    "stars",
    "named_stars",
    "facts",
    "entered_by",
)


JSON_COLUMNS = {"social", "exclusions", "named_stars", "facts"}


def _json_list(raw: str | None) -> list:
    """A JSON list read as text: most are empty, and skipping the JSON type's own result
    processing for 10,000 rows halves the read (measured on PostgreSQL)."""
    return json.loads(raw) if raw and raw != "[]" else []


def json_facts(raw: str | None) -> dict:
    """The further facts as the engine reads them: dates as dates (stored as ISO text)."""
    if not raw or raw in ("{}", "null"):
        return {}
    facts = json.loads(raw)
    if isinstance(facts.get("term_ends_on"), str):
        facts["term_ends_on"] = date.fromisoformat(facts["term_ends_on"])
    return facts


def assessment_evidence(session: Session, year: int, ids) -> dict[int, rules.Assessment]:
    columns = [
        cast(getattr(Assessment, name), Text).label(name)
        if name in JSON_COLUMNS
        else getattr(Assessment, name)
        for name in ASSESSMENT_COLUMNS
    ]
    rows = plain_rows(
        session,
        select(Assessment.organisation_id, *columns).where(
            Assessment.year == year, Assessment.organisation_id.in_(ids)
        ),
    )
    return {row[0]: to_engine_assessment(row._mapping) for row in rows}


def to_engine_assessment(row) -> rules.Assessment:
    """The engine's dataclass from a mapping of ASSESSMENT_COLUMNS (the JSON lists as text)."""
    return rules.Assessment(
        organisation_grade=row["organisation_grade"],
        score=row["score"],
        social=tuple(
            rules.SocialFeedback(s["department"], bool(s["negative"]), s.get("note", ""))
            for s in _json_list(row["social"])
        ),
        exclusions=tuple(
            rules.Exclusion(e["key"], e.get("note", "")) for e in _json_list(row["exclusions"])
        ),
        volunteers=row["volunteers"],
        serving_members=row["serving_members"],
        volunteer_activities=row["volunteer_activities"],
        stars=row["stars"],
        named_stars=frozenset(_json_list(row["named_stars"])),
        entered_by=row["entered_by"],
        facts=json_facts(row["facts"]),
    )


def weak_marks(session: Session, year: int, ids) -> set[int]:
    """The branches whose assessment for ``year`` marks them 软弱涣散 (fact ``weak``)."""
    rows = plain_rows(
        session,
        select(Assessment.organisation_id, cast(Assessment.facts, Text)).where(
            Assessment.year == year, Assessment.organisation_id.in_(ids)
        ),
    )
    return {
        org_id for org_id, raw in rows if raw and '"weak"' in raw and json_facts(raw).get("weak")
    }


def evidence_for(
    session: Session, year: int, organisations: list, selector: Select | None = None
) -> dict[int, rules.Evidence]:
    """Evidence of every branch in ``organisations`` (models or rows with their facts).

    With ``selector``, a query of exactly those branches' ids, each kind of evidence is one
    query joined to it; without, a handful of queries per chunk of 5,000 listed ids.
    """
    result = {}
    by_id = {org.id: org for org in organisations}
    batches = [selector] if selector is not None else _chunks(list(by_id))
    for batch in batches:
        ids = list(by_id) if selector is not None else batch
        members = member_evidence(session, year, batch)
        public = public_evidence(session, year, batch)
        assessments = assessment_evidence(session, year, batch)
        weak_before = weak_marks(session, year - 1, batch)
        for org_id in ids:
            result[org_id] = rules.Evidence(
                year=year,
                organisation=_facts(by_id[org_id]),
                members=members.get(org_id),
                public=public.get(org_id),
                assessment=assessments.get(org_id),
                weak_last_year=org_id in weak_before,
            )
    return result
