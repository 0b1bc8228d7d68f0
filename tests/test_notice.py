"""Public notice (公示): the period, the objection form's protections, secrecy, the queue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import csrf_from
from notice_helpers import object_to, published

from survey.core.errors import Invalid
from survey.models import NoticeDevice, Objection
from survey.rating import notice


@pytest.fixture(autouse=True)
def quick(app):
    app.config["POLL_MIN_FILL_SECONDS"] = 0


@pytest.mark.parametrize(
    ("days", "ok"), [(0, False), (1, True), (5, True), (30, True), (31, False)]
)
def test_the_notice_period_is_one_to_thirty_days(db, org, days, ok):
    on = date(2026, 12, 1)
    if not ok:
        with pytest.raises(Invalid):
            notice.publish(db.session, "t", org["committee"], 2026, [org["first"].id], days, on)
        return
    item = notice.publish(db.session, "t", org["committee"], 2026, [org["first"].id], days, on)
    assert item.closes_on == on + timedelta(days=days - 1)


def test_the_default_period_is_five_days_the_last_included(db, org):
    item = notice.publish(db.session, "t", org["committee"], 2026, [org["first"].id])
    assert (item.closes_on - item.opens_on).days == 4
    assert notice.is_open(item, item.closes_on)
    assert not notice.is_open(item, item.closes_on + timedelta(days=1))
    assert not notice.is_open(item, item.opens_on - timedelta(days=1))


def test_a_branch_of_another_committee_or_an_empty_list_is_refused(db, org):
    with pytest.raises(Invalid):
        notice.publish(db.session, "t", org["committee"], 2026, [org["foreign"].id])
    with pytest.raises(Invalid):
        notice.publish(db.session, "t", org["committee"], 2026, [])


def test_the_public_page_lists_the_branches_in_chinese_without_signing_in(client, db, org):
    item = published(db, org["committee"], [org["first"], org["second"]])
    page = client.get(f"/n/{item.slug}")
    assert page.status_code == 200
    assert "第一党支部" in page.text and "第二党支部" in page.text
    assert "公示" in page.text and "异议" in page.text
    assert f"{item.closes_on.year}年{item.closes_on.month}月{item.closes_on.day}日" in page.text
    assert "<script>" not in page.text


def test_an_objection_gets_a_receipt_and_stores_no_device_address_or_time(client, db, org):
    item = published(db, org["committee"], [org["first"]])
    answer = object_to(client, item.slug, org["first"].id)
    assert answer.status_code == 303 and f"/n/{item.slug}/r/" in answer.headers["Location"]
    receipt = client.get(answer.headers["Location"])
    assert receipt.status_code == 200 and "第一党支部" in receipt.text
    db.session.rollback()
    objection = db.session.query(Objection).one()
    assert objection.lodged_on == notice.today() and objection.reason == "该支部去年有违纪问题"
    columns = set(Objection.__table__.columns.keys())
    assert not columns & {"ip", "ip_hash", "device", "device_hmac", "created_at", "user_agent"}
    assert "id" not in NoticeDevice.__table__.columns  # no serial to pair with an objection
    device = db.session.query(NoticeDevice).one()
    cookie = client.get_cookie("poll_device").value
    assert device.device_hmac not in cookie and len(device.device_hmac) == 64


def test_one_objection_per_device_per_notice(client, db, org):
    item = published(db, org["committee"], [org["first"], org["second"]])
    other = published(db, org["committee"], [org["first"]])
    assert object_to(client, item.slug, org["first"].id).status_code == 303
    assert object_to_again(client, item.slug, org["second"].id).status_code == 409
    assert object_to(client, other.slug, org["first"].id).status_code == 303


def object_to_again(client, slug, branch_id):
    page = client.get(f"/n/{slug}")
    assert "已" in page.text and 'name="reason"' not in page.text  # the form is gone
    return client.post(f"/n/{slug}", data={"branch": branch_id, "reason": "x"})


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"website": "http://spam"}, 400),
        ({"csrf_token": "forged"}, 400),
        ({"reason": ""}, 400),
        ({"reason": "x" * 1001}, 400),
        ({"reason": "x" * 1000}, 303),
        ({"branch": "999999"}, 400),
        ({"issued": "forged"}, 400),
    ],
)
def test_a_bad_objection_form_is_refused(client, db, org, extra, status):
    item = published(db, org["committee"], [org["first"]])
    assert object_to(client, item.slug, org["first"].id, **extra).status_code == status


def test_an_objection_sent_faster_than_the_minimum_fill_time_is_refused(app, client, db, org):
    app.config["POLL_MIN_FILL_SECONDS"] = 60
    item = published(db, org["committee"], [org["first"]])
    answer = object_to(client, item.slug, org["first"].id)
    assert answer.status_code == 400 and "提交过快" in answer.text


def test_unknown_404_and_over_403(client, db, org):
    assert client.get("/n/nothing-here").status_code == 404
    over = published(db, org["committee"], [org["first"]], days=5, ago=5)
    page = client.get(f"/n/{over.slug}")
    assert page.status_code == 200 and 'name="reason"' not in page.text
    late = client.post(f"/n/{over.slug}", data={"branch": org["first"].id, "reason": "x"})
    assert late.status_code == 403
    last_day = published(db, org["committee"], [org["first"]], days=5, ago=4)
    assert object_to(client, last_day.slug, org["first"].id).status_code == 303


def test_too_many_objections_from_one_address_are_429(app, client, db, org):
    app.config["OBJECTION_RATE_LIMIT"] = "1 per minute"
    item = published(db, org["committee"], [org["first"]])
    assert object_to(client, item.slug, org["first"].id).status_code == 303
    client.delete_cookie("poll_device")
    assert object_to(client, item.slug, org["first"].id).status_code == 429


def test_the_reviewer_checks_an_objection_with_a_note(auth, client, db, org):
    item = published(db, org["committee"], [org["first"]])
    assert object_to(client, item.slug, org["first"].id).status_code == 303
    auth.login("reviewer")
    page = client.get(f"/staff/notices/{item.id}")
    assert page.status_code == 200 and "该支部去年有违纪问题" in page.text
    db.session.rollback()
    objection = db.session.query(Objection).one()
    url = f"/staff/notices/objections/{objection.id}"
    token = csrf_from(page.text)
    assert client.post(url, data={"csrf_token": token, "result": "verified"}).status_code == 400
    done = client.post(
        url, data={"csrf_token": token, "result": "unfounded", "note": "经核实无此事"}
    )
    assert done.status_code == 303
    db.session.rollback()
    assert db.session.get(Objection, objection.id).result == "unfounded"


def test_the_poster_carries_the_notice_link_with_the_branch(auth, client, db, org):
    item = published(db, org["committee"], [org["first"]])
    auth.login("reviewer")
    poster = client.get(f"/staff/notices/{item.id}/poster/{org['first'].id}")
    assert poster.status_code == 200 and "<svg" in poster.text
    assert f"/n/{item.slug}?b={org['first'].id}" in poster.text
    assert client.get(f"/staff/notices/{item.id}/poster/{org['second'].id}").status_code == 404


@pytest.mark.parametrize(("days", "status"), [("0", 400), ("1", 303), ("30", 303), ("31", 400)])
def test_publishing_from_the_committee_page_takes_one_to_thirty_days(
    auth, client, org, days, status
):
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2026")
    data = {
        "csrf_token": csrf_from(page.text),
        "year": "2026",
        "days": days,
        "branch": [org["first"].id],
    }
    answer = client.post(f"/staff/notices/committees/{org['committee'].id}", data=data)
    assert answer.status_code == status


def test_a_secretary_may_not_publish_a_notice(auth, client, org):
    auth.login("secretary")
    page = client.get("/staff/")
    data = {"csrf_token": csrf_from(page.text), "year": "2026", "days": "5", "branch": "1"}
    answer = client.post(f"/staff/notices/committees/{org['committee'].id}", data=data)
    assert answer.status_code in (403, 404)
