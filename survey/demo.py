"""Demo data for a first look: a committee, three branches, campaigns and votes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import appraisal, campaigns
from survey.ballotbox import ballots, responses
from survey.campaigns import meeting
from survey.core import codes, links
from survey.files import roster
from survey.models import Ballot, Campaign, CampaignStatus, Organisation
from survey.staff import accounts, tokens

COMMITTEE = "示范机关党委"
BRANCHES = [
    ("第一党支部", "organ", False),  # an internal organ branch: no public-facing function
    ("第二党支部", "organ", True),
    ("社区党支部", "community", True),
]
LOGINS = [
    ("admin", "admin", None, "demo-admin-2026"),
    ("secretary", "secretary", 1, "demo-secretary-2026"),
    ("reviewer", "reviewer", 0, "demo-reviewer-2026"),
]
ACTOR = "cli:demo"
FOUNDED = date(2015, 7, 1)
SERVICE_AREA = (40.8424, 111.7500, 1500)  # lat, lon, radius in metres


def load_demo(session: Session, base_url: str | None = None) -> list[str]:
    """Load the demo once (in the caller's transaction); the lines to print."""
    return list(_load(session, base_url))


def _load(session: Session, base_url: str | None) -> Iterator[str]:
    base = (base_url or current_app.config.get("BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
    committee = session.scalar(select(Organisation).where(Organisation.name == COMMITTEE))
    if committee is None:
        yield "Loading the demo data…"
        token, cards = _create(session)
        yield f"API token of 'reviewer' (shown once): {token}"
        yield "Scrutineer cards of the open review (shown once; any 2 of 3 close it):"
        for card in cards:
            yield f"  {card.holder}: {card.code}"
    else:
        yield "Demo data already loaded."
    yield f"Sign in at {base}{links.path_for('auth.login')}"
    yield "Demo logins (user / password):"
    for username, _role, _org, password in LOGINS:
        yield f"  {username} / {password}"
    open_campaign = session.scalar(
        select(Campaign).where(
            Campaign.status == CampaignStatus.OPEN, Campaign.kind == "member_review"
        )
    )
    if open_campaign is None:
        return
    unused = session.scalars(
        select(Ballot)
        .where(Ballot.campaign_id == open_campaign.id, Ballot.status == "issued")
        .order_by(Ballot.code)
        .limit(5)
    ).all()
    yield f"Ballot links of the open campaign '{open_campaign.title}':"
    for ballot in unused:
        yield f"  {links.ballot_url(ballot.id, base)}   (code {codes.display(ballot.code)})"
    yield f"Short-code entry: {base}{links.path_for('public.enter_code')}"


def _create(session: Session) -> str:
    """Everything through the services, as the pages, the API and the CLI create it."""
    rng = random.Random(2026)
    committee = accounts.create_organisation(session, ACTOR, name=COMMITTEE, kind="committee")
    committee.domain, committee.scheme = "organ", "nmg-2020"
    branches = []
    for name, domain, public_facing in BRANCHES:
        branch = accounts.create_organisation(
            session, ACTOR, name=name, kind="branch", parent=committee
        )
        branch.domain, branch.founded_on, branch.public_facing = domain, FOUNDED, public_facing
        branch.service_lat, branch.service_lon, branch.service_radius_m = SERVICE_AREA
        branches.append(branch)
    orgs = [committee, *branches]
    for username, role, org_index, password in LOGINS:
        organisation = orgs[org_index] if org_index is not None else None
        accounts.create_user(
            session,
            ACTOR,
            username=username,
            role=role,
            organisation=organisation,
            password=password,
        )
    token = tokens.create(session, ACTOR, username="reviewer", name="demo")
    for branch, excellent_share in zip(branches, (0.95, 0.8, 0.92), strict=True):
        _closed_review(session, branch, rng, excellent_share)
    _assessments(session, branches)
    _closed_appraisal(session, branches[0], rng)
    cards = _open_review(session, branches[0])
    _draft_review(session, branches[0])
    _public_polls(session, branches[2], rng)
    return token, cards


def _closed_review(session: Session, branch: Organisation, rng, share: float) -> None:
    campaign = campaigns.create_campaign(
        session,
        ACTOR,
        branch,
        kind="member_review",
        year=2025,
        title=f"{branch.name}2025年度党员评议党支部工作",
        eligible_full=24,
        eligible_probationary=2,
    )
    issued = ballots.generate_ballots(session, ACTOR, campaign, 22, "full")
    issued += ballots.generate_ballots(session, ACTOR, campaign, 2, "probationary")
    cards = campaigns.open_campaign(session, ACTOR, campaign)
    scale = ("competent", "basically_competent")
    for ballot in issued[:21]:
        choice = "excellent" if rng.random() < share else rng.choice(scale)
        answers = responses.validate_answers(campaign, {"overall": choice})
        ballots.cast_ballot(session, ballot.id, answers)
    close_with_cards(session, campaign, cards)


def close_with_cards(session: Session, campaign: Campaign, cards) -> None:
    """Close as the meeting does: two scrutineers hand their cards over."""
    codes_ = [card.code for card in cards]
    campaigns.close_campaign(session, ACTOR, campaign, scrutineer_codes=codes_)


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = ("建国", "秀英", "志强", "丽华", "海燕", "国庆", "文明", "春梅", "红军", "晓东")


def _closed_appraisal(session: Session, branch: Organisation, rng) -> None:
    """The branch's roll (28 full members, 2 probationary) and its 2025 民主评议党员, closed:
    21 members graded every other member; the committee has yet to record final grades."""
    names = [f"{SURNAMES[i]}{GIVEN[i % len(GIVEN)]}" for i in range(30)]
    roll = [
        {"name": name, "member_class": "probationary" if i >= 28 else "full"}
        for i, name in enumerate(names)
    ]
    roster.apply_members(session, ACTOR, branch, roll)
    campaign = campaigns.create_campaign(
        session,
        ACTOR,
        branch,
        kind="member_appraisal",
        year=2025,
        title=f"{branch.name}2025年度民主评议党员",
        eligible_full=28,
        eligible_probationary=2,
    )
    issued = ballots.generate_ballots(session, ACTOR, campaign, 28, "full")
    issued += ballots.generate_ballots(session, ACTOR, campaign, 2, "probationary")
    cards = campaigns.open_campaign(session, ACTOR, campaign)
    weights = {"excellent": 5, "competent": 12, "basically_competent": 2, "incompetent": 1}
    for ballot in issued[:21]:
        grades = {
            q.key: rng.choices(list(weights), list(weights.values()))[0] for q in campaign.questions
        }
        answers, _missing = appraisal.read_rows(campaign, grades)
        ballots.cast_ballot(session, ballot.id, answers)
    close_with_cards(session, campaign, cards)


def _assessments(session: Session, branches: list[Organisation]) -> None:
    """The reviewer's 2025 entries: one branch clean, one excluded, one left to complete."""
    from survey.rating.assessments import save_assessment

    clean = {
        "organisation_grade": "excellent",
        "social": [{"department": "纪检监察", "negative": False, "note": "无反馈问题"}],
        "volunteers": 20,
        "serving_members": 24,
        "volunteer_activities": 3,
        "facts": {"public_notice_held": True},  # 群众评判 by 公示 (001 工作指南 §五(二)3)
    }
    save_assessment(session, "cli:demo", branches[0], 2025, clean)
    excluded = dict(clean, exclusions=[{"key": "negative_publicity", "note": "查实的信访举报1件"}])
    save_assessment(session, "cli:demo", branches[1], 2025, excluded)
    save_assessment(session, "cli:demo", branches[2], 2025, {"organisation_grade": "good"})


def _open_review(session: Session, branch: Organisation) -> list:
    """This year's review, open; returns its scrutineer cards (the demo prints them once)."""
    campaign = campaigns.create_campaign(
        session,
        ACTOR,
        branch,
        kind="member_review",
        year=2026,
        title=f"{branch.name}2026年度党员评议党支部工作",
        eligible_full=28,
        eligible_probationary=2,
        extra_questions=meeting.indicator_questions(["political", "team"]),
    )
    ballots.generate_ballots(session, ACTOR, campaign, 28, "full")
    ballots.generate_ballots(session, ACTOR, campaign, 2, "probationary")
    return campaigns.open_campaign(session, ACTOR, campaign)


def _draft_review(session: Session, branch: Organisation) -> None:
    """Next year's review, prepared but not open: its sheet of cards can be printed."""
    campaign = campaigns.create_campaign(
        session,
        ACTOR,
        branch,
        kind="member_review",
        year=2027,
        title=f"{branch.name}2027年度党员评议党支部工作（草稿）",
        eligible_full=28,
        eligible_probationary=2,
    )
    ballots.generate_ballots(session, ACTOR, campaign, 28, "full")
    ballots.generate_ballots(session, ACTOR, campaign, 2, "probationary")


def _public_polls(session: Session, branch: Organisation, rng) -> None:
    """A closed 2025 poll with complaints (one verified, one unfounded, one unchecked) and an
    open 2026 poll at /p/<slug> flagging positions outside the service radius."""
    from survey import polls
    from survey.polls import complaints

    closed = campaigns.create_campaign(
        session,
        ACTOR,
        branch,
        kind="public_satisfaction",
        year=2025,
        title=f"{branch.name}2025年度群众满意度测评",
        geofence="flag",
    )
    campaigns.open_campaign(session, ACTOR, closed)
    reasons = iter(["窗口排队时间太长", "小区路灯长期不亮", "办事人员态度生硬"])
    for n in range(40):
        choice = "dissatisfied" if n % 13 == 5 else rng.choice(("satisfied", "basically_satisfied"))
        polls.answer_poll(
            session,
            closed,
            {closed.headline.id: choice},
            reason=next(reasons, None) if choice == "dissatisfied" else None,
            geo=rng.choice(("inside", "inside", "inside", "unknown", "outside")),
            device=f"demo-{n}",
            ip_hash=f"{rng.randrange(12):016x}",
            ua_hash=f"{n % 3:016x}",
        )
    campaigns.close_campaign(session, ACTOR, closed)
    found = complaints.list_answers(session, closed)
    for item, result in zip(found, ("verified", "unfounded"), strict=False):
        response = complaints.load_response(session, item["id"])
        complaints.verify(session, ACTOR, response, result, "走访核实（演示数据）")
    current = campaigns.create_campaign(
        session,
        ACTOR,
        branch,
        kind="public_satisfaction",
        year=2026,
        title=f"{branch.name}2026年度群众满意度测评",
        geofence="flag",
    )
    campaigns.open_campaign(session, ACTOR, current)
