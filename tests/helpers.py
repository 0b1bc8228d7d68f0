"""Small helpers the web tests share."""

import re

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


def csrf_from(html: str) -> str:
    field = CSRF_INPUT.search(html)
    assert field, "the page has no CSRF token"
    return VALUE.search(field.group(0)).group(1)


PASSWORD = "correct horse battery"  # every Factory user's password


def sign_in(client, username, password=PASSWORD, next_=None):
    """Sign in through the login form, as a person does; returns the answer."""
    page = client.get("/login")
    url = "/login" + (f"?next={next_}" if next_ else "")
    data = {"csrf_token": csrf_from(page.text), "username": username, "password": password}
    return client.post(url, data=data)


NONCE_INPUT = re.compile(r'<input[^>]*name="nonce"[^>]*>')


def ballot_form(html: str) -> dict:
    """The hidden inputs a browser sends back with a ballot: CSRF token and one-time nonce."""
    field = NONCE_INPUT.search(html)
    assert field, "the ballot page has no nonce"
    return {"csrf_token": csrf_from(html), "nonce": VALUE.search(field.group(0)).group(1)}


def envelopes(db, campaign_id=None) -> int:
    """Sealed votes of open campaigns (all, or of one campaign)."""
    from survey.models import Envelope

    db.session.rollback()  # read what the requests stored
    query = db.session.query(Envelope)
    if campaign_id is not None:
        query = query.filter_by(campaign_id=campaign_id)
    return query.count()


def votes_counted(db, campaign_id=None) -> int:
    """Votes a closed campaign counted (all closed campaigns, or one): the counts are all it
    keeps of them (no per-ballot row exists after close)."""
    from sqlalchemy import func

    from survey.models import Campaign

    db.session.rollback()
    query = db.session.query(func.coalesce(func.sum(Campaign.votes_counted), 0))
    if campaign_id is not None:
        query = query.filter(Campaign.id == campaign_id)
    return query.scalar()


def counted_choices(db, campaign_id, question_id=None) -> dict:
    """{choice: n} of a closed campaign's counts (every question, or one), zeros left out."""
    from sqlalchemy import func

    from survey.models import Count

    db.session.rollback()
    query = db.session.query(Count.choice, func.sum(Count.n)).filter(
        Count.campaign_id == campaign_id
    )
    if question_id is not None:
        query = query.filter(Count.question_id == question_id)
    return {choice: int(n) for choice, n in query.group_by(Count.choice) if n}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {user.api_token}"}


GOOD_ASSESSMENT = {
    "organisation_grade": "excellent",
    "social": [{"department": "纪检监察", "negative": False, "note": ""}],
    "exclusions": [],
    "facts": {"public_notice_held": True},  # 群众评判 by 公示: every branch needs a channel
}


def cast(session, ballot_id, answers, texts=None):
    """Cast as the ballot page does: one transaction, committed by its owner."""
    from survey.ballotbox import ballots
    from survey.core.transactions import run_in_transaction

    return run_in_transaction(
        session, lambda: ballots.cast_ballot(session, ballot_id, answers, texts or {})
    )


def answer(session, campaign, answers, **kwargs):
    """Answer a poll as its page does: one transaction, committed by its owner."""
    from survey import polls
    from survey.core.transactions import run_in_transaction

    return run_in_transaction(
        session, lambda: polls.answer_poll(session, campaign, answers, **kwargs)
    )


def held_review(make, db, branch, excellent, others, eligible=None, year=2026):
    """A closed member review with ``excellent`` and ``others`` (competent) grades."""
    campaign = make.campaign(branch, year=year, eligible_full=eligible)
    cards = make.ballots(campaign, excellent + others)
    for i, card in enumerate(cards):
        choice = "excellent" if i < excellent else "competent"
        cast(db.session, card.id, {campaign.headline.id: choice})
    make.close(campaign)
    return campaign
