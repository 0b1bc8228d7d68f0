"""The public OpenAPI 3 document of what /api/v1 serves."""

from __future__ import annotations

from survey import rules
from survey.api import bp

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(summary: str, ok: str, body: dict | None = None, params: list | None = None) -> dict:
    status = ok.split()[0]
    op = {
        "summary": summary,
        "responses": {
            status: {"description": ok},
            "401": {"description": "missing or invalid token", "content": _json(ERROR)},
            "404": {"description": "unknown or not visible", "content": _json(ERROR)},
        },
    }
    if body:
        op["requestBody"] = {"required": True, "content": _json(body)}
        op["responses"]["400"] = {"description": "invalid body", "content": _json(ERROR)}
    if params:
        op["parameters"] = params
    return op


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _obj(required: list[str], **props) -> dict:
    return {"type": "object", "required": required, "properties": props}


INT, STR, BOOL = {"type": "integer"}, {"type": "string"}, {"type": "boolean"}
CAMPAIGN_ID = {"name": "campaign_id", "in": "path", "required": True, "schema": INT}
ORGANISATION_BODY = _obj(
    ["name", "kind"],
    name=STR,
    kind={"enum": ["committee", "branch"]},
    parent_id=INT,
    domain=STR,
    founded_on={"type": "string", "format": "date"},
    public_facing=BOOL,
    weak=BOOL,
    service_area=_obj(
        ["lat", "lon", "radius_m"], lat={"type": "number"}, lon={"type": "number"}, radius_m=INT
    ),
)
CAMPAIGN_BODY = _obj(
    ["organisation_id", "year", "kind", "title"],
    organisation_id=INT,
    year=INT,
    kind={"enum": ["member_review", "public_satisfaction"]},
    title=STR,
    geofence={"enum": ["off", "flag", "require"]},
    eligible_full=INT,
    eligible_probationary=INT,
    questions={"type": "array", "items": _obj(["key", "prompt"], key=STR, prompt=STR)},
)
BALLOTS_BODY = _obj(
    ["count"], count=INT, **{"class": {"enum": ["full", "probationary", "resident"]}}
)

ORGANISATION_ID = {"name": "organisation_id", "in": "path", "required": True, "schema": INT}
YEAR_QUERY = {"name": "year", "in": "query", "required": True, "schema": INT}
SCHEME_QUERY = {
    "name": "scheme",
    "in": "query",
    "required": False,
    "schema": {"enum": list(rules.SCHEMES)},
}
ASSESSMENT_BODY = _obj(
    [],
    organisation_grade={"enum": [*rules.GRADES, None]},
    score=INT,
    social={
        "type": "array",
        "items": _obj(["department", "negative"], department=STR, negative=BOOL, note=STR),
    },
    exclusions={
        "type": "array",
        "items": _obj(
            ["key"],
            key={
                "enum": [
                    "accountability",
                    "negative_publicity",
                    "leader_disciplined",
                    "leader_investigated",
                    "directive_failure",
                    "other",
                ]
            },
            note=STR,
        ),
    },
    volunteers=INT,
    serving_members=INT,
    volunteer_activities=INT,
    stars=INT,
    named_stars={
        "type": "array",
        "items": {"enum": ["strong_leadership", "harmony_stability", "public_satisfaction"]},
    },
)

PATHS = {
    "/organisations": {"post": _op("Create an organisation", "201 created", ORGANISATION_BODY)},
    "/organisations/{organisation_id}": {
        "get": _op(
            "An organisation",
            "200 the organisation",
            params=[{"name": "organisation_id", "in": "path", "required": True, "schema": INT}],
        )
    },
    "/organisations/{organisation_id}/assessments/{year}": {
        "put": _op(
            "Enter or replace the reviewer's assessment (reviewers)",
            "200 the assessment",
            ASSESSMENT_BODY,
            [ORGANISATION_ID, {"name": "year", "in": "path", "required": True, "schema": INT}],
        )
    },
    "/organisations/{organisation_id}/rating": {
        "get": _op(
            "A branch's rating, criterion by criterion with its source clause",
            "200 {verdict, scheme, criteria}",
            params=[ORGANISATION_ID, YEAR_QUERY, SCHEME_QUERY],
        )
    },
    "/ratings": {
        "get": _op(
            "A committee's summary",
            "200 {branches, eligible_share, target, recommended}",
            params=[
                {"name": "committee_id", "in": "query", "required": True, "schema": INT},
                YEAR_QUERY,
                SCHEME_QUERY,
            ],
        )
    },
    "/campaigns": {"post": _op("Create a campaign (draft)", "201 created", CAMPAIGN_BODY)},
    "/campaigns/{campaign_id}": {
        "get": _op("A campaign", "200 the campaign", params=[CAMPAIGN_ID])
    },
    "/campaigns/{campaign_id}/ballots": {
        "post": _op(
            "Generate one-time ballots", "201 {ballots: [{url, code}]}", BALLOTS_BODY, [CAMPAIGN_ID]
        )
    },
    "/campaigns/{campaign_id}/open": {
        "post": _op("Open voting", "200 {id, status}", params=[CAMPAIGN_ID])
    },
    "/campaigns/{campaign_id}/close": {
        "post": _op(
            "Close voting and seal the result", "200 {id, status, sha256}", params=[CAMPAIGN_ID]
        )
    },
    "/campaigns/{campaign_id}/tally": {
        "get": _op(
            "Turnout, and counts once closed",
            "200 {id, status, issued, cast, void, counts}",
            params=[CAMPAIGN_ID],
        )
    },
    "/campaigns/{campaign_id}/export.xlsx": {
        "get": _op(
            "The same as an Excel workbook (sheets tally and responses)",
            "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            params=[CAMPAIGN_ID],
        )
    },
    "/campaigns/{campaign_id}/export.csv": {
        "get": _op(
            "Tally and anonymous responses (closed campaigns)", "200 text/csv", params=[CAMPAIGN_ID]
        )
    },
}
RESPONSE_ID = {"name": "response_id", "in": "path", "required": True, "schema": STR}
VERIFICATION_BODY = _obj(["result", "note"], result={"enum": ["verified", "unfounded"]}, note=STR)
PATHS["/public-responses"] = {
    "get": _op(
        "Headline answers of a public poll with reason and verification (reviewers)",
        "200 {items: [{id, choice, reason, verification}]}",
        params=[
            {"name": "campaign_id", "in": "query", "required": True, "schema": INT},
            {
                "name": "choice",
                "in": "query",
                "schema": {"enum": ["dissatisfied", "basically_satisfied", "satisfied"]},
            },
        ],
    )
}
PATHS["/public-responses/{response_id}/verification"] = {
    "post": _op(
        "Mark a dissatisfied answer verified or unfounded, with a note (audited)",
        "200 {id, choice, reason, verification {result, note, by, at}}",
        VERIFICATION_BODY,
        [RESPONSE_ID],
    )
}


@bp.get("/openapi.json")
def openapi():
    return {
        "openapi": "3.0.3",
        "info": {"title": "Branch review API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": _obj(
                    ["error"], error=_obj(["code", "message"], code=STR, message=STR, field=STR)
                )
            },
        },
        "paths": PATHS,
    }
