"""The generated OpenAPI document and the server agree: every route, every refusal it can
give, every enum value and example it documents, every key its answers carry."""

import copy
import json
import re

import pytest
from appraisal_helpers import roll
from helpers import GOOD_ASSESSMENT, answer, bearer

from survey import campaigns, rating
from survey.api.schemas import EXAMPLES

METHODS = {"get", "post", "put", "patch", "delete"}
# What each operation can answer besides its success and 401 (every route needs a token).
REFUSALS = {
    "create_organisation": {400, 403, 404, 413},
    "get_organisation": {404},
    "create_campaign": {400, 403, 404, 413},
    "get_campaign": {404},
    "generate_ballots": {400, 403, 404, 409, 413},
    "enter_paper_ballot": {400, 403, 404, 409, 413},
    "open_campaign": {403, 404, 409},
    "close_campaign": {400, 403, 404, 409, 413},  # its body is optional
    "tally": {403, 404},
    "export_csv": {403, 404, 409, 410},  # 410: ?table=responses, gone (counts only)
    "export_xlsx": {403, 404, 409},
    "list_public_responses": {400, 403, 404, 409},
    "verify_public_response": {400, 403, 404, 409, 413},
    "put_assessment": {400, 403, 404, 413},
    "put_final_grade": {400, 403, 404, 409, 413},
    "get_rating": {400, 403, 404},
    "get_ratings": {400, 403, 404},
}


@pytest.fixture
def doc(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and "Authorization" not in answer.request.headers
    return answer.get_json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def served_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield path, method.lower(), rule.endpoint.removeprefix("api.")


def test_every_served_route_is_documented_with_every_status_it_can_answer(app, doc):
    documented = {(path, method): op for path, method, op in operations(doc)}
    served = set()
    for path, method, endpoint in served_routes(app):
        served.add((path, method))
        operation = documented.get((path, method))
        assert operation is not None, f"{method} {path} is served but not documented"
        assert operation["operationId"] == endpoint
        statuses = {int(status) for status in operation["responses"]}
        if endpoint == "openapi":
            assert statuses == {200} and operation["security"] == []
            continue
        success = {s for s in statuses if s < 300}
        assert len(success) == 1, endpoint
        assert statuses - success == {401, *REFUSALS[endpoint]}, endpoint
        for status in statuses - success:
            schema = operation["responses"][str(status)]["content"]["application/json"]
            assert schema["schema"]["$ref"].endswith("/Error")
    assert served == set(documented)
    assert set(REFUSALS) | {"openapi"} == {op["operationId"] for _, _, op in operations(doc)}


def test_each_route_answers_401_and_413_as_documented(client, doc, make, db):
    committee, first, _, _ = make.tree()
    admin = make.user("root", "admin")
    poll = closed_poll_with_a_complaint(make, db, first)
    ids = {
        "campaign_id": poll.id,
        "organisation_id": first.id,
        "response_id": campaigns_responses(db, poll)[0],
        "appraisee_id": 1,
        "year": 2026,
    }
    for path, method, operation in operations(doc):
        if operation.get("security") == []:
            continue
        url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        anonymous = client.open(url, method=method)
        assert anonymous.status_code == 401 and "401" in operation["responses"], url
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        if "requestBody" in operation:
            huge = client.open(
                url,
                method=method,
                data=b'{"x": "' + b"a" * 70_000 + b'"}',
                content_type="application/json",
                headers=bearer(admin),
            )
            assert huge.status_code == 413 and "413" in operation["responses"], url
            assert huge.get_json()["error"]["code"] == "request_entity_too_large"


def test_the_document_lists_no_choice_the_server_refuses(doc):
    listing = doc["paths"]["/public-responses"]["get"]["parameters"]
    choice = next(p for p in listing if p["name"] == "choice")
    assert choice["schema"]["enum"] == ["dissatisfied"]


def test_links_lead_from_created_ids_to_the_routes_that_use_them(doc):
    by_id = {op["operationId"]: (path, op) for path, _, op in operations(doc)}
    created = by_id["create_campaign"][1]["responses"]["201"]["links"]
    assert set(created) >= {"get_campaign", "generate_ballots", "open_campaign", "tally"}
    organisation = by_id["create_organisation"][1]["responses"]["201"]["links"]
    assert set(organisation) == {"get_organisation", "put_assessment", "get_rating"}
    for _, _, operation in operations(doc):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                path = by_id[link["operationId"]][0]
                for name in link["parameters"]:
                    assert "{" + name + "}" in path, (link, path)


# --- every documented example and enum value is accepted -------------------------------


@pytest.fixture
def world(make):
    return build_world(make)


def build_world(make):
    committee, first, second, _ = make.tree()
    poll = make.campaign(first, kind="public_satisfaction", status="draft")
    review = make.campaign(second, status="draft")
    masses = make.campaign(second, kind="masses_meeting", status="draft")
    roll(make, first, 3)  # a member appraisal is made from the branch's roll
    return {
        "committee": committee,
        "first": first,
        "poll": poll,
        "review": review,
        "masses": masses,
        "admin": make.user("root", "admin"),
        "reviewer": make.user("reviewer", "reviewer", committee),
    }


def closed_poll_with_a_complaint(make, db, branch):
    poll = make.campaign(branch, kind="public_satisfaction")
    answer(
        db.session,
        poll,
        {poll.headline.id: "dissatisfied"},
        reason="太慢",
        geo="unknown",
        device="d1",
        ip_hash="i",
        ua_hash="u",
    )
    make.close(poll)
    return poll


def request_for(schema_name, body, world, make, db):
    """(method, url, user) that takes ``body`` of ``schema_name``, ids filled in."""
    body = copy.deepcopy(body)
    if schema_name == "OrganisationBody":
        body["parent_id"] = world["committee"].id
        return "post", "/api/v1/organisations", body
    if schema_name == "CampaignBody":
        body["organisation_id"] = world["first"].id
        return "post", "/api/v1/campaigns", body
    if schema_name == "BallotsBody":
        member = body.get("class") in ("full", "probationary")
        campaign = world["review"] if member else world["poll"]
        if body.get("class") == "representative":  # 群众代表 at the report meeting
            campaign = world["masses"]
        return "post", f"/api/v1/campaigns/{campaign.id}/ballots", body
    if schema_name == "PaperBallotBody":
        from survey.models import Ballot

        review = make.campaign(world["first"])  # open: paper ballots are entered while open
        card = make.ballots(review, 1)[0]
        db.session.query(Ballot).filter_by(id=card.id).update({"code": "7KD2QX9M"})
        db.session.commit()
        return "post", f"/api/v1/campaigns/{review.id}/paper-ballots", body
    if schema_name == "AssessmentBody":
        return "put", f"/api/v1/organisations/{world['first'].id}/assessments/2026", body
    if schema_name == "FinalGradeBody":
        campaign = make.campaign(world["first"], kind="member_appraisal", title="民主评议党员")
        make.close(campaign)
        appraisee = int(campaign.questions[0].key.removeprefix("m_"))
        path = f"/api/v1/campaigns/{campaign.id}/appraisees/{appraisee}/final-grade"
        return "put", path, body
    if schema_name == "VerificationBody":
        poll = closed_poll_with_a_complaint(make, db, world["first"])
        rid = campaigns_responses(db, poll)[0]
        return "post", f"/api/v1/public-responses/{rid}/verification", body
    raise LookupError(schema_name)


def campaigns_responses(db, poll):
    from survey.models import Complaint

    return [r.id for r in db.session.query(Complaint).filter_by(campaign_id=poll.id)]


def user_for(schema_name, world):
    reviewers = ("AssessmentBody", "VerificationBody", "FinalGradeBody")
    return world["reviewer"] if schema_name in reviewers else world["admin"]


@pytest.mark.parametrize("schema_name", sorted(EXAMPLES))
def test_every_documented_example_is_accepted(client, doc, world, make, db, schema_name):
    documented = [
        op["requestBody"]["content"]["application/json"]
        for _, _, op in operations(doc)
        if "requestBody" in op
    ]
    example = next(
        c["example"] for c in documented if c["schema"]["$ref"].endswith("/" + schema_name)
    )
    method, url, body = request_for(schema_name, example, world, make, db)
    answer = client.open(
        url, method=method, json=body, headers=bearer(user_for(schema_name, world))
    )
    assert answer.status_code in (200, 201), answer.get_json()


def enum_fields(doc, schema, path=()):
    """(path, values) of every enum in a body schema, following $refs and list items."""
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        yield path, [v for v in schema["enum"] if v is not None]
    for name, inner in schema.get("properties", {}).items():
        yield from enum_fields(doc, inner, (*path, name))
    if "items" in schema:
        yield from enum_fields(doc, schema["items"], (*path, 0))
    for inner in schema.get("allOf", []) + schema.get("anyOf", []):
        yield from enum_fields(doc, inner, path)


def with_value(example, path, value):
    body = copy.deepcopy(example)
    set_in(body, path, value)
    return body


def set_in(target, path, value):
    """Set ``value`` at ``path``; a list keeps only its first item (made when absent)."""
    key, rest = path[0], path[1:]
    if not rest:
        if isinstance(key, int):
            target[:] = [value]
        else:
            target[key] = value
        return
    if isinstance(key, int):
        del target[1:]
        if not target:
            target.append([] if isinstance(rest[0], int) else {})
        set_in(target[0], rest, value)
    else:
        if target.get(key) is None:
            target[key] = [] if isinstance(rest[0], int) else {}
        set_in(target[key], rest, value)


def body_enums(doc):
    for _, _, operation in operations(doc):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content:
            name = content["schema"]["$ref"].rsplit("/", 1)[1]
            for path, values in enum_fields(doc, content["schema"]):
                for value in values:
                    yield name, content["example"], path, value


def test_every_documented_enum_value_of_a_body_is_accepted(client, doc, make, db):
    probes = list(body_enums(doc))
    assert {(name, path[0]) for name, _, path, _ in probes} >= {
        ("CampaignBody", "kind"),
        ("CampaignBody", "geofence"),
        ("BallotsBody", "class"),
        ("OrganisationBody", "domain"),
        ("OrganisationBody", "kind"),
        ("AssessmentBody", "organisation_grade"),
        ("AssessmentBody", "exclusions"),
        ("AssessmentBody", "named_stars"),
        ("VerificationBody", "result"),
        ("FinalGradeBody", "grade"),
    }
    world = build_world(make)
    for name, example, path, value in probes:
        body = with_value(example, path, value)
        if name == "OrganisationBody" and body["kind"] == "committee":
            body.pop("service_area")
        method, url, body = request_for(name, body, world, make, db)
        answer = client.open(url, method=method, json=body, headers=bearer(user_for(name, world)))
        assert answer.status_code in (200, 201), (name, path, value, answer.get_json())


# --- answers carry every key their service returns ------------------------------------


def test_answers_carry_every_key_of_the_services(client, app, make, db):
    committee, first, _, _ = make.tree()
    reviewer = make.user("reviewer", "reviewer", committee)
    headers = bearer(reviewer)
    poll = closed_poll_with_a_complaint(make, db, first)
    tally = client.get(f"/api/v1/campaigns/{poll.id}/tally", headers=headers).get_json()
    expected = campaigns.tally(db.session, poll, small_group=app.config["SMALL_GROUP_THRESHOLD"])
    assert tally == json.loads(json.dumps(expected))
    assert {"dissatisfied_raw", "geo", "questions", "counts"} <= set(tally)

    saved = client.put(
        f"/api/v1/organisations/{first.id}/assessments/2026", json=GOOD_ASSESSMENT, headers=headers
    ).get_json()
    assert saved["social"] == GOOD_ASSESSMENT["social"] and saved["entered_by"] == "api:reviewer"
    answer = client.get(f"/api/v1/organisations/{first.id}/rating?year=2026", headers=headers)
    db.session.rollback()  # read what the API wrote, not the test's older snapshot
    assert answer.get_json() == json.loads(
        json.dumps(rating.rate_branch(db.session, first, 2026).to_dict())
    )
    summary = client.get(f"/api/v1/ratings?committee_id={committee.id}&year=2026", headers=headers)
    assert summary.get_json() == json.loads(
        json.dumps(rating.committee_summary(db.session, committee, 2026))
    )
    listed = client.get(f"/api/v1/public-responses?campaign_id={poll.id}", headers=headers)
    (item,) = listed.get_json()["items"]
    assert set(item) == {"id", "choice", "reason", "verification"} and item["reason"] == "太慢"
