"""The public criterion read from real poll answers and their verification."""

import secrets

import pytest
from helpers import GOOD_ASSESSMENT, bearer, held_review
from helpers import answer as answer_poll

from survey.models import Campaign
from survey.polls import complaints
from survey.rating import assessments


@pytest.fixture
def poll_world(make, db, org):
    branch = org["first"]
    branch.public_facing = True
    db.session.commit()
    held_review(make, db, branch, 10, 0)
    assessments.save_assessment(db.session, "test", branch, 2026, GOOD_ASSESSMENT)
    db.session.commit()
    campaign = make.campaign(branch, kind="public_satisfaction", title="群众满意度测评")
    return org, campaign


def answer(db, campaign, choices, make=None):
    """Answer the poll, then close it (with ``make``): open polls are not counted."""
    for choice in choices:
        answer_poll(
            db.session,
            campaign,
            {campaign.headline.id: choice},
            reason="办事拖拉",
            geo="unknown",
            device=secrets.token_hex(32),
            ip_hash="ip",
            ua_hash="ua",
        )
    if make is not None:
        make.close(campaign)


def complaints_of(db, campaign):
    db.session.rollback()
    return [i["id"] for i in complaints.list_answers(db.session, campaign)]


def rating(client, org, scheme):
    url = f"/api/v1/organisations/{org['first'].id}/rating?year=2026&scheme={scheme}"
    return client.get(url, headers=bearer(org["reviewer"])).get_json()


def public_of(result):
    return next(c for c in result["criteria"] if c["key"] == "public")


def test_an_open_poll_keeps_public_pending_and_shows_no_counts(client, db, poll_world):
    org, campaign = poll_world
    answer(db, campaign, ["satisfied"] * 10)
    public = public_of(rating(client, org, "ordos-amr-2020"))
    assert public["outcome"] == "pending"
    assert "responses" not in (public["value"] or {})  # the open poll's counts stay hidden
    assert public["evidence"]["open_polls"] == [campaign.id]


def test_an_unchecked_complaint_keeps_public_pending(client, make, db, poll_world):
    org, campaign = poll_world
    answer(db, campaign, ["satisfied"] * 9 + ["dissatisfied"], make)
    result = rating(client, org, "ordos-amr-2020")
    assert public_of(result)["outcome"] == "pending" and result["verdict"] == "pending"


def test_one_verified_in_ten_is_within_the_rate_but_fails_ordos_and_nmg_on_any_verified(
    client, make, db, poll_world
):
    org, campaign = poll_world
    answer(db, campaign, ["satisfied"] * 9 + ["dissatisfied"], make)
    (complaint,) = complaints_of(db, campaign)
    verified = client.post(
        f"/api/v1/public-responses/{complaint}/verification",
        json={"result": "verified", "note": "经查属实"},
        headers=bearer(org["reviewer"]),
    )
    assert verified.status_code == 200
    ordos = rating(client, org, "ordos-amr-2020")
    # 000 §二(二) excludes any verified 不满意 beside §四(三)'s rate, which is still shown
    assert public_of(ordos)["outcome"] == "fail"
    assert public_of(ordos)["evidence"]["broken"] == ["000 §二(二)"]
    assert (
        public_of(ordos)["value"]["verified"] == 1 and public_of(ordos)["value"]["responses"] == 10
    )
    nmg = rating(client, org, "nmg-2020")
    assert public_of(nmg)["outcome"] == "fail" and nmg["verdict"] == "not_eligible"


def test_two_verified_in_ten_fail_the_rate_rule(client, make, db, poll_world):
    org, campaign = poll_world
    answer(db, campaign, ["satisfied"] * 8 + ["dissatisfied"] * 2, make)
    ids = complaints_of(db, campaign)
    assert len(ids) == 2
    for complaint in ids:
        marked = client.post(
            f"/api/v1/public-responses/{complaint}/verification",
            json={"result": "verified", "note": "经查属实"},
            headers=bearer(org["reviewer"]),
        )
        assert marked.status_code == 200, marked.get_json()
    assert public_of(rating(client, org, "ordos-amr-2020"))["outcome"] == "fail"


def test_unfounded_complaints_count_for_nothing_and_raw_answers_stay(client, make, db, poll_world):
    org, campaign = poll_world
    answer(db, campaign, ["satisfied"] * 3 + ["dissatisfied"] * 2, make)
    for complaint in complaints_of(db, campaign):
        client.post(
            f"/api/v1/public-responses/{complaint}/verification",
            json={"result": "unfounded", "note": "不属实"},
            headers=bearer(org["reviewer"]),
        )
    nmg = rating(client, org, "nmg-2020")
    assert public_of(nmg)["outcome"] == "pass" and nmg["verdict"] == "eligible"
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).votes_counted == 5
