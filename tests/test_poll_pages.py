"""The public satisfaction poll at /p/<slug>: contract status codes, one answer per device,
honeypot, minimum fill time, per-IP limits and the reason for 不满意."""

import re

import pytest
from helpers import answer as answer_poll
from helpers import counted_choices, csrf_from, envelopes, votes_counted
from poll_helpers import CENTRE, RADIUS_M, answer, issued_from, poll_campaign, poll_form

from survey.core.errors import AlreadyAnswered
from survey.models import Complaint, PollDevice, PollHit


@pytest.fixture
def branch(make):
    committee = make.organisation("机关党委", "committee")
    lat, lon = CENTRE
    return make.organisation(
        "社区党支部",
        parent=committee,
        service_lat=lat,
        service_lon=lon,
        service_radius_m=RADIUS_M,
    )


@pytest.fixture
def poll(app, make, branch):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    return poll_campaign(make, branch)


def stored(db):
    """Answers taken: sealed envelopes while the poll is open (no plain response yet)."""
    db.session.rollback()
    assert votes_counted(db) == 0
    return envelopes(db)


def test_ten_residents_on_ten_phones_answer_once_each(app, poll, db):
    phones = [app.test_client() for _ in range(10)]
    for phone in phones:
        response = answer(phone, poll.slug)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/receipt/")
    assert stored(db) == 10
    assert db.session.query(PollDevice).count() == 10


def test_the_same_phone_is_refused_the_second_time_with_a_kind_409(client, poll, db):
    first = poll_form(client, poll.slug)
    assert client.post(f"/p/{poll.slug}", data=first | {"choice": "satisfied"}).status_code == 303
    again = client.get(f"/p/{poll.slug}")
    assert again.status_code == 409
    assert 'data-reason="already_answered"' in again.text
    # the same form sent again (a lost answer) is shown its receipt; nothing is stored twice
    replay = client.post(f"/p/{poll.slug}", data=first | {"choice": "dissatisfied"})
    assert replay.status_code == 303
    assert stored(db) == 1


def test_the_device_cookie_is_signed_httponly_and_stored_only_as_an_hmac(client, poll, db):
    page = client.get(f"/p/{poll.slug}")
    cookie = client.get_cookie("poll_device")
    assert cookie is not None and "HttpOnly" in page.headers["Set-Cookie"]
    client.set_cookie("poll_device", cookie.value + "x")  # tampered: a new device is issued
    assert answer(client, poll.slug).status_code == 303
    db.session.rollback()
    (device,) = db.session.query(PollDevice).all()
    assert len(device.device_hmac) == 64 and cookie.value not in device.device_hmac


def test_unknown_slug_is_404_and_a_poll_not_open_is_403(client, make, branch):
    assert client.get("/p/no-such-poll").status_code == 404
    draft = poll_campaign(make, branch, status="draft")
    assert client.get(f"/p/{draft.slug}").status_code == 403
    closed = poll_campaign(make, branch, title="已结束")
    make.close(closed)
    assert client.get(f"/p/{closed.slug}").status_code == 403
    assert client.post(f"/p/{closed.slug}", data={"choice": "satisfied"}).status_code == 403


def test_missing_csrf_is_400_and_nothing_is_stored(client, poll, db):
    data = poll_form(client, poll.slug) | {"choice": "satisfied", "csrf_token": ""}
    response = client.post(f"/p/{poll.slug}", data=data)
    assert response.status_code == 400
    assert stored(db) == 0


def test_no_choice_is_400_with_the_form_again(client, poll, db):
    response = client.post(f"/p/{poll.slug}", data=poll_form(client, poll.slug))
    assert response.status_code == 400
    assert 'name="choice"' in response.text
    assert stored(db) == 0


def test_a_filled_honeypot_is_refused_with_400(client, poll, db):
    response = answer(client, poll.slug, website="http://spam.example")
    assert response.status_code == 400
    assert stored(db) == 0


def test_a_form_sent_faster_than_the_minimum_fill_time_is_400_and_keeps_the_answer(
    app, client, poll, db
):
    app.config["POLL_MIN_FILL_SECONDS"] = 60
    response = answer(client, poll.slug, choice="basically_satisfied")
    assert response.status_code == 400
    assert re.search(r'<input checked[^>]*value="basically_satisfied"', response.text)
    assert stored(db) == 0


def test_a_forged_or_foreign_issue_stamp_is_400(client, make, branch, poll, db):
    other = poll_campaign(make, branch, title="另一测评")
    foreign_stamp = poll_form(client, other.slug)["issued"]
    assert answer(client, poll.slug, issued=foreign_stamp).status_code == 400
    assert answer(client, poll.slug, issued="forged.stamp").status_code == 400
    assert stored(db) == 0


def test_the_reason_is_kept_with_dissatisfied_only(app, make, poll, db):
    assert answer(app.test_client(), poll.slug, "dissatisfied", reason=" 办事排队太久 ").status_code
    assert answer(app.test_client(), poll.slug, "satisfied", reason="很好").status_code == 303
    make.close(poll)
    db.session.rollback()
    assert [c.reason for c in db.session.query(Complaint).all()] == ["办事排队太久"]
    assert counted_choices(db, poll.id) == {"dissatisfied": 1, "satisfied": 1}


def test_a_reason_over_500_characters_is_400(client, poll, db):
    response = answer(client, poll.slug, "dissatisfied", reason="长" * 501)
    assert response.status_code == 400
    assert stored(db) == 0


def test_extra_items_post_as_q_key(app, make, branch, db):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    campaign = poll_campaign(make, branch, extra_questions=[("service", "窗口服务")])
    client = app.test_client()
    assert answer(client, campaign.slug, q_service="satisfied").status_code == 303
    assert answer(app.test_client(), campaign.slug).status_code == 400  # q_service missing


def test_a_burst_from_one_address_is_stopped_with_a_readable_429(app, make, branch, poll, db):
    app.config["POLL_RATE_LIMIT"] = "5 per minute"
    statuses = [answer(app.test_client(), poll.slug).status_code for _ in range(8)]
    assert statuses == [303] * 5 + [429] * 3
    refused = answer(app.test_client(), poll.slug)
    assert refused.status_code == 429 and 'data-status="429"' in refused.text
    assert stored(db) == 5
    # the limit is per poll: the same address may still answer another one
    other = poll_campaign(make, branch, title="另一测评")
    assert answer(app.test_client(), other.slug).status_code == 303


def test_twenty_devices_behind_one_address_get_through_under_the_default_limit(app, poll, db):
    assert app.config["POLL_RATE_LIMIT"] == "60 per minute"
    statuses = [answer(app.test_client(), poll.slug).status_code for _ in range(20)]
    assert statuses == [303] * 20
    assert stored(db) == 20


def test_page_views_are_not_rate_limited(app, client, poll):
    app.config["POLL_RATE_LIMIT"] = "2 per minute"
    assert {client.get(f"/p/{poll.slug}").status_code for _ in range(6)} == {200}


def test_answers_are_counted_per_hour_and_hashed_address_without_a_response_link(app, poll, db):
    for agent in ("WeChat/8.0", "WeChat/8.0", "Safari"):
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = agent
        assert answer(client, poll.slug).status_code == 303
    db.session.rollback()
    hits = db.session.query(PollHit).all()
    assert sorted(h.count for h in hits) == [1, 2]
    assert {len(h.ip_hash) for h in hits} == {16} and "127.0.0.1" not in hits[0].ip_hash
    assert not {"response_id"} & set(PollHit.__table__.columns.keys())
    assert not {"response_id"} & set(PollDevice.__table__.columns.keys())


def test_the_poll_works_in_english(client, poll):
    page = client.get(f"/p/{poll.slug}?lang=en")
    assert "Submit my answer" in page.text and "Dissatisfied" in page.text
    assert issued_from(page.text) and csrf_from(page.text)


def test_a_body_over_the_size_limit_is_413(client, poll, db):
    response = answer(client, poll.slug, "dissatisfied", reason="长" * 40_000)
    assert response.status_code == 413
    assert stored(db) == 0


def test_a_burst_from_one_address_shows_as_a_flagged_cluster(app, make, poll, db):
    from survey import polls

    for _ in range(12):
        assert answer(app.test_client(), poll.slug).status_code == 303
    db.session.rollback()
    report = polls.anomaly_report(db.session, db.session.get(type(poll), poll.id))
    assert report["answers"] == 12 and report["peak_hour"] == 12
    assert report["ip_clusters"] == [
        {"hash": report["ip_clusters"][0]["hash"], "answers": 12, "flagged": True}
    ]
    assert report["geo"] is None  # positions are sealed with the answers while open
    make.close(poll)
    db.session.rollback()
    report = polls.anomaly_report(db.session, db.session.get(type(poll), poll.id))
    assert report["geo"] == {"inside": 0, "outside": 0, "unknown": 12, "code": 0}


def test_a_rotated_secret_key_does_not_let_a_phone_answer_again(app, client, poll, db):
    assert answer(client, poll.slug).status_code == 303
    app.config["SECRET_KEYS"] = ["a-newer-key", *app.config["SECRET_KEYS"]]
    app.config["SECRET_KEY"] = "a-newer-key"
    assert client.get(f"/p/{poll.slug}").status_code == 409
    assert stored(db) == 1


def test_twenty_threads_answering_from_one_device_store_one_answer(app, poll, db):
    from test_race import race

    headline, device = poll.headline.id, "f" * 64

    def submit(_i):
        with app.app_context():
            campaign = db.session.get(type(poll), poll.id)
            try:
                return answer_poll(
                    db.session,
                    campaign,
                    {headline: "satisfied"},
                    reason=None,
                    geo="unknown",
                    device=device,
                    ip_hash="0" * 16,
                    ua_hash="0" * 16,
                )
            except AlreadyAnswered:
                return "409"
            except Exception as exc:  # noqa: BLE001  (the test reports any other outcome)
                return repr(exc)

    results = race(submit, 20)
    assert sorted(results, key=len)[:-1] == ["409"] * 19, results
    assert stored(db) == 1 and db.session.query(PollDevice).count() == 1
    assert db.session.query(PollHit).one().count == 1
