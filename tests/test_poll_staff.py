"""Staff pages of a public poll: the A4 poster, the closing date, one-time resident codes."""

import re
from datetime import date

import pytest
from helpers import ballot_form, csrf_from, envelopes
from poll_helpers import poll_campaign

from survey.models import AuditEntry, Ballot, Complaint, Count


@pytest.fixture
def staff(app, make):
    committee, first, second, foreign = make.tree()
    return {
        "poll": poll_campaign(make, first),
        "foreign_poll": poll_campaign(make, foreign, title="外单位测评"),
        "secretary": make.user("secretary", "secretary", first),
        "review": make.campaign(first),
    }


def test_the_poster_has_a_large_qr_of_the_public_url_branch_question_and_date(auth, client, staff):
    auth.login("secretary")
    poll = staff["poll"]
    page = client.get(f"/staff/polls/{poll.id}/poster?lang=en")
    assert page.status_code == 200
    assert "<svg" in page.text and "<path" in page.text
    assert f"https://survey.example.org/p/{poll.slug}" in page.text
    assert "第一党支部" in page.text
    assert "How satisfied are you with this branch" in page.text
    assert "Open until further notice" in page.text
    form = {"csrf_token": csrf_from(page.text), "closes_on": "2026-12-31"}
    saved = client.post(f"/staff/polls/{poll.id}/closes-on", data=form)
    assert saved.status_code == 303
    assert "Open until 2026-12-31" in client.get(f"/staff/polls/{poll.id}/poster?lang=en").text


def test_the_closing_date_is_audited(auth, client, staff, db):
    auth.login("secretary")
    poll = staff["poll"]
    page = client.get(f"/staff/polls/{poll.id}/poster")
    client.post(
        f"/staff/polls/{poll.id}/closes-on",
        data={"csrf_token": csrf_from(page.text), "closes_on": "2026-12-31"},
    )
    db.session.rollback()
    entry = db.session.query(AuditEntry).filter_by(action="campaign.closes_on").one()
    assert entry.detail == {"closes_on": "2026-12-31"} and entry.actor == "web:secretary"
    assert db.session.get(type(poll), poll.id).closes_on == date(2026, 12, 31)


def test_staff_see_only_their_polls_and_only_public_ones(auth, client, staff):
    auth.login("secretary")
    assert client.get(f"/staff/polls/{staff['foreign_poll'].id}/poster").status_code == 404
    assert client.get(f"/staff/polls/{staff['review'].id}/poster").status_code == 404
    assert client.get(f"/staff/polls/{staff['foreign_poll'].id}/codes").status_code == 404


def test_strangers_are_sent_to_sign_in(client, staff):
    assert client.get(f"/staff/polls/{staff['poll'].id}/poster").status_code == 302


def test_resident_codes_made_while_open_are_printed_once_and_never_listed(auth, client, staff, db):
    auth.login("secretary")
    poll = staff["poll"]
    page = client.get(f"/staff/polls/{poll.id}/codes")
    made = client.post(
        f"/staff/polls/{poll.id}/codes", data={"csrf_token": csrf_from(page.text), "count": 3}
    )
    assert made.status_code == 200
    assert made.text.count('class="slip"') == 3
    assert len(re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}", made.text)) == 3
    sheet = client.get(f"/staff/polls/{poll.id}/codes")
    assert sheet.text.count('class="slip"') == 0  # which codes are left would show who answered
    db.session.rollback()
    assert {b.ballot_class for b in db.session.query(Ballot).all()} == {"resident"}
    too_many = {"csrf_token": csrf_from(page.text), "count": 100000}
    assert client.post(f"/staff/polls/{poll.id}/codes", data=too_many).status_code == 400


def test_the_sheet_of_unused_codes_is_printable_before_the_poll_opens(auth, client, make, staff):
    draft = make.campaign(staff["poll"].organisation, status="draft", kind="public_satisfaction")
    make.ballots(draft, 4, "resident")
    auth.login("secretary")
    assert client.get(f"/staff/polls/{draft.id}/codes").text.count('class="slip"') == 4


def test_a_resident_code_opens_the_satisfaction_poll_with_the_reason(app, make, staff, db):
    from survey.core.security import ballot_token

    poll = staff["poll"]
    (card,) = make.ballots(poll, 1, "resident")
    client = app.test_client()
    page = client.get(f"/b/{ballot_token(card.id)}")
    assert page.status_code == 200
    assert 'value="dissatisfied"' in page.text and 'name="reason"' in page.text
    other_form = ballot_form(client.get(f"/b/{ballot_token(card.id)}").text)
    data = ballot_form(page.text) | {"choice": "dissatisfied", "reason": "噪音扰民"}
    assert client.post(f"/b/{ballot_token(card.id)}", data=data).status_code == 303
    other = data | other_form  # the card used again from another page: refused
    assert client.post(f"/b/{ballot_token(card.id)}", data=other).status_code == 409
    assert envelopes(db, poll.id) == 1
    make.close(poll)
    db.session.rollback()
    count = db.session.query(Count).one()
    assert (count.respondent_class, count.geo, count.n) == ("resident", "none", 1)
    assert db.session.query(Complaint).one().reason == "噪音扰民"


def test_the_staff_home_leads_to_the_polls_in_scope(auth, client, staff):
    auth.login("secretary")
    assert "/staff/polls/" in client.get("/staff/").text
    page = client.get("/staff/polls/")
    assert page.status_code == 200
    assert f"/staff/polls/{staff['poll'].id}/poster" in page.text
    assert f"/staff/polls/{staff['foreign_poll'].id}/poster" not in page.text


def test_answers_the_address_limit_refused_are_counted_in_the_anomaly_view(
    app, auth, client, make, db, staff
):
    from poll_helpers import answer

    from survey import polls

    app.config["POLL_MIN_FILL_SECONDS"] = 0
    app.config["POLL_RATE_LIMIT"] = "2 per minute"
    poll = staff["poll"]
    make.user("reviewer", "reviewer", poll.organisation.parent)
    statuses = [answer(app.test_client(), poll.slug).status_code for _ in range(5)]
    assert statuses == [303, 303, 429, 429, 429]
    db.session.rollback()
    report = polls.anomaly_report(db.session, poll)
    assert report["answers"] == 2 and report["throttled"] == 3
    assert report["per_hour"][0]["throttled"] == 3
    auth.login("reviewer")
    page = client.get(f"/review/campaigns/{poll.id}/anomalies?lang=en")
    assert "sent too many: 3." in page.text
