"""The full card sheet while votes arrive (real threads, each database): it is either every
unused card of a campaign no one has voted in yet, or refused; never a sheet with gaps, which
would show which cards were just used."""

import threading
import time

import pytest
from helpers import cast

from survey.campaigns import meeting
from survey.core.errors import Conflict
from survey.models import Campaign

CARDS, VOTES, READERS = 30, 8, 2


def test_a_sheet_read_while_votes_arrive_is_whole_or_refused(app, make, db):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch, status="open")
    issued = make.ballots(campaign, CARDS)
    every_code = {ballot.code for ballot in issued}
    answers = {campaign.headline.id: "excellent"}
    campaign_id, voters = campaign.id, [ballot.id for ballot in issued[:VOTES]]
    assert {b.code for b in meeting.printable_ballots(db.session, campaign)} == every_code
    db.session.rollback()
    sheets, refusals, problems = [], [], []
    voting = threading.Event()

    def vote():
        with app.app_context():
            for ballot_id in voters:
                cast(db.session, ballot_id, answers)
                voting.set()

    def read():
        deadline = time.monotonic() + 30  # a voter that failed must not hang the readers
        with app.app_context():
            while (not voting.is_set() or len(refusals) < 20) and time.monotonic() < deadline:
                try:
                    found = db.session.get(Campaign, campaign_id)
                    sheets.append({b.code for b in meeting.printable_ballots(db.session, found)})
                except Conflict:
                    refusals.append(1)
                except Exception as exc:  # noqa: BLE001  (the test reports any other outcome)
                    problems.append(repr(exc))
                    return
                finally:
                    db.session.rollback()

    threads = [threading.Thread(target=vote)] + [
        threading.Thread(target=read) for _ in range(READERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert problems == []
    assert refusals, "once a card is used the sheet is refused"
    assert all(sheet == every_code for sheet in sheets), "a sheet with gaps was printed"
    with pytest.raises(Conflict):
        meeting.printable_ballots(db.session, db.session.get(Campaign, campaign_id))
