"""JSON API v1: tokens, scoping, the campaign life and the tally."""

import csv
import io

import pytest
from helpers import ballot_form, bearer, cast

from survey.core.security import ballot_token
from survey.models import Campaign


@pytest.fixture
def world(make):
    committee, first, second, foreign = make.tree()
    return {
        "committee": committee,
        "first": first,
        "second": second,
        "foreign": foreign,
        "admin": make.user("root", "admin"),
        "reviewer": make.user("reviewer", "reviewer", committee),
        "secretary": make.user("secretary", "secretary", first),
    }


def create_campaign(client, user, organisation, **extra):
    body = {
        "organisation_id": organisation.id,
        "year": 2026,
        "kind": "member_review",
        "title": "2026年度党员评议党支部工作",
        **extra,
    }
    return client.post("/api/v1/campaigns", json=body, headers=bearer(user))


def test_openapi_document_is_public_and_lists_the_paths(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    doc = answer.get_json()
    assert doc["openapi"].startswith("3.")
    assert {
        "/organisations",
        "/campaigns",
        "/campaigns/{campaign_id}/ballots",
        "/campaigns/{campaign_id}/tally",
        "/campaigns/{campaign_id}/export.csv",
    } <= set(doc["paths"])


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic abc", "Token x"])
def test_missing_or_invalid_token_is_401_json(client, world, header):
    headers = {"Authorization": header} if header else {}
    answer = client.post("/api/v1/campaigns", json={}, headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorised"


def test_a_secretary_creates_a_campaign_for_their_branch(client, world):
    answer = create_campaign(
        client, world["secretary"], world["first"], eligible_full=30, eligible_probationary=2
    )
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["status"] == "draft" and isinstance(body["id"], int)
    assert body["eligible_full"] == 30 and body["eligible_probationary"] == 2


@pytest.mark.parametrize(
    "who,where", [("secretary", "second"), ("secretary", "foreign"), ("reviewer", "foreign")]
)
def test_foreign_organisations_answer_404(client, world, who, where):
    answer = create_campaign(client, world[who], world[where])
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"


def test_foreign_campaigns_answer_404_on_every_route(client, world, make):
    campaign = make.campaign(world["foreign"])
    for method, path in [
        ("post", "ballots"),
        ("post", "open"),
        ("post", "close"),
        ("get", "tally"),
        ("get", "export.csv"),
        ("get", "export.xlsx"),
        ("get", ""),
    ]:
        url = f"/api/v1/campaigns/{campaign.id}/{path}".rstrip("/")
        answer = getattr(client, method)(url, json={"count": 1}, headers=bearer(world["reviewer"]))
        assert answer.status_code == 404, url
    assert (
        client.get(
            f"/api/v1/campaigns/{campaign.id}/tally", headers=bearer(world["admin"])
        ).status_code
        == 200
    )


def test_an_admin_creates_a_branch_and_no_other_role_may(client, world):
    body = {
        "name": "第三党支部",
        "kind": "branch",
        "parent_id": world["committee"].id,
        "domain": "organ",
        "founded_on": "2020-07-01",
        "public_facing": True,
        "service_area": {"lat": 40.84, "lon": 111.75, "radius_m": 1500},
    }
    answer = client.post("/api/v1/organisations", json=body, headers=bearer(world["admin"]))
    assert answer.status_code == 201
    created = answer.get_json()
    assert created["service_area"] == {"lat": 40.84, "lon": 111.75, "radius_m": 1500}
    assert created["founded_on"] == "2020-07-01" and created["domain"] == "organ"
    assert created["parent_id"] == world["committee"].id and created["weak"] is False
    for role in ("reviewer", "secretary"):
        denied = client.post("/api/v1/organisations", json=body, headers=bearer(world[role]))
        assert denied.status_code == 403, role
    missing = dict(body, parent_id=999_999)
    assert (
        client.post(
            "/api/v1/organisations", json=missing, headers=bearer(world["admin"])
        ).status_code
        == 404
    )


def test_a_branch_under_a_branch_is_refused_by_the_service(client, world):
    body = {"name": "x", "kind": "branch", "parent_id": world["first"].id}
    answer = client.post("/api/v1/organisations", json=body, headers=bearer(world["admin"]))
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "parent_id"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "", "kind": "branch"}, "name"),
        ({"name": "x", "kind": "club"}, "kind"),
        ({"name": "x", "kind": "branch", "founded_on": "yesterday"}, "founded_on"),
        (
            {"name": "x", "kind": "branch", "service_area": {"lat": 91, "lon": 0, "radius_m": 1}},
            "service_area.lat",
        ),
        ({"name": "x", "kind": "branch", "weak": "no"}, "weak"),
        ({"name": "x", "kind": "branch", "domain": "moon"}, "domain"),
        ({"name": "x", "kind": "branch", "unknown_field": 5}, "unknown_field"),
    ],
)
def test_bad_organisation_bodies_are_400_naming_the_field(client, world, body, field):
    answer = client.post("/api/v1/organisations", json=body, headers=bearer(world["admin"]))
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", "null"])
def test_a_body_that_is_not_a_json_object_is_400(client, world, payload):
    answer = client.post(
        "/api/v1/campaigns",
        data=payload,
        content_type="application/json",
        headers=bearer(world["admin"]),
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"year": "2026"}, "year"),
        ({"kind": "x"}, "kind"),
        ({"eligible_full": -1}, "eligible_full"),
        ({"geofence": "maybe"}, "geofence"),
    ],
)
def test_bad_campaign_bodies_are_400(client, world, extra, field):
    answer = create_campaign(client, world["admin"], world["first"], **extra)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field


def test_whole_campaign_life_by_api_and_tally_equals_what_was_cast(client, world):
    user = world["secretary"]
    campaign = create_campaign(
        client, user, world["first"], eligible_full=6, eligible_probationary=1
    ).get_json()
    cid = campaign["id"]
    full = client.post(f"/api/v1/campaigns/{cid}/ballots", json={"count": 6}, headers=bearer(user))
    assert full.status_code == 201
    prob = client.post(
        f"/api/v1/campaigns/{cid}/ballots",
        json={"count": 1, "class": "probationary"},
        headers=bearer(user),
    )
    links = full.get_json()["ballots"] + prob.get_json()["ballots"]
    assert all(b["url"].startswith("https://survey.example.org/b/") for b in links)
    assert all(len(b["code"]) == 9 and b["code"][4] == "-" for b in links)
    opened = client.post(f"/api/v1/campaigns/{cid}/open", headers=bearer(user)).get_json()
    cards = opened.pop("scrutineer_cards")  # a member review: its scrutineers hold the key
    assert opened == {"id": cid, "status": "open"} and [c["holder"] for c in cards] == [1, 2, 3]

    choices = ["excellent"] * 4 + ["competent", "incompetent"]
    for link, choice in zip(links[:6], choices, strict=True):
        path = link["url"].removeprefix("https://survey.example.org")
        form = client.get(path)
        posted = client.post(path, data=ballot_form(form.text) | {"choice": choice})
        assert posted.status_code == 303

    live = client.get(f"/api/v1/campaigns/{cid}/tally", headers=bearer(user)).get_json()
    assert (live["issued"], live["cast"], live["void"]) == (7, 6, 0)
    assert "counts" not in live  # hidden while open

    codes = [cards[0]["code"], cards[2]["code"]]
    closed = client.post(
        f"/api/v1/campaigns/{cid}/close", json={"scrutineer_codes": codes}, headers=bearer(user)
    )
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert len(closed.get_json()["sha256"]) == 64
    tally = client.get(f"/api/v1/campaigns/{cid}/tally", headers=bearer(user)).get_json()
    assert tally["counts"] == {
        "excellent": 4,
        "competent": 1,
        "basically_competent": 0,
        "incompetent": 1,
    }
    assert sum(tally["counts"].values()) == tally["cast"] == 6

    gone = client.get(
        f"/api/v1/campaigns/{cid}/export.csv?table=responses&lang=en", headers=bearer(user)
    )
    assert gone.status_code == 410 and gone.json["error"]["code"] == "no_ballot_rows"
    assert "counts only" in gone.json["error"]["message"]
    export = client.get(f"/api/v1/campaigns/{cid}/export.csv?lang=en", headers=bearer(user))
    assert export.status_code == 200 and export.mimetype == "text/csv"
    text = export.get_data(as_text=True)
    for link in links:
        assert link["code"] not in text and link["code"].replace("-", "") not in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[2] == ["Question", "Choice", "Count", "Share"]  # the counts, one table
    counted = {row[1]: int(row[2]) for row in rows[3:] if row[1] and row[2]}
    for choice in set(choices):
        assert counted[choice.replace("_", " ").capitalize()] == choices.count(choice)

    workbook = client.get(f"/api/v1/campaigns/{cid}/export.xlsx?lang=zh", headers=bearer(user))
    assert workbook.status_code == 200 and workbook.mimetype.endswith(".sheet")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook.data), read_only=True)
    assert book.sheetnames == ["汇总"]  # counts only: no ballot-by-ballot sheet
    everything = " ".join(str(c) for s in book for r in s.iter_rows(values_only=True) for c in r)
    assert not any(link["code"].replace("-", "") in everything for link in links)


def test_tally_is_404_for_unknown_campaign(client, world):
    assert (
        client.get("/api/v1/campaigns/999/tally", headers=bearer(world["admin"])).status_code == 404
    )


def test_open_without_cards_or_twice_or_close_a_draft_is_409(client, world, make, db):
    campaign = make.campaign(world["first"], status="draft")
    headers = bearer(world["secretary"])
    assert client.post(f"/api/v1/campaigns/{campaign.id}/close", headers=headers).status_code == 409
    # A meeting's campaign opens with its cards: the page and the API ask the same service.
    no_cards = client.post(f"/api/v1/campaigns/{campaign.id}/open", headers=headers)
    assert no_cards.status_code == 409
    assert no_cards.get_json()["error"]["code"] == "no_cards"
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"
    make.ballots(campaign, 2)  # the lone card (or two): each vote would be known
    too_few = client.post(f"/api/v1/campaigns/{campaign.id}/open", headers=headers)
    assert too_few.status_code == 409
    assert too_few.get_json()["error"]["code"] == "too_few_cards"
    assert "at least 3 cards" in too_few.get_json()["error"]["message"]
    make.ballots(campaign, 1)
    assert client.post(f"/api/v1/campaigns/{campaign.id}/open", headers=headers).status_code == 200
    assert client.post(f"/api/v1/campaigns/{campaign.id}/open", headers=headers).status_code == 409


def test_ballots_for_a_closed_campaign_or_a_wrong_class_are_refused(client, world, make):
    campaign = make.campaign(world["first"])
    headers = bearer(world["secretary"])
    wrong = client.post(
        f"/api/v1/campaigns/{campaign.id}/ballots",
        json={"count": 1, "class": "resident"},
        headers=headers,
    )
    assert wrong.status_code == 400
    too_many = client.post(
        f"/api/v1/campaigns/{campaign.id}/ballots", json={"count": 5000}, headers=headers
    )
    assert too_many.status_code == 400
    make.close(campaign)
    late = client.post(
        f"/api/v1/campaigns/{campaign.id}/ballots", json={"count": 1}, headers=headers
    )
    assert late.status_code == 409


def test_export_of_an_open_campaign_is_refused(client, world, make):
    campaign = make.campaign(world["first"])
    answer = client.get(
        f"/api/v1/campaigns/{campaign.id}/export.csv", headers=bearer(world["secretary"])
    )
    assert answer.status_code == 409


def test_public_campaign_gets_an_absolute_public_url(client, world):
    answer = create_campaign(
        client, world["reviewer"], world["first"], kind="public_satisfaction", geofence="flag"
    )
    assert answer.status_code == 201
    assert answer.get_json()["public_url"].startswith("https://survey.example.org/p/")


def test_small_campaign_hides_indicator_breakdowns_and_class_split(client, world, make, db):

    campaign = make.campaign(world["first"], extra_questions=[("team", "支部班子强")])
    cards = make.ballots(campaign, 3) + make.ballots(campaign, 1, "probationary")
    for card in cards:
        answers = {q.id: "excellent" for q in campaign.questions}
        cast(db.session, card.id, answers)
    make.close(campaign)
    tally = client.get(
        f"/api/v1/campaigns/{campaign.id}/tally", headers=bearer(world["reviewer"])
    ).get_json()
    assert tally["counts"]["excellent"] == 4
    assert tally["questions"][1]["counts"] is None
    assert "by_class" not in tally


def test_api_errors_are_json_even_for_unknown_routes_and_methods(client, world):
    headers = bearer(world["admin"])
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert missing.status_code == 404 and "error" in missing.get_json()
    wrong = client.delete("/api/v1/campaigns", headers=headers)
    assert wrong.status_code == 405 and "error" in wrong.get_json()


def test_ballot_tokens_round_trip_and_resist_tampering(app):
    from survey.core.security import read_ballot_token

    with app.app_context():
        token = ballot_token("ab" * 16)
        assert read_ballot_token(token, 60) == ("ab" * 16, False)
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert read_ballot_token(tampered, 60) == (None, False)
