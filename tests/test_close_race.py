"""A close racing casts never loses a vote that was given its receipt (issue: race).

On PostgreSQL a cast that has spent its card, then waits on the campaign row that a close
holds, sees the campaign closed and is refused. Its refusal path must not take its own
uncommitted spend for "the same form sent again": that answered 303 with a receipt and
committed the spend without the vote (three closes during 120 casts: 47 receipts, 46
counted). Here: gunicorn, 2 sync workers, on the database under test; cards cast from
phones while the secretary closes the campaign through the API, ten times over. Every 303
is a counted vote, spent == counted, and a form sent again after the close is shown the
receipt it already had.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from appraisal_helpers import appraisal
from helpers import ballot_form, envelopes
from servers import (
    BACKEND,
    Phone,
    api,
    assert_calm_log,
    ballot_statuses,
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


def trial(server, data: dict, name: str) -> dict:
    """Cast every card of ``name`` from its own phone and close the campaign when about a
    third of them have been answered; returns what each phone was told."""
    tokens = list(data["ballots"][name])
    campaign_id = data["campaigns"][name]

    def open_ballot(token):
        phone = Phone(server.base)
        status, html, _ = phone.request(f"/b/{token}")
        assert status == 200, status
        return token, phone, ballot_form(html) | {"choice": "competent"}

    with ThreadPoolExecutor(PHONES) as pool:
        forms = list(pool.map(open_ballot, tokens))
    answered, closed, lock = [0], threading.Event(), threading.Lock()
    close_at = len(tokens) // 3

    def cast(item):
        token, phone, form = item
        status, _, headers = phone.request(f"/b/{token}", form)
        with lock:
            answered[0] += 1
        return token, status, headers.get("Location"), closed.is_set()

    def closer():
        deadline = time.monotonic() + 60
        while answered[0] < close_at and time.monotonic() < deadline:
            time.sleep(0.001)
        status, body = api(
            server.base, data["api_token"], "POST", f"/campaigns/{campaign_id}/close"
        )
        assert status == 200, (status, body)
        closed.set()

    thread = threading.Thread(target=closer)
    thread.start()
    with ThreadPoolExecutor(PHONES) as pool:
        outcomes = list(pool.map(cast, forms))
    thread.join(timeout=70)
    assert closed.is_set(), "the close did not answer"
    # The same form sent again once closed (a phone whose answer was lost): its receipt
    # if its vote counted, never another; "not recorded" (403) if it did not.
    again = {}
    for token, phone, form in forms:
        status, _, headers = phone.request(f"/b/{token}", form)
        again[token] = (status, headers.get("Location"))
    return {"tokens": tokens, "campaign": campaign_id, "outcomes": outcomes, "again": again}


@pytest.mark.gunicorn
def test_casts_racing_a_close_every_receipt_is_a_counted_vote(seeded, server, tmp_path_factory):
    url, _env, data, _dir = seeded
    started = time.monotonic()
    figures, lost, wrong = [], [], []
    for n in range(TRIALS):
        name = f"close-race-{n}"
        run = trial(server, data, name)
        statuses = Counter(status for _, status, _, _ in run["outcomes"])
        # 303 (a receipt) before the close, 403 (closed, not recorded) after: nothing else
        assert set(statuses) <= {303, 403}, statuses
        receipts = {
            token: receipt_of(location)
            for token, status, location, _ in run["outcomes"]
            if status == 303
        }
        stored = receipt_codes(url)
        cards = ballot_statuses(url, list(data["ballots"][name].values()))
        spent = sum(1 for status in cards.values() if status == "used")
        status, tally = api(
            server.base, data["api_token"], "GET", f"/campaigns/{run['campaign']}/tally"
        )
        assert status == 200, (status, tally)
        uncounted = sorted(set(receipts.values()) - stored)
        lost.extend(uncounted)
        figures.append(
            {
                "receipts": len(receipts),
                "spent": spent,
                "counted": tally["responses"],
                "refused_closed": statuses[403],
                "uncounted_receipts": len(uncounted),
            }
        )
        if not len(receipts) == spent == tally["responses"] == tally["cast"]:
            wrong.append((name, figures[-1]))
        # a resend after the close: the same receipt for a counted vote, 403 for the others
        for token, (status, location) in run["again"].items():
            if token in receipts:
                fine = status == 303 and receipt_of(location) == receipts[token]
            else:
                fine = status == 403
            if not fine:
                wrong.append((name, "resent", status))
    print(f"\nclose race trials ({BACKEND}): {figures}")
    assert not lost, f"{len(lost)} receipts of votes never counted: {figures}"
    assert not wrong, wrong
    casts = sum(len(data["ballots"][f"close-race-{n}"]) for n in range(TRIALS))
    assert casts >= 300 * TRIALS
    assert_calm_log(server.log(), data)
    report(
        tmp_path_factory,
        "close_race",
        backend=BACKEND,
        trials=TRIALS,
        casts=casts,
        receipts=sum(f["receipts"] for f in figures),
        counted=sum(f["counted"] for f in figures),
        spent=sum(f["spent"] for f in figures),
        refused_closed=sum(f["refused_closed"] for f in figures),
        seconds=round(time.monotonic() - started, 1),
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
