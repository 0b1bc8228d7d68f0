"""Complaint verification (查证): the reviewer's queue in the UI and by API, its audit, and
the tally's raw and verified 不满意 counts."""

import pytest
from helpers import bearer, csrf_from
from poll_helpers import answer, poll_campaign

from survey.models import AuditEntry, Complaint, Verification


@pytest.fixture
def setup(app, make):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    committee, first, second, foreign = make.tree()
    poll = poll_campaign(make, first)
    for choice, reason in [
        ("dissatisfied", "窗口排队太久"),
        ("dissatisfied", "路灯不亮"),
        ("dissatisfied", None),
        ("satisfied", None),
        ("basically_satisfied", None),
    ]:
        extra = {"reason": reason} if reason else {}
        assert answer(app.test_client(), poll.slug, choice, **extra).status_code == 303
    make.close(poll)  # complaints are read once the poll is closed
    return {
        "poll": poll,
        "reviewer": make.user("reviewer", "reviewer", committee),
        "outsider": make.user("outsider", "reviewer", make.organisation("别处", "committee")),
        "secretary": make.user("secretary", "secretary", first),
        "admin": make.user("root", "admin"),
    }


def items(client, user, campaign_id, choice="dissatisfied"):
    url = f"/api/v1/public-responses?campaign_id={campaign_id}&choice={choice}"
    return client.get(url, headers=bearer(user))


def test_reviewers_list_every_dissatisfied_answer_with_its_reason(client, setup):
    response = items(client, setup["reviewer"], setup["poll"].id)
    assert response.status_code == 200
    found = response.json["items"]
    assert sorted(i["reason"] or "" for i in found) == ["", "窗口排队太久", "路灯不亮"]
    assert all(i["verification"] is None for i in found)


def test_a_reviewer_verifies_by_api_and_the_finding_is_audited(client, setup, db):
    reviewer, poll = setup["reviewer"], setup["poll"]
    target = items(client, reviewer, poll.id).json["items"][0]["id"]
    url = f"/api/v1/public-responses/{target}/verification"
    body = {"result": "verified", "note": "经现场查证属实"}
    response = client.post(url, json=body, headers=bearer(reviewer))
    assert response.status_code == 200
    assert response.json["verification"]["result"] == "verified"
    assert response.json["verification"]["by"] == "api:reviewer"
    again = client.post(
        url, json={"result": "unfounded", "note": "复查不属实"}, headers=bearer(reviewer)
    )
    assert again.json["verification"]["result"] == "unfounded"
    db.session.rollback()
    assert db.session.get(Verification, target).result == "unfounded"
    log = db.session.query(AuditEntry).filter_by(action="response.verify").all()
    assert [(e.object_id, e.detail["result"], e.detail["previous"]) for e in log] == [
        (target, "verified", None),
        (target, "unfounded", "verified"),
    ]
    assert db.session.query(Complaint).count() == 3  # the 不满意 answers unchanged


@pytest.mark.parametrize(
    "body, field",
    [
        ({"result": "true", "note": "x"}, "result"),
        ({"result": "verified"}, "note"),
        ({"result": "verified", "note": "  "}, "note"),
        ({"result": "verified", "note": "x" * 1001}, "note"),
    ],
)
def test_a_bad_verification_body_is_400(client, setup, body, field):
    target = items(client, setup["reviewer"], setup["poll"].id).json["items"][0]["id"]
    url = f"/api/v1/public-responses/{target}/verification"
    response = client.post(url, json=body, headers=bearer(setup["reviewer"]))
    assert response.status_code == 400
    assert response.json["error"]["field"] == field


def test_a_non_json_body_is_400(client, setup):
    target = items(client, setup["reviewer"], setup["poll"].id).json["items"][0]["id"]
    url = f"/api/v1/public-responses/{target}/verification"
    assert client.post(url, data="x", headers=bearer(setup["reviewer"])).status_code == 400


def test_a_foreign_reviewer_gets_404_and_a_secretary_403(client, setup):
    poll = setup["poll"]
    target = items(client, setup["reviewer"], poll.id).json["items"][0]["id"]
    url = f"/api/v1/public-responses/{target}/verification"
    body = {"result": "verified", "note": "x"}
    assert items(client, setup["outsider"], poll.id).status_code == 404
    assert client.post(url, json=body, headers=bearer(setup["outsider"])).status_code == 404
    assert client.post(url, json=body, headers=bearer(setup["secretary"])).status_code == 403
    assert items(client, setup["secretary"], poll.id).status_code == 403
    unknown = "/api/v1/public-responses/0123456789abcdef/verification"
    assert client.post(unknown, json=body, headers=bearer(setup["admin"])).status_code == 404


def test_only_a_dissatisfied_answer_is_listed_the_others_are_counts_without_rows(client, setup, db):
    from survey.models import Count

    assert items(client, setup["reviewer"], setup["poll"].id, "satisfied").status_code == 400
    db.session.rollback()
    listed = {i["id"] for i in items(client, setup["reviewer"], setup["poll"].id).json["items"]}
    assert listed == {c.id for c in db.session.query(Complaint)} and len(listed) == 3
    kept = {c.choice: c.n for c in db.session.query(Count).filter_by(campaign_id=setup["poll"].id)}
    assert kept == {"dissatisfied": 3, "satisfied": 1, "basically_satisfied": 1}


def test_listing_needs_a_public_poll(client, setup, make):
    assert items(client, setup["admin"], "abc").status_code == 400
    review = make.campaign(setup["poll"].organisation)
    assert items(client, setup["admin"], review.id).status_code == 400
    assert items(client, setup["admin"], setup["poll"].id, "maybe").status_code == 400


def test_a_reviewer_verifies_in_the_ui_and_the_tally_shows_raw_and_verified(
    auth, app, client, setup, make, db
):
    poll, reviewer = setup["poll"], setup["reviewer"]
    auth.login("reviewer")
    queue = client.get(f"/review/campaigns/{poll.id}/complaints")
    assert queue.status_code == 200 and "窗口排队太久" in queue.text
    target = items(client, reviewer, poll.id).json["items"][0]["id"]
    form = {"csrf_token": csrf_from(queue.text), "result": "verified", "note": "走访核实"}
    saved = client.post(f"/review/responses/{target}/verification", data=form)
    assert saved.status_code == 303
    missing_note = form | {"note": ""}
    assert (
        client.post(f"/review/responses/{target}/verification", data=missing_note).status_code
        == 400
    )
    other = [i["id"] for i in items(client, reviewer, poll.id).json["items"] if i["id"] != target][
        0
    ]
    body = {"result": "unfounded", "note": "查无此事"}
    url = f"/api/v1/public-responses/{other}/verification"
    assert client.post(url, json=body, headers=bearer(reviewer)).status_code == 200
    db.session.rollback()
    entry = db.session.query(AuditEntry).filter_by(action="response.verify", object_id=target).one()
    assert entry.actor == "web:reviewer"
    tally = client.get(f"/api/v1/campaigns/{poll.id}/tally", headers=bearer(reviewer)).json
    assert tally["counts"] == {"satisfied": 1, "basically_satisfied": 1, "dissatisfied": 3}
    assert tally["dissatisfied_raw"] == 3
    assert tally["dissatisfied_verified"] == 1
    assert tally["unfounded"] == 1 and tally["unchecked"] == 1
    assert tally["geo"] == {"inside": 0, "outside": 0, "unknown": 5, "code": 0}


def test_while_a_poll_is_open_its_complaints_and_counts_stay_hidden(auth, app, client, setup, make):
    still_open = poll_campaign(make, setup["poll"].organisation, title="仍在进行的测评")
    assert (
        answer(app.test_client(), still_open.slug, "dissatisfied", reason="噪音").status_code == 303
    )
    reviewer = setup["reviewer"]
    tally = client.get(f"/api/v1/campaigns/{still_open.id}/tally", headers=bearer(reviewer)).json
    assert "dissatisfied_raw" not in tally and "counts" not in tally
    assert items(client, reviewer, still_open.id).status_code == 409
    auth.login("reviewer")
    assert client.get(f"/review/campaigns/{still_open.id}/complaints").status_code == 409
    assert "噪音" not in client.get("/review/").text


def test_secretaries_cannot_open_the_review_pages(auth, client, setup):
    auth.login("secretary")
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/campaigns/{setup['poll'].id}/complaints").status_code == 403


def test_the_review_index_lists_unchecked_complaints_in_scope(auth, client, setup):
    auth.login("reviewer")
    page = client.get("/review/")
    assert page.status_code == 200 and setup["poll"].title in page.text


def test_the_anomaly_view_shows_hours_clusters_and_the_position_warning(auth, client, setup):
    auth.login("reviewer")
    page = client.get(f"/review/campaigns/{setup['poll'].id}/anomalies?lang=en")
    assert page.status_code == 200
    assert "can be faked" in page.text
    assert "Answers counted through the public link: 5" in page.text
