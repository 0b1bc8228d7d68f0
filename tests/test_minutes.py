"""The minutes' own facts (会议记录): the secretary enters the place, the time and the
attendance on the minutes page; they are kept with the campaign, printed in the minutes and
written in the audit log; a bad figure is refused beside its field and nothing is kept; a
reviewer, who may read the minutes, may not write them."""

import pytest
from helpers import cast, csrf_from

from survey.models import AuditEntry, MeetingRecord


@pytest.fixture
def branch(make):
    committee, first, _second, _foreign = make.tree()
    make.user("secretary", "secretary", first)
    make.user("reviewer", "reviewer", committee)
    return first


@pytest.fixture
def closed(make, db, branch):
    campaign = make.campaign(branch, eligible_full=10, eligible_probationary=2)
    for card in make.ballots(campaign, 7):
        cast(db.session, card.id, {campaign.headline.id: "excellent"})
    make.close(campaign)
    return campaign


def save(client, campaign, **data):
    url = f"/staff/campaigns/{campaign.id}/minutes"
    token = csrf_from(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **data})


def record_of(db, campaign):
    db.session.rollback()
    return db.session.get(MeetingRecord, campaign.id)


def test_the_place_time_and_attendance_are_kept_and_printed_in_the_minutes(
    auth, client, db, closed
):
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{closed.id}/minutes?lang=zh")
    assert 'id="place"' in page.text and 'value="12"' in page.text  # 应到 from the roll
    answer = save(
        client,
        closed,
        place="党群服务中心二楼",
        held_at="2026-12-04T09:30",
        expected="12",
        present="11",
        absent="王芳（病假）",
        guests="",
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?saved=1")
    kept = record_of(db, closed)
    assert (kept.place, kept.expected, kept.present, kept.absent) == (
        "党群服务中心二楼",
        12,
        11,
        "王芳（病假）",
    )
    assert kept.held_at.hour == 1 and kept.held_at.minute == 30  # 09:30 北京时间, kept in UTC
    assert kept.guests is None
    minutes = client.get(f"/staff/campaigns/{closed.id}/minutes").text
    for shown in (
        "党群服务中心二楼",
        "应到12人",
        "实到11人",
        "王芳（病假）",
        "2026年12月4日 09:30",
    ):
        assert shown in minutes, shown
    entries = db.session.query(AuditEntry).filter_by(action="campaign.meeting_record")
    assert entries.count() == 1


def test_more_present_than_expected_is_refused_beside_the_field_and_nothing_is_kept(
    auth, client, db, closed
):
    auth.login("secretary")
    answer = save(client, closed, place="会议室", expected="12", present="13")
    assert answer.status_code == 400
    assert "实到人数不能多于应到人数。" in answer.text
    assert 'id="present"' in answer.text and 'aria-invalid="true"' in answer.text
    assert record_of(db, closed) is None


def test_a_missing_place_is_refused_with_its_reason(auth, client, db, closed):
    auth.login("secretary")
    answer = save(client, closed, place=" ", present="5")
    assert answer.status_code == 400 and "请填写会议地点。" in answer.text
    assert record_of(db, closed) is None


def test_unfilled_minutes_print_blank_lines_to_write_by_hand(auth, client, closed):
    auth.login("secretary")
    minutes = client.get(f"/staff/campaigns/{closed.id}/minutes?lang=zh").text
    assert "实到______________人" in minutes and "应到12人" in minutes


def test_a_reviewer_reads_the_minutes_but_may_not_write_them(auth, client, db, closed):
    auth.login("reviewer")
    page = client.get(f"/staff/campaigns/{closed.id}/minutes")
    assert page.status_code == 200 and 'id="place"' not in page.text
    token = csrf_from(client.get("/staff/").text)
    url = f"/staff/campaigns/{closed.id}/minutes"
    answer = client.post(url, data={"csrf_token": token, "place": "x", "present": "1"})
    assert answer.status_code == 403
    assert record_of(db, closed) is None
