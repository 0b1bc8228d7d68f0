"""Odd input and concurrent staff actions: a clear answer, never a 500 or a half write."""

import threading
from collections import Counter

import pytest
from helpers import GOOD_ASSESSMENT, bearer, csrf_from

from survey.models import Assessment, Title

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/campaigns/{HUGE}/tally",
        "/api/v1/campaigns/3000000000/tally",
        f"/api/v1/organisations/{HUGE}",
        f"/api/v1/organisations/{HUGE}/rating?year=2026",
        f"/api/v1/ratings?committee_id={HUGE}&year=2026",
        f"/api/v1/public-responses?campaign_id={HUGE}",
    ],
)
def test_ids_beyond_any_row_answer_404_or_400_in_json(client, org, path):
    answer = client.get(path, headers=bearer(org["reviewer"]))
    assert answer.status_code in (400, 404), answer.get_json()
    assert answer.get_json()["error"]["code"] != "internal"


def test_unicode_digits_are_refused_with_400(client, org):
    for query in (f"committee_id={org['committee'].id}&year=²²²²", "committee_id=²&year=2026"):
        answer = client.get(f"/api/v1/ratings?{query}", headers=bearer(org["reviewer"]))
        assert answer.status_code == 400, query


def test_a_huge_number_in_a_body_is_a_400(client, org):
    body = {"organisation_id": 10**20, "year": 2026, "kind": "member_review", "title": "x"}
    answer = client.post("/api/v1/campaigns", json=body, headers=bearer(org["reviewer"]))
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == "organisation_id"


def test_staff_pages_with_impossible_ids_are_404_and_bad_years_400(client, org):
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "csrf_token": csrf_from(page.text),
            "username": "reviewer",
            "password": "correct horse battery",
        },
    )
    for path in (
        f"/staff/campaigns/{HUGE}/results",
        f"/ratings/branches/{HUGE}",
        f"/review/campaigns/{HUGE}/complaints",
        f"/staff/polls/{HUGE}/poster",
        f"/ratings/branches/{org['first'].id}/assessment/{HUGE}",
    ):
        assert client.get(path).status_code == 404, path
    # A bad year is a clear 400 on the pages as in the API, never a silent other year.
    for bad in ("²²²²", "1999", "2101", "abc"):
        assert client.get(f"/ratings/branches/{org['first'].id}?year={bad}").status_code == 400
    assert client.get(f"/ratings/branches/{org['first'].id}/assessment/1999").status_code == 404
    assert client.get(f"/ratings/branches/{org['first'].id}").status_code == 200


@pytest.mark.parametrize("stars", [[[1]], [{"a": 1}], "strong_leadership"])
def test_named_stars_of_the_wrong_type_are_400(client, org, stars):
    answer = client.put(
        f"/api/v1/organisations/{org['first'].id}/assessments/2026",
        json={"named_stars": stars},
        headers=bearer(org["reviewer"]),
    )
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == "named_stars"


def test_short_code_guessing_is_stopped_with_429(client, make):
    statuses = []
    for i in range(32):
        page = client.get("/b")
        statuses.append(
            client.post(
                "/b", data={"csrf_token": csrf_from(page.text), "code": f"ZZZZ-ZZ{i:02d}"}
            ).status_code
        )
    assert statuses[:30] == [404] * 30 and statuses[30:] == [429, 429]


def test_refusals_on_a_poll_are_never_turned_into_429(app, client):
    app.config["POLL_RATE_LIMIT"] = "3 per minute"
    statuses = {client.post("/p/no-such-poll", data={}).status_code for _ in range(6)}
    assert statuses == {404}


def race(target, n=12):
    barrier, results = threading.Barrier(n), []

    def run():
        barrier.wait()
        results.append(target())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(results)


def test_concurrent_first_assessments_of_a_branch_store_one(app, db, org):
    url = f"/api/v1/organisations/{org['first'].id}/assessments/2026"
    headers = bearer(org["reviewer"])
    outcome = race(
        lambda: app.test_client().put(url, json=GOOD_ASSESSMENT, headers=headers).status_code
    )
    assert outcome == Counter({200: 12})
    db.session.rollback()
    assert db.session.query(Assessment).count() == 1


def test_concurrent_grants_of_one_title_record_one(app, make, db, org):
    from helpers import held_review

    from survey.rating import assessments

    held_review(make, db, org["first"], 10, 0)
    assessments.save_assessment(db.session, "test", org["first"], 2026, GOOD_ASSESSMENT)
    db.session.commit()

    def grant():
        from survey.core.errors import Conflict
        from survey.rating import titles

        with app.app_context():
            from survey.core.database import begin_write
            from survey.core.extensions import db as _db

            begin_write(_db.session)
            try:
                titles.grant_title(
                    _db.session, "web:reviewer", _db.session.merge(org["first"]), 2026
                )
                _db.session.commit()
                return "granted"
            except Conflict:
                _db.session.rollback()
                return "409"

    assert race(grant) == Counter({"granted": 1, "409": 11})
    db.session.rollback()
    assert db.session.query(Title).count() == 1
