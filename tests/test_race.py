"""Of N simultaneous submissions of one ballot exactly one counts, on each database."""

import threading

from helpers import ballot_form, cast, counted_choices, envelopes, votes_counted

from survey.core.errors import AlreadyUsed
from survey.core.security import ballot_token
from survey.models import Receipt

THREADS = 40


def race(target, n):
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def run(i):
        barrier.wait()
        outcome = target(i)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_forty_threads_casting_one_ballot_store_exactly_one_vote(app, make, db):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch)
    ballot = make.ballots(campaign)[0]
    answers = {campaign.headline.id: "excellent"}
    ballot_id = ballot.id

    def submit(_i):
        with app.app_context():
            try:
                return cast(db.session, ballot_id, answers)
            except AlreadyUsed:
                return "409"
            except Exception as exc:  # noqa: BLE001  (the test reports any other outcome)
                return repr(exc)

    results = race(submit, THREADS)
    assert len(results) == THREADS
    receipts = [r for r in results if r != "409"]
    assert len(receipts) == 1, results
    assert envelopes(db) == 1  # one sealed vote while open
    assert db.session.query(Receipt).count() == 1
    make.close(campaign)
    db.session.rollback()
    assert votes_counted(db, campaign.id) == 1
    assert sum(counted_choices(db, campaign.id).values()) == 1
    assert envelopes(db) == 0


def test_twenty_phones_posting_one_card_over_http_get_one_303_and_409s(app, make, db):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch)
    token = ballot_token(make.ballots(campaign)[0].id)
    clients = [app.test_client() for _ in range(20)]
    forms = [ballot_form(c.get(f"/b/{token}").text) for c in clients]

    def post(i):
        data = forms[i] | {"choice": "competent"}
        return clients[i].post(f"/b/{token}", data=data).status_code

    statuses = race(post, len(clients))
    assert sorted(statuses) == [303] + [409] * 19
    assert envelopes(db) == 1


def test_one_form_sent_twenty_times_at_once_stores_one_vote_and_shows_one_receipt(app, make, db):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch)
    token = ballot_token(make.ballots(campaign)[0].id)
    client = app.test_client()
    data = ballot_form(client.get(f"/b/{token}").text) | {"choice": "competent"}

    def post(_i):
        answer = client.post(f"/b/{token}", data=data)
        return answer.status_code, answer.headers.get("Location")

    outcomes = race(post, 20)
    assert {status for status, _ in outcomes} == {303}
    assert len({location for _, location in outcomes}) == 1
    assert envelopes(db) == 1
    assert db.session.query(Receipt).count() == 1


def test_many_ballots_cast_at_once_are_all_counted(app, make, db):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch)
    ids = [b.id for b in make.ballots(campaign, 20)]
    headline = campaign.headline.id

    def submit(i):
        with app.app_context():
            return cast(db.session, ids[i], {headline: "excellent"})

    receipts = race(submit, len(ids))
    assert len(set(receipts)) == 20
    assert envelopes(db) == 20
    make.close(campaign)
    db.session.rollback()
    assert votes_counted(db, campaign.id) == 20
