"""Public notice (公示): the period, the objection form's protections, secrecy, the queue."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from helpers import csrf_from
from notice_helpers import CONTACT, object_to, published

from survey.core import workdays
from survey.core.errors import Invalid
from survey.models import Notice, NoticeDevice, Objection
from survey.rating import notice


@pytest.fixture(autouse=True)
def quick(app):
    app.config["POLL_MIN_FILL_SECONDS"] = 0


@pytest.mark.parametrize(
    ("days", "ok"), [(0, False), (1, True), (5, True), (30, True), (31, False)]
)
def test_the_notice_period_is_one_to_thirty_working_days(db, org, days, ok):
    on = date(2026, 12, 1)  # a Tuesday
    publish = partial(notice.publish, db.session, "t", org["committee"], 2026)
    if not ok:
        with pytest.raises(Invalid):
            publish([org["first"].id], CONTACT, days, on)
        return
    item = publish([org["first"].id], CONTACT, days, on)
    assert item.closes_on == workdays.last_working_day(on, days)
    assert item.closes_on.weekday() < 5


@pytest.mark.parametrize(
    ("opens", "days", "closes"),
    [
        (date(2026, 12, 3), 5, date(2026, 12, 9)),  # Thursday: Thu Fri, Mon Tue Wed
        (date(2026, 12, 3), 1, date(2026, 12, 3)),  # the first day is the day it opens
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # opened on a Saturday: Monday counts
        (date(2026, 9, 29), 5, date(2026, 10, 10)),  # 国庆节 1-7 off, Saturday 10 worked
        (date(2026, 9, 29), 6, date(2026, 10, 12)),
        (date(2026, 2, 12), 3, date(2026, 2, 14)),  # 春节: Thu 12, Fri 13, Sat 14 worked
        (date(2026, 2, 12), 4, date(2026, 2, 24)),  # then 15-23 off
        (date(2025, 4, 24), 3, date(2025, 4, 27)),  # Sunday 27 April 2025 worked (调休)
    ],
)
def test_the_period_counts_working_days_and_ends_on_the_last_of_them(db, org, opens, days, closes):
    item = notice.publish(
        db.session, "t", org["committee"], 2026, [org["first"].id], CONTACT, days, opens
    )
    assert item.closes_on == closes
    assert notice.is_open(item, closes) and not notice.is_open(item, closes + timedelta(days=1))


def test_a_year_without_the_holiday_table_rests_on_weekends_only():
    assert not workdays.has_table(2027) and workdays.has_table(2026)
    assert workdays.is_working_day(date(2027, 1, 4))  # a Monday
    assert not workdays.is_working_day(date(2027, 1, 2))  # a Saturday
    assert workdays.last_working_day(date(2027, 1, 1), 5) == date(2027, 1, 7)


def test_the_default_period_is_five_working_days_the_last_included(db, org):
    item = notice.publish(db.session, "t", org["committee"], 2026, [org["first"].id], CONTACT)
    assert item.closes_on == workdays.last_working_day(item.opens_on, 5)
    assert notice.is_open(item, item.closes_on)
    assert not notice.is_open(item, item.closes_on + timedelta(days=1))
    assert not notice.is_open(item, item.opens_on - timedelta(days=1))


def test_a_telephone_is_written_as_people_write_one():
    for phone in ("0477-8581234", "138 0013 8000", "(0477)8581234", "+86 477 858 1234"):
        assert notice.Contact("王芳", phone, "办公室").checked().phone == phone
    assert notice.Contact("王芳", "0477-8581234转8001", "办公室").checked()


@pytest.mark.parametrize(
    ("person", "phone", "address", "field"),
    [
        ("", "0477-8581234", "办公室", "contact_person"),
        ("王芳", "", "办公室", "contact_phone"),
        ("王芳", "----------", "办公室", "contact_phone"),
        ("王芳", "电话号码", "办公室", "contact_phone"),
        ("王芳", "0477-8581234", " ", "contact_address"),
    ],
)
def test_the_contact_for_objections_is_required(db, org, person, phone, address, field):
    contact = notice.Contact(person, phone, address)
    with pytest.raises(Invalid) as refused:
        notice.publish(db.session, "t", org["committee"], 2026, [org["first"].id], contact)
    assert refused.value.detail["field"] == field


def test_a_branch_of_another_committee_or_an_empty_list_is_refused(db, org):
    with pytest.raises(Invalid):
        notice.publish(db.session, "t", org["committee"], 2026, [org["foreign"].id], CONTACT)
    with pytest.raises(Invalid):
        notice.publish(db.session, "t", org["committee"], 2026, [], CONTACT)


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
    answer = publish_from_the_page(client, org, days=days)
    assert answer.status_code == status
    if status == 400:
        assert "公示期为1至30个工作日" in answer.text


CONTACT_FIELDS = {
    "contact_person": "王芳",
    "contact_phone": "0477-8581234",
    "contact_address": "机关党委办公室（办公楼302室）",
}


def publish_from_the_page(client, org, **fields):
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2026")
    data = {
        "csrf_token": csrf_from(page.text),
        "year": "2026",
        "days": "5",
        "branch": [org["first"].id],
        **CONTACT_FIELDS,
    } | fields
    return client.post(f"/staff/notices/committees/{org['committee'].id}", data=data)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"contact_person": ""}, "contact_person", "请填写受理异议的联系人"),
        ({"contact_phone": ""}, "contact_phone", "请填写联系电话"),
        ({"contact_phone": "找王芳"}, "contact_phone", "例如0477-8581234"),
        ({"contact_phone": "- - - - -"}, "contact_phone", "请检查这一项"),
        ({"contact_address": ""}, "contact_address", "请填写受理异议的地址"),
    ],
)
def test_a_missing_contact_comes_back_with_the_reason_beside_its_field(
    auth, client, org, fields, field, message
):
    auth.login("reviewer")
    answer = publish_from_the_page(client, org, **fields)
    assert answer.status_code == 400
    html = answer.text
    at = html.index(f'id="{field}"')
    following = html.find("<label", at)
    assert message in html[at : following if following > 0 else None]  # beside its field
    assert 'value="机关党委办公室（办公楼302室）"' in answer.text or field == "contact_address"


def test_the_notice_shows_its_contact_and_last_working_day(auth, client, db, org):
    auth.login("reviewer")
    answer = publish_from_the_page(client, org)
    assert answer.status_code == 303
    db.session.rollback()
    item = db.session.query(Notice).one()
    assert (item.contact_person, item.contact_phone) == ("王芳", "0477-8581234")
    assert item.closes_on == workdays.last_working_day(item.opens_on, 5)
    public = client.get(f"/n/{item.slug}").text
    end = item.closes_on
    assert f"{end.year}年{end.month}月{end.day}日" in public
    assert "联系人：王芳" in public and 'href="tel:0477-8581234"' in public
    assert "机关党委办公室（办公楼302室）" in public
    poster = client.get(f"/staff/notices/{item.id}/poster/{org['first'].id}").text
    assert "联系人：王芳" in poster


def test_a_secretary_may_not_publish_a_notice(auth, client, org):
    auth.login("secretary")
    page = client.get("/staff/")
    data = {"csrf_token": csrf_from(page.text), "year": "2026", "days": "5", "branch": "1"}
    answer = client.post(f"/staff/notices/committees/{org['committee'].id}", data=data)
    assert answer.status_code in (403, 404)
