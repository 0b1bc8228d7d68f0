"""The data a bench run needs, made through the product's own services (and, for the
sealed box, bulk-inserted envelopes sealed by survey/ballotbox/sealing.py)."""

from __future__ import annotations

import secrets

from sqlalchemy import func, insert, select, text

from survey import campaigns, create_app
from survey.ballotbox import ballots, sealing
from survey.core.database import upgrade
from survey.core.extensions import db
from survey.core.security import ballot_token
from survey.models import Ballot, Count, Envelope, Organisation
from survey.staff import accounts

KEY = "bench-secret-key-not-for-production"
PASSWORD = "bench-password-1"


def app_for(url: str):
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEYS": [KEY], "BASE_URL": "http://bench.test"}
    )


def seed(app, ballots_wanted: int, cards: int) -> dict:
    """An open member review with ``ballots_wanted`` ballots (tokens for the product, ids
    for L2), an open public poll, a draft review of ``cards`` cards and its secretary."""
    with app.app_context():
        upgrade()
        branch = Organisation(name="基准党支部", kind="branch")
        db.session.add(branch)
        db.session.flush()
        review = campaigns.create_campaign(
            db.session, "bench", branch, kind="member_review", year=2026, title="基准评议"
        )
        issued = []
        while len(issued) < ballots_wanted:
            count = min(ballots.MAX_BATCH, ballots_wanted - len(issued))
            issued += ballots.generate_ballots(db.session, "bench", review, count)
        campaigns.open_campaign(db.session, "bench", review)  # a meeting opens with its cards
        poll = campaigns.create_campaign(
            db.session, "bench", branch, kind="public_satisfaction", year=2026, title="基准测评"
        )
        campaigns.open_campaign(db.session, "bench", poll)
        draft = campaigns.create_campaign(
            db.session, "bench", branch, kind="member_review", year=2025, title="卡片"
        )
        ballots.generate_ballots(db.session, "bench", draft, cards)
        accounts.create_user(
            db.session,
            "bench",
            username="secretary",
            role="secretary",
            organisation=branch,
            password=PASSWORD,
        )
        db.session.execute(text("CREATE TABLE bench_l2 (code VARCHAR(16), choice VARCHAR(32))"))
        db.session.commit()
        ids = [b.id for b in issued]
        return {
            "review": review.id,
            "poll": poll.id,
            "slug": poll.slug,
            "draft": draft.id,
            "branch": branch.id,
            "tokens": [ballot_token(i) for i in ids],
            "ids": ids,
        }


def sealed_campaign(app, branch_id: int, votes: int) -> int:
    """An open campaign holding ``votes`` sealed envelopes (as casts would leave them)."""
    with app.app_context():
        branch = db.session.get(Organisation, branch_id)
        campaign = campaigns.create_campaign(
            db.session,
            "bench",
            branch,
            kind="member_review",
            year=2024,
            title="开箱",
            sealing="server",  # envelopes sealed here by the server's key, in bulk
        )
        ballots.generate_ballots(db.session, "bench", campaign, 3)  # a meeting opens with cards
        campaigns.open_campaign(db.session, "bench", campaign)
        question = campaign.questions[0].id
        keys = sealing.secret_keys()
        choices = ["excellent", "competent", "basically_competent", "incompetent"]
        for start in range(0, votes, 10_000):
            rows = []
            for i in range(start, min(votes, start + 10_000)):
                vote = {"class": "full", "geo": None, "answers": [[question, choices[i % 4], None]]}
                kid, blob = sealing.seal(campaign.id, vote, keys)
                rows.append(
                    {
                        "id": secrets.token_hex(16),
                        "campaign_id": campaign.id,
                        "key_id": kid,
                        "sealed": blob,
                    }
                )
            db.session.execute(insert(Envelope), rows)
        db.session.commit()
        return campaign.id


def opened_box(app, branch_id: int, responses: int) -> int:
    """An open member review whose counts already hold ``responses`` votes (one answer each),
    as the close of as many envelopes leaves them: its close then seals those counts, and
    the tally reads what it sealed (the 4 kB envelopes of a real 1,000,000-vote close are
    4 GB). A closed campaign keeps counts only: four rows, whatever ``responses`` is."""
    with app.app_context():
        branch = db.session.get(Organisation, branch_id)
        campaign = campaigns.create_campaign(
            db.session,
            "bench",
            branch,
            kind="member_review",
            year=2023,
            title="百万",
            sealing="server",  # plain responses put in directly: no envelope to open
        )
        ballots.generate_ballots(db.session, "bench", campaign, 3)  # a meeting opens with cards
        campaigns.open_campaign(db.session, "bench", campaign)
        question = campaign.questions[0].id
        db.session.flush()
        choices = ("excellent", "competent", "basically_competent", "incompetent")
        rows = [
            {
                "campaign_id": campaign.id,
                "question_id": question,
                "respondent_class": "full",
                "geo": "none",
                "choice": choice,
                "n": responses // 4 + (k < responses % 4),
            }
            for k, choice in enumerate(choices)
        ]
        db.session.execute(insert(Count), rows)
        db.session.commit()
        return campaign.id


def spent_and_stored(app, campaign_id: int, ids: list[str]) -> tuple[int, int]:
    """Used ballots (of those cast through the product) and stored votes (envelopes) of a
    campaign: they must be equal."""
    with app.app_context():
        used = db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.id.in_(ids), Ballot.status == "used")
        )
        stored = db.session.scalar(
            select(func.count()).select_from(Envelope).where(Envelope.campaign_id == campaign_id)
        )
        db.session.remove()
        return used, stored


def envelopes_of(app, campaign_id: int) -> int:
    with app.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(Envelope).where(Envelope.campaign_id == campaign_id)
        )
        db.session.remove()
        return stored


def l2_spent_and_stored(app, ids: list[str]) -> tuple[int, int]:
    with app.app_context():
        used = db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.id.in_(ids), Ballot.status == "used")
        )
        stored = db.session.scalar(text("SELECT count(*) FROM bench_l2"))
        db.session.remove()
        return used, stored
