"""Public polls made, opened and closed from linked staff pages, and closed by their date."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import csrf_from
from poll_helpers import answer, poll_campaign

from survey.models import AuditEntry, Campaign, CampaignStatus, Tally


@pytest.fixture
def world(make):
    committee, first, _second, foreign = make.tree()
    make.user("secretary", "secretary", first)
    make.user("reviewer", "reviewer", committee)
    return {"committee": committee, "first": first, "foreign": foreign}


def post(client, url, page_url, **data):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={"csrf_token": token, **data})


def reload(db, campaign):
    db.session.rollback()
    return db.session.get(Campaign, campaign.id)


@pytest.mark.parametrize("role", ["secretary", "reviewer"])
def test_a_poll_is_made_from_the_linked_page(auth, client, world, db, role):
    auth.login(role)
    assert 'href="/staff/polls/new"' in client.get("/staff/polls/").text
    answer_ = post(
        client,
        "/staff/polls/new",
        "/staff/polls/new",
        organisation_id=world["first"].id,
        year=2026,
        title="2026年度群众满意度测评",
        geofence="require",
        closes_on="2026-12-31",
        extra="窗口服务\n\n办事效率\n",
    )
    assert answer_.status_code == 303
    db.session.rollback()
    poll = db.session.query(Campaign).one()
    assert poll.kind == "public_satisfaction" and poll.geofence == "require"
    assert poll.closes_on == date(2026, 12, 31) and poll.status == CampaignStatus.DRAFT
    assert [q.prompt for q in poll.questions[1:]] == ["窗口服务", "办事效率"]
    assert answer_.headers["Location"].endswith(f"/staff/polls/{poll.id}")


def test_a_poll_of_a_branch_out_of_scope_is_refused(auth, client, world, db):
    auth.login("secretary")
    data = {"organisation_id": world["foreign"].id, "year": 2026, "title": "越权"}
    data["geofence"] = "off"
    assert post(client, "/staff/polls/new", "/staff/polls/new", **data).status_code == 400
    db.session.rollback()
    assert db.session.query(Campaign).count() == 0


def test_a_second_poll_of_the_year_needs_the_box(auth, client, world, make, db):
    poll_campaign(make, world["first"], status="draft")
    auth.login("reviewer")
    data = {"organisation_id": world["first"].id, "year": 2026, "title": "又一次"}
    data["geofence"] = "off"
    assert post(client, "/staff/polls/new", "/staff/polls/new", **data).status_code == 409
    made = post(client, "/staff/polls/new", "/staff/polls/new", second="y", **data)
    assert made.status_code == 303


def test_a_poll_is_opened_and_closed_after_confirmation(auth, client, world, make, db):
    poll = poll_campaign(make, world["first"], status="draft")
    auth.login("reviewer")
    url = f"/staff/polls/{poll.id}"
    assert post(client, f"{url}/open", url).status_code == 303
    assert reload(db, poll).status == CampaignStatus.OPEN
    page = client.get(f"{url}?lang=en").text
    assert f"/p/{poll.slug}" in page and f'href="{url}/close"' in page
    assert post(client, f"{url}/close", f"{url}/close").status_code == 200  # no confirmation
    assert reload(db, poll).status == CampaignStatus.OPEN
    assert post(client, f"{url}/close", f"{url}/close", confirm="y").status_code == 303
    closed = reload(db, poll)
    assert closed.status == CampaignStatus.CLOSED and closed.snapshot_sha256
    assert "/results" in client.get(url).text


def test_the_review_list_does_not_call_a_draft_open(auth, client, world, make):
    poll_campaign(make, world["first"], status="draft")
    auth.login("reviewer")
    page = client.get("/review/?lang=en").text
    assert "Draft" in page and "open: answers are read" not in page


def _local_today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_a_poll_past_its_date_is_closed_by_the_first_request(app, client, world, make, db):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    poll = poll_campaign(make, world["first"])
    assert answer(client, poll.slug).status_code == 303
    poll = reload(db, poll)  # a fresh snapshot, after the answer's write
    poll.closes_on = _local_today() - timedelta(days=1)
    db.session.commit()
    page = client.get(f"/p/{poll.slug}")
    assert page.status_code == 403 and 'data-reason="not_open"' in page.text
    closed = reload(db, poll)
    assert closed.status == CampaignStatus.CLOSED and closed.snapshot["responses"] == 1
    assert db.session.query(Tally).filter_by(campaign_id=poll.id).count() == 1
    entry = db.session.query(AuditEntry).filter_by(action="campaign.closed").one()
    assert entry.actor == "system:closes_on"


def test_a_poll_is_open_through_its_closing_day(client, world, make, db):
    poll = poll_campaign(make, world["first"])
    poll.closes_on = _local_today()
    db.session.commit()
    assert client.get(f"/p/{poll.slug}").status_code == 200
    assert reload(db, poll).status == CampaignStatus.OPEN


def test_the_closing_day_is_read_in_the_organisations_zone(app, client, world, make, db):
    poll = poll_campaign(make, world["first"])
    poll.closes_on = datetime.now(ZoneInfo("Etc/GMT-14")).date() - timedelta(days=1)
    db.session.commit()
    app.config["TIMEZONE"] = "Etc/GMT+12"  # 26 hours behind: still on or before it
    assert client.get(f"/p/{poll.slug}").status_code == 200
    app.config["TIMEZONE"] = "Etc/GMT-14"  # there, the day has passed
    assert client.get(f"/p/{poll.slug}").status_code == 403
    assert reload(db, poll).status == CampaignStatus.CLOSED


def test_a_staff_page_closes_an_overdue_poll_too(auth, client, world, make, db):
    poll = poll_campaign(make, world["first"])
    poll.closes_on = _local_today() - timedelta(days=3)
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/staff/polls/{poll.id}?lang=en")
    assert 'data-status="closed"' in page.text


def test_a_poll_held_by_scrutineers_stops_at_its_date_but_is_not_opened_by_a_resident(
    app, client, world, make, db, caplog
):
    """Stopping is not opening: past its date a scrutineer-sealed poll takes no answer, and
    no request tries to open its box (only staff, with the cards): nor a resident's, nor a
    staff page's (which would fail for want of the cards and warn on every request)."""
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    poll = poll_campaign(make, world["first"], sealing="scrutineers")
    assert answer(client, poll.slug).status_code == 303
    poll = reload(db, poll)
    poll.closes_on = _local_today() - timedelta(days=1)
    db.session.commit()
    assert client.get(f"/p/{poll.slug}").status_code == 403
    client.get("/staff/polls/")  # a staff page closes overdue polls it may close
    assert "not closed" not in caplog.text
    still = reload(db, poll)
    assert still.status == CampaignStatus.OPEN and still.snapshot is None
    make.close(still)  # the staff, with two of the cards printed at opening
    assert reload(db, poll).status == CampaignStatus.CLOSED
