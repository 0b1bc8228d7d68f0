"""Poll stuffing with a fresh cookie for every answer: one address gets at most the minute's
limit a minute and the day's ceiling a day; the anomaly page says so in figures, and the
committee (not the branch) raises the ceiling for a poll answered from a known shared address."""

import pytest
from helpers import csrf_from
from poll_helpers import answer, poll_campaign

from survey.models import AuditEntry, Campaign


@pytest.fixture
def stuffed(app, make):
    committee, first, *_ = make.tree()
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    app.config["POLL_RATE_LIMIT"] = "60 per minute"
    app.config["POLL_DAILY_LIMIT"] = 4
    make.user("reviewer", "reviewer", committee)
    make.user("secretary", "secretary", first)
    return poll_campaign(make, first)


def fresh_answers(app, poll, n: int) -> list[int]:
    """``n`` answers from one address, each from a new browser (a new device cookie)."""
    return [answer(app.test_client(), poll.slug).status_code for _ in range(n)]


def test_one_address_with_fresh_cookies_is_held_to_the_days_ceiling(app, stuffed, db):
    from survey import polls

    assert fresh_answers(app, stuffed, 6) == [303] * 4 + [429] * 2
    db.session.rollback()
    report = polls.anomaly_report(db.session, stuffed)
    assert report["answers"] == 4 and report["throttled"] == 2


def test_the_anomaly_page_says_what_one_address_can_add(app, stuffed, auth, client):
    auth.login("reviewer")
    page = client.get(f"/review/campaigns/{stuffed.id}/anomalies?lang=en")
    assert page.status_code == 200
    assert "60 in 60 seconds, 4 an hour, 4 a day" in page.text
    zh = client.get(f"/review/campaigns/{stuffed.id}/anomalies?lang=zh").text
    assert "一个地址最多" in zh and "每天4份" in zh and "每小时4份" in zh
    assert f"/review/campaigns/{stuffed.id}/daily-ceiling" in page.text  # the form is offered


def test_the_committee_raises_the_ceiling_for_one_poll_and_it_is_audited(
    app, stuffed, auth, client, db
):
    assert fresh_answers(app, stuffed, 5) == [303] * 4 + [429]
    auth.login("reviewer")
    page = client.get(f"/review/campaigns/{stuffed.id}/anomalies")
    url = f"/review/campaigns/{stuffed.id}/daily-ceiling"
    saved = client.post(url, data={"csrf_token": csrf_from(page.text), "ceiling": "6"})
    assert saved.status_code == 303
    assert fresh_answers(app, stuffed, 3) == [303, 303, 429]
    db.session.rollback()
    assert db.session.get(Campaign, stuffed.id).answers_per_address_day == 6
    entry = db.session.query(AuditEntry).filter_by(action="campaign.daily_ceiling").one()
    assert entry.actor == "web:reviewer"


@pytest.mark.parametrize("value", ["0", "10001", "many"])
def test_a_ceiling_out_of_range_is_refused_on_the_form(app, stuffed, auth, client, db, value):
    auth.login("reviewer")
    page = client.get(f"/review/campaigns/{stuffed.id}/anomalies?lang=en")
    url = f"/review/campaigns/{stuffed.id}/daily-ceiling"
    refused = client.post(url, data={"csrf_token": csrf_from(page.text), "ceiling": value})
    assert refused.status_code == 400 and 'class="error"' in refused.text
    db.session.rollback()
    assert db.session.get(Campaign, stuffed.id).answers_per_address_day is None


def test_the_branch_secretary_cannot_raise_its_own_polls_ceiling(app, stuffed, auth, client):
    auth.login("secretary")
    home = client.get("/staff/")
    url = f"/review/campaigns/{stuffed.id}/daily-ceiling"
    refused = client.post(url, data={"csrf_token": csrf_from(home.text), "ceiling": "9999"})
    assert refused.status_code == 403
