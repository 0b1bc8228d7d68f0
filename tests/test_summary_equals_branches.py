"""The committee summary (evidence read in bulk, the scheme's steps compiled once, shared
thresholds) says of every branch exactly what rating that branch alone says, with nothing
made once and shared: a few hundred branches of varied evidence, under every preset scheme."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import insert

from survey import rating, rules
from survey.models import Assessment, Campaign, Complaint, Organisation, Question, Tally
from survey.models.poll import Verification
from survey.rules import engine, entries, votes

YEAR = 2026
BRANCHES = 240
DOMAINS = ("organ", "village", "community", "enterprise", "school", "other")
GRADES = (None, "excellent", "good", "fair", "poor")


def _assessment(rng: random.Random, org_id: int) -> dict:
    facts = {
        name: rng.choice((None, 0, 1, 3, 10, 40))
        for name in ("overall_rank", "full_members", "party_members", "vacancy_months")
    }
    facts["weak"] = rng.choice((None, False, True))
    facts["term_held_on_time"] = rng.choice((None, True, False))
    return {
        "organisation_id": org_id,
        "year": YEAR,
        "organisation_grade": rng.choice(GRADES),
        "score": rng.choice((None, 60, 85, 95)),
        "social": [
            {"department": f"部门{k}", "negative": rng.random() < 0.15, "note": ""}
            for k in range(rng.randrange(3))
        ],
        "exclusions": [{"key": "other", "note": ""}] if rng.random() < 0.1 else [],
        "volunteers": rng.choice((None, 0, 5)),
        "serving_members": rng.choice((None, 5, 10)),
        "volunteer_activities": rng.choice((None, 1, 12)),
        "stars": rng.choice((None, 6, 10)),
        "named_stars": rng.sample(rules.STAR_NAMES, rng.randrange(4)),
        "facts": {k: v for k, v in facts.items() if v is not None},
        "entered_by": "test",
    }


def _campaign(rng, org_id, kind, status, rows) -> None:
    """A campaign of ``kind``; closed ones with their sealed tallies (and for a poll, a
    response per dissatisfied answer, some verified or found unfounded)."""
    campaign = {"organisation_id": org_id, "kind": kind, "year": YEAR, "title": "测评"}
    campaign |= {"status": status, "geofence": "off", "eligible_full": rng.choice((None, 20))}
    rows["campaigns"].append(campaign)
    if status != "closed":
        return
    choices = ("excellent", "competent") if kind == "member_review" else ("satisfied",)
    for cls in ("full", "probationary") if kind == "member_review" else ("public",):
        for choice in choices + (("dissatisfied",) if kind != "member_review" else ()):
            n = rng.randrange(0, 20)
            if n:
                rows["tallies"].append((campaign, cls, choice, n))


def _build(session, committee_id: int) -> None:
    rng = random.Random(14)
    orgs = [
        {
            "name": f"第{i}党支部",
            "kind": "branch",
            "parent_id": committee_id,
            "domain": rng.choice(DOMAINS),
            "public_facing": rng.random() < 0.6,
            "weak": rng.random() < 0.1,
            "founded_on": rng.choice((None, date(2010, 5, 1), date(YEAR, 3, 1))),
        }
        for i in range(BRANCHES)
    ]
    ids = list(session.scalars(insert(Organisation).returning(Organisation.id), orgs))
    rows: dict[str, list] = {"campaigns": [], "tallies": []}
    for org_id in ids:
        if rng.random() < 0.85:
            _campaign(rng, org_id, "member_review", "closed", rows)
        if rng.random() < 0.7:
            status = "closed" if rng.random() < 0.85 else "open"
            _campaign(rng, org_id, "public_satisfaction", status, rows)
    session.execute(insert(Assessment), [_assessment(rng, i) for i in ids if rng.random() < 0.9])
    for campaign in rows["campaigns"]:
        campaign["id"] = session.scalar(insert(Campaign).returning(Campaign.id), campaign)
        scale = "public_satisfaction" if campaign["kind"] != "member_review" else "member_review"
        session.execute(
            insert(Question),
            {"campaign_id": campaign["id"], "position": 0, "key": "overall", "prompt": "?"}
            | {"scale": scale},
        )
    for campaign, cls, choice, n in rows["tallies"]:
        session.execute(
            insert(Tally),
            {"campaign_id": campaign["id"], "respondent_class": cls, "choice": choice, "n": n},
        )
        if choice == "dissatisfied":
            _verify(session, rng, campaign["id"], n)


def _verify(session, rng, campaign_id: int, dissatisfied: int) -> None:
    for k in range(dissatisfied):
        complaint_id = f"{campaign_id:08d}{k:024d}"
        session.execute(insert(Complaint), {"id": complaint_id, "campaign_id": campaign_id})
        result = rng.choice((None, None, "verified", "unfounded"))
        if result:
            session.execute(
                insert(Verification),
                {"complaint_id": complaint_id, "result": result, "note": "", "verified_by": "t"},
            )


@pytest.mark.parametrize("scheme", sorted(rules.SCHEMES))
def test_the_summary_rates_each_branch_as_rating_it_alone_does(db, make, scheme, monkeypatch):
    committee = make.organisation("机关党委", "committee")
    _build(db.session, committee.id)
    db.session.commit()
    summary = rating.committee_summary(db.session, committee, YEAR, scheme)
    alone = {}
    with monkeypatch.context() as fresh:  # each part of each criterion made anew
        for module in (entries, votes):
            fresh.setattr(module, "once", lambda _item, _name, make: make())
        fresh.setattr(engine, "_PLANS", {})
        for organisation in db.session.query(Organisation).filter_by(parent_id=committee.id):
            engine._PLANS.clear()
            alone[organisation.id] = rating.rate_branch(db.session, organisation, YEAR, scheme)
    assert {b["organisation_id"]: b["verdict"] for b in summary["branches"]} == {
        org_id: branch.verdict for org_id, branch in alone.items()
    }
    assert len(summary["branches"]) == BRANCHES
    assert len({r.verdict for r in alone.values()}) >= 2, "the evidence should vary"
    # the whole rating, criterion by criterion, from the bulk evidence and the shared steps
    selector = rating.branch_selector(db.session, committee)
    branches = rating.branches_under(db.session, selector)
    bulk = rating.evidence_for(db.session, YEAR, branches, selector)
    chosen = rules.get_scheme(scheme)
    for org_id, branch in alone.items():
        assert rules.rate(bulk[org_id], chosen).to_dict() == branch.to_dict(), org_id
