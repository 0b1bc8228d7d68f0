"""The API refuses and allows exactly what the role table (survey/staff/access.py) says, as the
pages do: a reviewer cannot mint member ballots, open or close a member review, nor so
vote with ballots the API minted."""

import pytest
from helpers import GOOD_ASSESSMENT, answer, bearer

from survey.core.scales import MEETING_KINDS
from survey.models import Ballot, Complaint
from survey.staff import access
from survey.staff.access import Action

ROLES = ("admin", "secretary", "reviewer")
KINDS = ("member_review", "public_satisfaction")


@pytest.fixture
def world(make):
    committee, first, _, _ = make.tree()
    return {
        "committee": committee,
        "first": first,
        "admin": make.user("root", "admin"),
        "secretary": make.user("secretary", "secretary", first),
        "reviewer": make.user("reviewer", "reviewer", committee),
    }


def create_organisation(client, make, db, world, user):
    body = {"name": "新支部", "kind": "branch", "parent_id": world["committee"].id}
    return client.post("/api/v1/organisations", json=body, headers=bearer(user))


def create_campaign(kind):
    def verb(client, make, db, world, user):
        body = {"organisation_id": world["first"].id, "year": 2026, "kind": kind, "title": "t"}
        return client.post("/api/v1/campaigns", json=body, headers=bearer(user))

    return verb


def on_campaign(kind, path, status="draft", body=None, cards=0):
    def verb(client, make, db, world, user):
        campaign = make.campaign(world["first"], kind=kind, status=status)
        if cards:
            make.ballots(campaign, cards)
        url = f"/api/v1/campaigns/{campaign.id}/{path}"
        return client.post(url, json=body, headers=bearer(user))

    return verb


def save_assessment(client, make, db, world, user):
    url = f"/api/v1/organisations/{world['first'].id}/assessments/2026"
    return client.put(url, json=GOOD_ASSESSMENT, headers=bearer(user))


def verify_complaint(client, make, db, world, user):
    poll = make.campaign(world["first"], kind="public_satisfaction")
    answer(
        db.session,
        poll,
        {poll.headline.id: "dissatisfied"},
        reason="慢",
        geo="unknown",
        device="d",
        ip_hash="i",
        ua_hash="u",
    )
    make.close(poll)
    rid = db.session.query(Complaint.id).filter_by(campaign_id=poll.id).scalar()
    body = {"result": "unfounded", "note": "已核实"}
    return client.post(
        f"/api/v1/public-responses/{rid}/verification", json=body, headers=bearer(user)
    )


def read(path_for):
    def verb(client, make, db, world, user):
        return client.get(path_for(make, world), headers=bearer(user))

    return verb


def closed_review(make, world):
    campaign = make.campaign(world["first"])
    make.close(campaign)
    return campaign


VERBS = {
    "create organisation": (create_organisation, Action.MANAGE_ORGANISATIONS),
    **{
        f"create {kind}": (create_campaign(kind), access.run_campaign_action(kind))
        for kind in KINDS
    },
    **{
        f"ballots of a {kind}": (
            on_campaign(kind, "ballots", body={"count": 2}),
            access.run_campaign_action(kind),
        )
        for kind in KINDS
    },
    **{
        f"open a {kind}": (
            on_campaign(kind, "open", cards=3 * int(kind in MEETING_KINDS)),
            access.run_campaign_action(kind),
        )
        for kind in KINDS
    },
    **{
        f"close a {kind}": (
            on_campaign(kind, "close", status="open"),
            access.run_campaign_action(kind),
        )
        for kind in KINDS
    },
    "save assessment": (save_assessment, Action.ASSESS),
    "verify complaint": (verify_complaint, Action.VERIFY_COMPLAINTS),
    "read tally": (
        read(lambda make, w: f"/api/v1/campaigns/{closed_review(make, w).id}/tally"),
        Action.READ_RESULTS,
    ),
    "read rating": (
        read(lambda make, w: f"/api/v1/organisations/{w['first'].id}/rating?year=2026"),
        Action.READ_RATINGS,
    ),
    "read summary": (
        read(lambda make, w: f"/api/v1/ratings?committee_id={w['committee'].id}&year=2026"),
        Action.READ_SUMMARIES,
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("verb", sorted(VERBS))
def test_the_api_allows_and_refuses_as_the_role_table(client, make, db, world, verb, role):
    run, action = VERBS[verb]
    user = world[role]
    status = run(client, make, db, world, user).status_code
    if access.may(user, action):
        assert status in (200, 201), (verb, role, status)
    elif verb == "read summary" and role == "secretary":
        assert status == 404  # a committee is outside a secretary's scope: absent, first
    else:
        assert status == 403, (verb, role, status)


def test_the_reviewer_mints_no_member_ballot_so_cannot_vote_with_one(client, make, db, world):
    review = make.campaign(world["first"])  # open
    headers = bearer(world["reviewer"])
    minted = client.post(
        f"/api/v1/campaigns/{review.id}/ballots", json={"count": 5}, headers=headers
    )
    assert minted.status_code == 403 and "ballots" not in minted.get_json()
    db.session.rollback()
    assert db.session.query(Ballot).filter_by(campaign_id=review.id).count() == 0
    assert client.post(f"/api/v1/campaigns/{review.id}/close", headers=headers).status_code == 403
    draft = make.campaign(world["first"], status="draft")
    assert client.post(f"/api/v1/campaigns/{draft.id}/open", headers=headers).status_code == 403


def test_a_refused_role_gets_403_before_its_body_is_read(client, world, make):
    review = make.campaign(world["first"])
    answer = client.post(
        f"/api/v1/campaigns/{review.id}/ballots",
        json={"count": "many", "unknown": 1},
        headers=bearer(world["reviewer"]),
    )
    assert answer.status_code == 403
    answer = client.post(
        "/api/v1/organisations", json={"nonsense": True}, headers=bearer(world["secretary"])
    )
    assert answer.status_code == 403


def test_out_of_scope_is_404_before_the_role_is_asked(client, make, world):
    foreign = make.tree()[3]
    review = make.campaign(foreign)
    # the reviewer may not run a member review anywhere, yet a foreign one reads as absent
    answer = client.post(f"/api/v1/campaigns/{review.id}/open", headers=bearer(world["reviewer"]))
    assert answer.status_code == 404
