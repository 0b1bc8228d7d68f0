"""A close racing casts never loses a vote that was given its receipt (issue: race).

On PostgreSQL a cast that has spent its card, then waits on the campaign row that a close
holds, sees the campaign closed and is refused. Its refusal path must not take its own
uncommitted spend for "the same form sent again": that answered 303 with a receipt and
committed the spend without the vote (three closes during 120 casts: 47 receipts, 46
counted). Here: gunicorn, 2 sync workers, on the database under test; cards cast from
phones while the secretary closes the campaign through the API, ten times over; the same
for a public poll's residents. Every 303 is a counted vote, spent == counted, and a form
sent again after the close is shown the receipt it already had (403 if it had none).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from appraisal_helpers import appraisal
from helpers import ballot_form, csrf_from, envelopes
from poll_helpers import issued_from
from servers import (
    BACKEND,
    CLOSE_RACE_CARDS,
    FILL_SECONDS,
    POLL_LIMIT,
    Phone,
    api,
    assert_calm_log,
    ballot_statuses,
    close,
    report,
)
from sqlalchemy import create_engine, text

from survey.ballotbox import ballots
from survey.core import codes
from survey.core.errors import NotOpen
from survey.core.security import ballot_token
from survey.models import Ballot, CampaignStatus, Receipt

TRIALS = 10
PHONES = 8  # phones posting at once, queued on the 2 workers


def receipt_codes(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT code FROM receipts")).scalars())
    finally:
        engine.dispose()


def receipt_of(location: str) -> str:
    """The receipt code in a 303's Location (/receipt/<code>)."""
    return codes.normalise(location.split("/receipt/", 1)[1].split("?", 1)[0], length=10)


def open_forms(server, data: dict, name: str) -> list[tuple[str, Phone, dict]]:
    """(path, phone, filled form): a card of ballot campaign ``name`` each, or for poll
    ``name`` as many residents as the address may send (its limit, less a margin)."""

    def open_ballot(token):
        phone = Phone(server.base)
        status, html, _ = phone.request(f"/b/{token}")
        assert status == 200, status
        return f"/b/{token}", phone, ballot_form(html) | {"choice": "competent"}

    def open_poll(_n):
        phone, slug = Phone(server.base), data["polls"][name]
        status, html, _ = phone.request(f"/p/{slug}")
        assert status == 200, status
        form = {"csrf_token": csrf_from(html), "issued": issued_from(html), "website": ""}
        return f"/p/{slug}", phone, form | {"choice": "satisfied"}

    with ThreadPoolExecutor(PHONES) as pool:
        if name in data["polls"]:
            forms = list(pool.map(open_poll, range(POLL_LIMIT - 2)))
            time.sleep(FILL_SECONDS + 0.1)  # a human's fill time, from the last form opened
            return forms
        return list(pool.map(open_ballot, data["ballots"][name]))


def trial(server, data: dict, name: str) -> dict:
    """Send every form of ``name`` and close the campaign when about a third of them have
    been answered; then send every form again (a phone whose answer was lost)."""
    forms = open_forms(server, data, name)
    campaign_id = data["campaigns"][name]
    answered, closed, lock = [0], threading.Event(), threading.Lock()
    close_at = len(forms) // 3

    def send(item):
        path, phone, form = item
        status, _, headers = phone.request(path, form)
        with lock:
            answered[0] += 1
        return status, headers.get("Location")

    def closer():
        deadline = time.monotonic() + 60
        while answered[0] < close_at and time.monotonic() < deadline:
            time.sleep(0.001)
        close(server.base, data["api_token"], campaign_id)
        closed.set()

    thread = threading.Thread(target=closer)
    thread.start()
    with ThreadPoolExecutor(PHONES) as pool:
        outcomes = list(pool.map(send, forms))
    thread.join(timeout=70)
    assert closed.is_set(), "the close did not answer"
    with ThreadPoolExecutor(PHONES) as pool:
        again = list(pool.map(send, forms))
    return {"campaign": campaign_id, "outcomes": outcomes, "again": again}


def check(url: str, server, data: dict, name: str, run: dict) -> tuple[dict, list[str]]:
    """The trial's figures, and what went wrong: a receipt whose vote was not counted, spent
    != counted, or a resend told anything but its own receipt (counted) or 403 (not)."""
    statuses = Counter(status for status, _ in run["outcomes"])
    receipts = [receipt_of(loc) if status == 303 else None for status, loc in run["outcomes"]]
    given = {code for code in receipts if code}
    status, tally = api(
        server.base, data["api_token"], "GET", f"/campaigns/{run['campaign']}/tally"
    )
    assert status == 200, (status, tally)
    uncounted = sorted(given - receipt_codes(url))
    spent = spent_forms(url, data, name)
    figures = {
        "receipts": len(given),
        "spent": spent,
        "counted": tally["responses"],
        "refused_closed": statuses[403],
        "uncounted_receipts": len(uncounted),
    }
    wrong = [f"{name}: {len(uncounted)} receipts not counted"] if uncounted else []
    if set(statuses) - {303, 403}:  # a receipt before the close, 403 after: nothing else
        wrong.append(f"{name}: answered {dict(statuses)}")
    if not len(given) == spent == tally["responses"]:
        wrong.append(f"{name}: {figures}")
    for receipt, (status, location) in zip(receipts, run["again"], strict=True):
        if (status, location and receipt_of(location)) != (
            (303, receipt) if receipt else (403, None)
        ):
            wrong.append(f"{name}: a form sent again after the close was told {status}")
    return figures, wrong


def spent_forms(url: str, data: dict, name: str) -> int:
    """Cards used (a ballot campaign) or forms taken (a poll's device rows)."""
    if name in data["polls"]:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                query = text("SELECT count(*) FROM poll_devices WHERE campaign_id = :c")
                return conn.execute(query, {"c": data["campaigns"][name]}).scalar_one()
        finally:
            engine.dispose()
    cards = ballot_statuses(url, list(data["ballots"][name].values()))
    return sum(1 for status in cards.values() if status == "used")


@pytest.mark.gunicorn
@pytest.mark.parametrize("kind", ["ballot", "poll"])
def test_sends_racing_a_close_every_receipt_is_a_counted_vote(
    seeded, server, tmp_path_factory, kind
):
    url, _env, data, _dir = seeded
    started = time.monotonic()
    figures, wrong = [], []
    for n in range(TRIALS):
        name = f"close-race-{n}" if kind == "ballot" else f"close-poll-{n}"
        run = trial(server, data, name)
        seen, problems = check(url, server, data, name, run)
        figures.append(seen)
        wrong += problems
    print(f"\nclose race trials ({BACKEND}, {kind}): {figures}")
    assert not wrong, wrong
    assert_calm_log(server.log(), data)
    total = {key: sum(f[key] for f in figures) for key in figures[0]}
    sends = total["receipts"] + total["refused_closed"]
    assert sends >= (CLOSE_RACE_CARDS if kind == "ballot" else POLL_LIMIT - 2) * TRIALS
    report(
        tmp_path_factory,
        f"close_race_{kind}",
        trials=TRIALS,
        sends=sends,
        seconds=round(time.monotonic() - started, 1),
        **total,
    )


def closed_while_waiting(monkeypatch):
    """Every cast spends its card, then is refused as by a close that committed while it
    waited on the campaign row (what PostgreSQL does under the race above), deterministically."""
    spend = ballots.spend_ballot

    def spend_then_see_closed(session, *args, **kwargs):
        spend(session, *args, **kwargs)
        raise NotOpen(status=CampaignStatus.CLOSED)

    monkeypatch.setattr(ballots, "spend_ballot", spend_then_see_closed)


@pytest.mark.parametrize("kind", ["member_review", "member_appraisal"])
def test_a_cast_refused_after_spending_its_card_is_told_not_recorded_and_spends_nothing(
    make, db, client, monkeypatch, kind
):
    branch = make.organisation()
    campaign = appraisal(make, branch, 3) if kind == "member_appraisal" else make.campaign(branch)
    (card,) = make.ballots(campaign, 1)
    token = ballot_token(card.id)
    keys = [q.key for q in campaign.questions]
    grades = dict.fromkeys(keys, "competent") if kind == "member_appraisal" else {}
    data = ballot_form(client.get(f"/b/{token}").text) | {"choice": "competent"} | grades
    closed_while_waiting(monkeypatch)
    refused = client.post(f"/b/{token}", data=data)
    assert refused.status_code == 403 and "/receipt/" not in refused.headers.get("Location", "")
    db.session.rollback()
    assert db.session.get(Ballot, card.id).status == "issued"  # the spend was rolled back
    assert db.session.query(Receipt).count() == 0 and envelopes(db) == 0
    # and the very same form sent again once open is cast, once
    monkeypatch.undo()
    assert client.post(f"/b/{token}", data=data).status_code == 303
    assert envelopes(db) == 1
