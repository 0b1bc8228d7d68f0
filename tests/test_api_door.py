"""JSON at the API's door: anything that is not a well-formed JSON object of the documented
fields is a 400 naming the field, never smorest's 422, never a 500."""

import pytest
from helpers import bearer


@pytest.fixture
def world(make):
    committee, first, _, _ = make.tree()
    return {"committee": committee, "first": first, "admin": make.user("root", "admin")}


def post_campaign(client, world, body=None, **kwargs):
    if body is None:
        body = {
            "organisation_id": world["first"].id,
            "year": 2026,
            "kind": "public_satisfaction",
            "title": "测评",
            **kwargs,
        }
    return client.post("/api/v1/campaigns", json=body, headers=bearer(world["admin"]))


def refused_for_nul(answer, field):
    """The app refuses a NUL before any view, naming where it was (PostgreSQL refuses NUL)."""
    assert answer.status_code == 400, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == "nul_character" and error.get("field") == field, error


def refused(answer, field=None):
    assert answer.status_code == 400, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert error.get("field") == field, error
    return error


@pytest.mark.parametrize(
    "payload", ["[]", "null", '"text"', "5", "true", "{", "", "NaN", '{"a": Infinity}']
)
def test_a_body_that_is_not_a_json_object_is_400(client, world, payload):
    answer = client.post(
        "/api/v1/campaigns",
        data=payload,
        content_type="application/json",
        headers=bearer(world["admin"]),
    )
    refused(answer)


def test_a_body_without_the_json_content_type_is_400(client, world):
    answer = client.post(
        "/api/v1/campaigns", data="organisation_id=1", headers=bearer(world["admin"])
    )
    refused(answer)


@pytest.mark.parametrize("opening", ["[", '{"a":', '{"questions": ['])
def test_a_deeply_nested_body_is_400_not_a_recursion_error(client, world, opening):
    for depth in (60_000 // len(opening), 50):  # as deep as the size limit lets it
        answer = client.post(
            "/api/v1/campaigns",
            data=opening * depth,
            content_type="application/json",
            headers=bearer(world["admin"]),
        )
        refused(answer)


def test_a_valid_but_deep_body_is_400_before_the_schema(client, world):
    nested = {"x": 1}
    for _ in range(40):
        nested = {"x": nested}
    refused(post_campaign(client, world, {"organisation_id": 1, "deep": nested}))


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"title": "a\x00b"}, "title"),
        ({"questions": [{"key": "k", "prompt": "p\x00"}]}, "questions"),
        ({"unknown\x00": "x"}, "unknown"),  # the key named without its NUL
        ({"unknown_field": "\x00"}, "unknown_field"),
    ],
)
def test_a_nul_character_anywhere_in_the_body_is_400_naming_the_field(client, world, extra, field):
    refused_for_nul(post_campaign(client, world, **extra), field)


def test_a_nul_character_in_a_query_is_400_naming_the_parameter(client, world):
    answer = client.get(
        f"/api/v1/organisations/{world['first'].id}/rating?year=2026&scheme=a%00",
        headers=bearer(world["admin"]),
    )
    refused_for_nul(answer, "scheme")


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"unknown_field": 5}, "unknown_field"),
        ({"year": "2026"}, "year"),
        ({"year": 2026.0}, "year"),
        ({"year": True}, "year"),
        ({"year": 1999}, "year"),
        ({"title": "   "}, "title"),
        ({"title": 5}, "title"),
        ({"title": "a\x04b"}, "title"),
        ({"title": "\x0b"}, "title"),
        ({"questions": [{"key": "k\n", "prompt": "p"}]}, "questions"),
        ({"questions": [{"key": "k", "prompt": "p\x85q"}]}, "questions"),
        ({"kind": "member"}, "kind"),
        ({"eligible_full": -1}, "eligible_full"),
        ({"questions": {"key": "k"}}, "questions"),
        ({"questions": [{"key": "with space", "prompt": "p"}]}, "questions"),
        ({"questions": [{"key": "k", "prompt": "p", "extra": 1}]}, "questions"),
    ],
)
def test_invalid_fields_are_400_naming_the_first_bad_one(client, world, extra, field):
    error = refused(post_campaign(client, world, **extra), field)
    assert error["message"].startswith(field)


def test_nested_objects_are_named_by_their_path(client, world):
    body = {
        "name": "x",
        "kind": "branch",
        "parent_id": world["committee"].id,
        "service_area": {"lat": 40, "lon": "111", "radius_m": 10},
    }
    answer = client.post("/api/v1/organisations", json=body, headers=bearer(world["admin"]))
    refused(answer, "service_area.lon")


def test_a_missing_required_field_is_named(client, world):
    refused(post_campaign(client, world, {"year": 2026}), "organisation_id")


def test_a_valid_body_still_passes_the_door(client, world):
    answer = post_campaign(client, world, questions=[{"key": "service", "prompt": "为民服务"}])
    assert answer.status_code == 201
    assert [q["key"] for q in answer.get_json()["questions"]] == ["overall", "service"]


def test_text_keeps_line_breaks_and_tabs(client, world):
    answer = post_campaign(client, world, title="第一行\n第二行\t完")
    assert answer.status_code == 201 and answer.get_json()["title"] == "第一行\n第二行\t完"


def test_a_wrong_method_is_405_naming_the_allowed_ones(client, world):
    answer = client.delete("/api/v1/campaigns", headers=bearer(world["admin"]))
    assert answer.status_code == 405 and "error" in answer.get_json()
    assert "POST" in answer.headers["Allow"]


@pytest.mark.parametrize("year", [1, 1999, 2101])
def test_an_assessment_year_out_of_range_is_404_as_documented(client, world, year):
    url = f"/api/v1/organisations/{world['first'].id}/assessments/{year}"
    assert client.put(url, json={}, headers=bearer(world["admin"])).status_code == 404
