"""Ratings from the database: evidence for the pure engine, the committee summary, titles.

Evidence for many branches is read with a fixed number of set-based queries (members,
public answers, assessments), never one query per branch: a committee of 10,000 branches
is summarised in a handful of statements.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib.resources import files

from sqlalchemy import Select, Text, and_, cast, func, select
from sqlalchemy.orm import Session

from survey import rules
from survey.core.errors import Invalid, NotFound
from survey.core.scales import MASSES_MEETING
from survey.core.timezone import to_local
from survey.models import (
    Assessment,
    Campaign,
    Complaint,
    Organisation,
    Tally,
    Title,
    Verification,
)
from survey.rating import schemes_store
from survey.staff import access

# Tallies whose classes were merged at close (small-group rule, survey/ballotbox/counting.py)
MERGED_FIELD = {"all": "merged"}
CHUNK = 5_000  # ids per IN (...) list; SQLite allows 32,766 bound parameters

PUBLIC_CAMPAIGN_KINDS = ("public_satisfaction", MASSES_MEETING)
"""The campaign kinds whose closed tallies are 群众评判 answers on the satisfaction scale, each a
channel counted with the others (their verified 不满意 too): the public polls, and 群众代表
invited to the 述职评议 meeting with one-time cards (000 §二(三), 001 工作指南 §五(二)3, 003
§三(一)3), whose campaigns are named apart (channel ``meeting``)."""


def scheme_for(session: Session, organisation: Organisation, requested: str | None):
    """The requested scheme (a preset, or an own scheme of the organisation's committees),
    else the nearest committee's choice (a preset or its own), else the default (nmg-2020)."""
    chain = access.ancestors_and_self(session, organisation.id)
    if requested:
        if requested in rules.SCHEMES:
            return rules.get_scheme(requested)
        own = schemes_store.resolve(session, requested, chain)
        if own is not None:
            return own
        known = ", ".join(rules.SCHEMES)
        raise Invalid(f"unknown scheme {requested!r}; known: {known}", field="scheme")
    for org_id in chain:
        key = session.scalar(select(Organisation.scheme).where(Organisation.id == org_id))
        if key in rules.SCHEMES:
            return rules.get_scheme(key)
        own = schemes_store.resolve(session, key, [org_id]) if key else None
        if own is not None:
            return own
    return rules.get_scheme(rules.DEFAULT_SCHEME)


def _rows(session: Session, statement) -> list:
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


def _closed_campaign_tallies(session: Session, kinds, year: int, ids: list[int]):
    """Closed campaigns of the year, of ``kinds`` (one kind or a tuple), with their sealed
    tallies (one row per class/choice)."""
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    return _rows(
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
        .where(
            Campaign.kind.in_(kinds),
            Campaign.status == "closed",
            Campaign.year == year,
            Campaign.organisation_id.in_(ids),
        ),
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
        for (campaign_id,) in _rows(
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
    for org_id, campaign_id in _rows(
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
    rows = _rows(
        session,
        select(Campaign.organisation_id, Verification.result, func.count())
        .select_from(Verification)
        .join(Complaint, Complaint.id == Verification.complaint_id)
        .join(Campaign, Campaign.id == Complaint.campaign_id)
        .where(
            Campaign.kind.in_(PUBLIC_CAMPAIGN_KINDS),
            Campaign.status == "closed",
            Campaign.year == year,
            Campaign.organisation_id.in_(ids),
        )
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


def _json_facts(raw: str | None) -> dict:
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
    rows = _rows(
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
        facts=_json_facts(row["facts"]),
    )


def weak_marks(session: Session, year: int, ids) -> set[int]:
    """The branches whose assessment for ``year`` marks them 软弱涣散 (fact ``weak``)."""
    rows = _rows(
        session,
        select(Assessment.organisation_id, cast(Assessment.facts, Text)).where(
            Assessment.year == year, Assessment.organisation_id.in_(ids)
        ),
    )
    return {
        org_id for org_id, raw in rows if raw and '"weak"' in raw and _json_facts(raw).get("weak")
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


def rate_branch(
    session: Session, organisation: Organisation, year: int, scheme_key: str | None = None
) -> rules.Rating:
    if organisation.kind != "branch":
        raise Invalid("only a branch is rated", field="organisation_id")
    scheme = scheme_for(session, organisation, scheme_key)
    evidence = evidence_for(session, year, [organisation])[organisation.id]
    return rules.rate(evidence, scheme)


FACTS = ("id", "name", "domain", "founded_on", "public_facing", "weak")


def branch_selector(session: Session, committee: Organisation) -> Select:
    """A query of the ids of every active branch below ``committee`` (access.listed)."""
    parents = list(access.subtree_ids(session, committee.id, kind="committee"))
    return access.listed(
        select(Organisation.id).where(
            Organisation.kind == "branch", Organisation.parent_id.in_(parents)
        )
    )


def branches_under(session: Session, selector: Select) -> list:
    """Rows with the facts the rating reads of the branches ``selector`` picks."""
    columns = [getattr(Organisation, name) for name in FACTS]
    return list(
        _rows(
            session, select(*columns).where(Organisation.id.in_(selector)).order_by(Organisation.id)
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
    with _no_collection():
        data = _summarise(session, branch_selector(session, committee), year, scheme)
    data["committee_id"] = committee.id
    return data


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a summary is built: every object it makes
    (evidence, criteria, ratings of 10,000 branches) lives until it returns, so each full
    collection had nothing to free and only walked them again -- 7 passes, 1.3 s of a 3 s
    summary of 10,000 branches (bench/ratings.py). Collection resumes after, as before."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _summarise(session: Session, selector: Select, year: int, scheme) -> dict:
    branches = branches_under(session, selector)
    evidence = evidence_for(session, year, branches, selector)
    holders, held, barred = not_reentered(session, selector, year, evidence)
    ratings = [rules.rate(evidence[b.id], scheme) for b in branches]
    summary = rules.summarise(ratings, scheme, year, not_reentered=barred)
    names = {b.id: b.name for b in branches}
    data = summary.to_dict()
    for branch in data["branches"]:
        org_id = branch["organisation_id"]
        branch["name"] = names[org_id]
        branch["holds_title_since"] = holders.get(org_id)
        branch["rated_anew"] = org_id in holders and org_id not in barred
    data["phases"] = [check.to_dict() for check in phases(session, selector, scheme, year)]
    if holders:
        by_branch = {rating.organisation_id: rating for rating in ratings}
        data.update(title_life(held, evidence, by_branch, scheme, year, session))
    else:
        data.update(up_for_revocation=[], due_for_rating=[])
    return data


def phases(session: Session, selector: Select, scheme, year: int) -> tuple:
    """The scheme's count targets of ``year`` (Haimen's phases, 004 §三), each compared on its
    own deadline with the titles granted under the scheme, as local dates (SURVEY_TIMEZONE)."""
    if not any(t.year == year and t.count is not None for t in scheme.targets):
        return ()
    key = scheme.key.split("@", 1)[0]
    rows = _rows(
        session,
        select(Title.organisation_id, Title.granted_at, Title.revoked_at).where(
            Title.organisation_id.in_(selector),
            (Title.scheme == key) | Title.scheme.like(f"{key}@%"),
        ),
    )
    titles = [
        (org_id, to_local(granted).date(), to_local(revoked).date() if revoked else None)
        for org_id, granted, revoked in rows
    ]
    return rules.phase_checks(scheme, year, titles)


def title_life(held, evidence, ratings, scheme, year: int, session=None) -> dict:
    """The holders' yearly re-check, each under its own title's scheme (002 复查): the titles
    up for revocation with the failing criterion and its clause, and those past their term.
    Nothing is revoked here: a reviewer revokes with a reason (titles.revoke_title)."""
    checked = {}
    for title in held:
        if title.scheme == scheme.key:
            checked[title.organisation_id] = ratings[title.organisation_id]
        elif title.scheme in rules.SCHEMES:
            own = rules.get_scheme(title.scheme)
            checked[title.organisation_id] = rules.rate(evidence[title.organisation_id], own)
        elif session is not None and (own := _own_scheme(session, title.scheme)) is not None:
            checked[title.organisation_id] = rules.rate(evidence[title.organisation_id], own)
    return {
        "up_for_revocation": [e.to_dict() for e in rules.up_for_revocation(held, checked)],
        "due_for_rating": [e.to_dict() for e in rules.due_for_rating(held, year)],
    }


def _own_scheme(session: Session, ref: str):
    """The committee's own scheme version a title was granted on (``key@version``)."""
    return schemes_store.resolve(session, ref)


def held_titles(session: Session, selector: Select, year: int, evidence) -> list:
    """Live titles granted before ``year``, each with the term it lasts to: the term end the
    year's assessment gives, else the one entered in the year the title was granted."""
    rows = session.execute(
        select(
            Title.id, Title.organisation_id, Title.year, Title.scheme, cast(Assessment.facts, Text)
        )
        .outerjoin(
            Assessment,
            and_(
                Assessment.organisation_id == Title.organisation_id, Assessment.year == Title.year
            ),
        )
        .where(Title.organisation_id.in_(selector), Title.year < year, Title.revoked_at.is_(None))
        .order_by(Title.organisation_id, Title.year)
    )
    held = []
    for title_id, org_id, granted, key, raw in rows:
        now = evidence[org_id].assessment if org_id in evidence else None
        term = now.term_ends_on if now is not None else None
        if term is None:
            term = _json_facts(raw).get("term_ends_on")
        held.append(rules.HeldTitle(title_id, org_id, granted, key, term))
    return held


def not_reentered(session: Session, selector: Select, year: int, evidence) -> tuple:
    """(holders, their held titles, the holders still within their term): the last are
    re-checked, not re-entered (002 §四(三)); a holder past its term is rated again like any
    branch and recommended on its rating (001 工作指南 §七(四) 到任期届满后再重新评定)."""
    holders = title_holders(session, selector, year)
    if not holders:
        return holders, [], {}
    held = held_titles(session, selector, year, evidence)
    in_term = rules.in_term(held, year)
    return holders, held, {org: since for org, since in holders.items() if org in in_term}


def title_holders(session: Session, selector: Select, year: int) -> dict[int, int]:
    """Branch -> first year of a live (unrevoked) title granted before ``year``."""
    rows = _rows(
        session,
        select(Title.organisation_id, func.min(Title.year))
        .where(Title.organisation_id.in_(selector), Title.year < year, Title.revoked_at.is_(None))
        .group_by(Title.organisation_id),
    )
    return dict(rows)


def seed_text(number: str) -> tuple[rules.SeedFile, str]:
    """A policy document the rules cite, with its full text (shipped in the package)."""
    found = rules.SEED_FILES.get(number)
    if found is None:
        raise NotFound("not found")
    text = files("survey.rules").joinpath("seeds", found.file).read_text(encoding="utf-8")
    return found, text
