"""群众代表 at the 述职评议 meeting (000 §二(三), 001 工作指南 §五(二)3, 003 §三(一)3): one-time
cards on the satisfaction scale in the sealed box, counted as 群众评判 with their channel shown,
their verified 不满意 counted under each scheme's clause, at and around its bound."""

import pytest
from helpers import bearer, cast, held_review
from sqlalchemy import select

from survey.models import Ballot, Campaign
from survey.polls import complaints
from survey.rating import assessments, schemes_store

# No 公示 recorded: the meeting is the branch's only channel of 群众评判
NO_NOTICE = {
    "organisation_grade": "excellent",
    "social": [{"department": "纪检监察", "negative": False, "note": ""}],
    "exclusions": [],
    "facts": {},
}
ANY_VERIFIED = ["nmg-2020", "nmg-2020-annex2", "ordos-amr-2020", "chifeng-college-2020"]


@pytest.fixture
def branch(make, db, org):
    branch = org["first"]
    held_review(make, db, branch, 10, 0)
    assessments.save_assessment(db.session, "test", branch, 2026, NO_NOTICE)
    db.session.commit()
    return branch


def create(client, org, **fields):
    body = {
        "organisation_id": org["first"].id,
        "year": 2026,
        "kind": "masses_meeting",
        "title": "2026年度述职评议会群众代表测评",
        "sealing": "server",
        **fields,
    }
    return client.post("/api/v1/campaigns", json=body, headers=bearer(org["reviewer"]))


def meeting(client, make, db, org, choices, reason="办事拖拉"):
    """A 群众代表 meeting made through the API by the reviewer, voted with its cards, closed."""
    made = create(client, org)
    assert made.status_code == 201, made.get_json()
    db.session.rollback()
    campaign = db.session.get(Campaign, made.get_json()["id"])
    cards = client.post(
        f"/api/v1/campaigns/{campaign.id}/ballots",
        json={"count": max(len(choices), 3)},
        headers=bearer(org["reviewer"]),
    ).get_json()["ballots"]
    assert {card["class"] for card in cards} == {"representative"}
    opened = client.post(f"/api/v1/campaigns/{campaign.id}/open", headers=bearer(org["reviewer"]))
    assert opened.status_code == 200, opened.get_json()
    db.session.rollback()
    ids = db.session.scalars(select(Ballot.id).where(Ballot.campaign_id == campaign.id)).all()
    for ballot_id, choice in zip(ids, choices, strict=False):
        cast(db.session, ballot_id, {campaign.headline.id: choice}, {campaign.headline.id: reason})
    closed = client.post(f"/api/v1/campaigns/{campaign.id}/close", headers=bearer(org["reviewer"]))
    assert closed.status_code == 200, closed.get_json()
    db.session.rollback()
    return campaign


def mark(client, db, org, campaign, results):
    db.session.rollback()
    ids = [item["id"] for item in complaints.list_answers(db.session, campaign)]
    assert len(ids) == len(results)
    for complaint, result in zip(ids, results, strict=True):
        marked = client.post(
            f"/api/v1/public-responses/{complaint}/verification",
            json={"result": result, "note": "经查"},
            headers=bearer(org["reviewer"]),
        )
        assert marked.status_code == 200, marked.get_json()


def public_of(client, org, scheme):
    url = f"/api/v1/organisations/{org['first'].id}/rating?year=2026"
    url += f"&scheme={scheme}" if scheme else ""  # else the committee's own choice
    rating = client.get(url, headers=bearer(org["reviewer"])).get_json()
    assert "criteria" in rating, rating
    return rating, next(c for c in rating["criteria"] if c["key"] == "public")


def test_a_reviewer_creates_a_masses_meeting_with_its_representatives_label(client, org):
    made = create(client, org, representatives="service_users")
    assert made.status_code == 201
    body = made.get_json()
    assert body["kind"] == "masses_meeting" and body["representatives"] == "service_users"
    assert body["questions"][0]["key"] == "overall"


def test_an_unknown_label_is_refused_and_another_kind_keeps_none(client, org):
    assert create(client, org, representatives="parents").status_code == 400
    other = create(client, org, kind="public_satisfaction", representatives="masses")
    assert other.status_code == 201 and "representatives" not in other.get_json()


def test_the_label_is_masses_by_default(client, org):
    assert create(client, org).get_json()["representatives"] == "masses"


def test_a_meeting_opens_only_with_three_cards_or_more(client, db, org):
    campaign_id = create(client, org).get_json()["id"]
    headers = bearer(org["reviewer"])
    assert client.post(f"/api/v1/campaigns/{campaign_id}/open", headers=headers).status_code == 409
    client.post(f"/api/v1/campaigns/{campaign_id}/ballots", json={"count": 2}, headers=headers)
    assert client.post(f"/api/v1/campaigns/{campaign_id}/open", headers=headers).status_code == 409


def test_with_no_channel_recorded_the_branch_is_pending_on_public(client, branch, org):
    rating, public = public_of(client, org, "nmg-2020")
    assert public["outcome"] == "pending" and public["evidence"]["channels"] == []


def test_the_meetings_answers_count_as_public_with_their_channel(client, make, db, branch, org):
    campaign = meeting(client, make, db, org, ["satisfied"] * 4 + ["basically_satisfied"])
    rating, public = public_of(client, org, "nmg-2020")
    assert public["outcome"] == "pass" and rating["verdict"] == "eligible"
    assert public["value"]["channels"] == ["meeting"]
    assert public["value"]["responses"] == 5 and public["value"]["meeting_responses"] == 5
    assert public["evidence"]["meeting_campaign_ids"] == [campaign.id]


def test_an_open_meeting_keeps_public_pending(client, make, db, branch, org):
    campaign_id = create(client, org).get_json()["id"]
    headers = bearer(org["reviewer"])
    client.post(f"/api/v1/campaigns/{campaign_id}/ballots", json={"count": 3}, headers=headers)
    client.post(f"/api/v1/campaigns/{campaign_id}/open", headers=headers)
    _, public = public_of(client, org, "nmg-2020")
    assert public["outcome"] == "pending" and public["evidence"]["channels"] == ["meeting"]
    assert "responses" not in (public["value"] or {})


@pytest.mark.parametrize("scheme", ANY_VERIFIED)
@pytest.mark.parametrize(
    ("findings", "outcome"),
    [
        (["unfounded", "unfounded"], "pass"),  # no verified 不满意: below the bound
        (["verified", "unfounded"], "fail"),  # one verified: at the bound of 经查证属实
        (["verified", "verified"], "fail"),  # above it
    ],
)
def test_verified_dissatisfied_representatives_exclude_under_any_verified(
    client, make, db, branch, org, scheme, findings, outcome
):
    campaign = meeting(client, make, db, org, ["satisfied"] * 18 + ["dissatisfied"] * 2)
    _, unchecked = public_of(client, org, scheme)
    assert unchecked["outcome"] == "pending"  # until each 不满意 is checked
    mark(client, db, org, campaign, findings)
    _, public = public_of(client, org, scheme)
    assert public["outcome"] == outcome
    assert public["value"]["channels"] == ["meeting"]
    assert public["value"]["meeting_dissatisfied"] == 2


def test_the_rate_adds_the_meeting_to_the_poll(client, make, db, branch, org):
    """Ordos §四(三): verified 不满意 over every answer of every channel; 10 % passes the rate
    (超过10% excludes), but §二(二) excludes any verified one: both clauses are shown."""
    from test_ratings_from_polls import answer

    poll = make.campaign(org["first"], kind="public_satisfaction", title="群众满意度测评")
    answer(db, poll, ["satisfied"] * 10, make)
    campaign = meeting(client, make, db, org, ["satisfied"] * 9 + ["dissatisfied"])
    mark(client, db, org, campaign, ["verified"])
    _, public = public_of(client, org, "ordos-amr-2020")
    assert public["value"]["channels"] == ["poll", "meeting"]
    assert public["value"]["responses"] == 20 and public["value"]["verified_share"] == "1/20"
    assert public["outcome"] == "fail" and public["evidence"]["broken"] == ["000 §二(二)"]


def rate_only(db, org):
    """The committee's copy of ordos-amr-2020 that reads §四(三) alone (docs/rules.md §2)."""
    text = schemes_store.preset_text("ordos-amr-2020", "ordos-rate")
    any_rule = 'any_verified = true\nany_source = "000 §二(二)"\n'
    assert any_rule in text
    text = text.replace(any_rule, "any_verified = false\n")
    schemes_store.save(db.session, "t", org["committee"], text, "ordos-rate.toml")
    schemes_store.choose(db.session, "t", org["committee"], "ordos-rate")
    db.session.commit()


@pytest.mark.parametrize(
    ("findings", "outcome"),
    [
        (["verified", "unfounded", "unfounded"], "pass"),  # 1/20 = 5 %
        (["verified", "verified", "unfounded"], "pass"),  # 2/20 = 10 %: 超过10% excludes above
        (["verified", "verified", "verified"], "fail"),  # 3/20 = 15 %
    ],
)
def test_the_rate_bound_counts_the_meeting_and_the_poll_together(
    client, make, db, branch, org, findings, outcome
):
    from test_ratings_from_polls import answer

    rate_only(db, org)
    poll = make.campaign(org["first"], kind="public_satisfaction", title="群众满意度测评")
    answer(db, poll, ["satisfied"] * 10, make)
    campaign = meeting(client, make, db, org, ["satisfied"] * 7 + ["dissatisfied"] * 3)
    mark(client, db, org, campaign, findings)
    rating, public = public_of(client, org, None)
    assert rating["scheme"].startswith("ordos-rate@")
    assert public["value"]["channels"] == ["poll", "meeting"]
    assert public["value"]["responses"] == 20 and public["value"]["meeting_responses"] == 10
    assert public["outcome"] == outcome


def test_the_tally_counts_the_representatives_dissatisfied_for_checking(
    client, make, db, branch, org
):
    campaign = meeting(client, make, db, org, ["satisfied"] * 3 + ["dissatisfied"] * 2)
    tally = client.get(f"/api/v1/campaigns/{campaign.id}/tally", headers=bearer(org["reviewer"]))
    body = tally.get_json()
    assert body["dissatisfied_raw"] == 2 and body["unchecked"] == 2
    assert body["counts"]["dissatisfied"] == 2


def test_the_summary_export_names_the_meetings_channel_with_its_answers(
    auth, client, make, db, branch, org
):
    meeting(client, make, db, org, ["satisfied"] * 4 + ["basically_satisfied"])
    auth.login("reviewer")
    url = f"/staff/files/committees/{org['committee'].id}/ratings.csv?year=2026"
    text = client.get(url).text
    assert "群众评判含群众代表测评（述职评议会）5票，其中不满意0票" in text


def test_the_rating_page_names_the_channel_in_both_languages(auth, client, make, db, branch, org):
    meeting(client, make, db, org, ["satisfied"] * 5)
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}?year=2026&scheme=nmg-2020"
    assert "群众评判方式：群众代表测评（述职评议会）" in client.get(url).text
    english = client.get(f"{url}&lang=en").text
    assert "representatives&#39; vote (report meeting)" in english
    assert "群众代表测评" not in english


def test_the_scrutineers_hold_its_key_by_default_as_at_a_member_review(client, org):
    body = {
        "organisation_id": org["first"].id,
        "year": 2026,
        "kind": "masses_meeting",
        "title": "述职评议会群众代表测评",
    }
    made = client.post("/api/v1/campaigns", json=body, headers=bearer(org["reviewer"]))
    assert made.status_code == 201
    assert made.get_json()["sealing"] == "scrutineers"
    assert made.get_json()["scrutineers"] == {"k": 2, "n": 3}
