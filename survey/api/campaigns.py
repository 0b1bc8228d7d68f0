"""/api/v1/campaigns: create, ballots, open, close, tally, export."""

from __future__ import annotations

from flask import Response, current_app

from survey import ballots, campaigns, codes, exports
from survey.api import bp
from survey.api.util import (
    absolute,
    actor,
    body,
    external_url,
    integer,
    load_campaign,
    load_organisation,
    text,
)
from survey.api.util import choice as one_of
from survey.database import transactional
from survey.errors import Conflict, Invalid
from survey.extensions import db
from survey.security import ballot_token

MAX_QUESTIONS = 12


def campaign_json(campaign) -> dict:
    data = {
        "id": campaign.id,
        "organisation_id": campaign.organisation_id,
        "kind": campaign.kind,
        "year": campaign.year,
        "title": campaign.title,
        "status": campaign.status,
        "geofence": campaign.geofence,
        "eligible_full": campaign.eligible_full,
        "eligible_probationary": campaign.eligible_probationary,
        "questions": [{"key": q.key, "prompt": q.prompt} for q in campaign.questions],
    }
    if campaign.slug:
        data["public_url"] = absolute(f"/p/{campaign.slug}")
    return data


def _extra_questions(data: dict) -> list[tuple[str, str]]:
    items = data.get("questions", [])
    if not isinstance(items, list) or len(items) > MAX_QUESTIONS:
        raise Invalid(f"questions must be a list of at most {MAX_QUESTIONS}", field="questions")
    extra = []
    for item in items:
        if not isinstance(item, dict):
            raise Invalid("each question is an object {key, prompt}", field="questions")
        key = text(item, "key", max_length=40)
        if not key.replace("_", "").isalnum() or not key.isascii():
            raise Invalid("a question key is letters, digits and _", field="questions")
        extra.append((key, text(item, "prompt", max_length=500)))
    return extra


@bp.post("/campaigns")
@transactional
def create_campaign():
    data = body()
    organisation = load_organisation(integer(data, "organisation_id"))
    campaign = campaigns.create_campaign(
        db.session,
        actor(),
        organisation,
        kind=one_of(data, "kind", ("member_review", "public_satisfaction")),
        year=integer(data, "year", low=2000, high=2100),
        title=text(data, "title"),
        geofence=one_of(data, "geofence", campaigns.GEOFENCES, default="off"),
        eligible_full=integer(data, "eligible_full", required=False, low=0, high=100_000),
        eligible_probationary=integer(
            data, "eligible_probationary", required=False, low=0, high=100_000
        ),
        extra_questions=_extra_questions(data),
    )
    return campaign_json(campaign), 201


@bp.get("/campaigns/<int:campaign_id>")
def get_campaign(campaign_id: int):
    return campaign_json(load_campaign(campaign_id))


@bp.post("/campaigns/<int:campaign_id>/ballots")
@transactional
def generate_ballots(campaign_id: int):
    campaign = load_campaign(campaign_id)
    data = body()
    default_class = "full" if campaign.kind == "member_review" else "resident"
    issued = ballots.generate_ballots(
        db.session,
        actor(),
        campaign,
        integer(data, "count", low=1, high=ballots.MAX_BATCH),
        data.get("class", default_class),
    )
    items = [
        {
            "url": external_url("public.ballot", token=ballot_token(b.id)),
            "code": codes.display(b.code),
            "class": b.ballot_class,
        }
        for b in issued
    ]
    return {"ballots": items}, 201


@bp.post("/campaigns/<int:campaign_id>/open")
@transactional
def open_campaign(campaign_id: int):
    campaign = load_campaign(campaign_id)
    campaigns.open_campaign(db.session, actor(), campaign)
    return {"id": campaign.id, "status": campaign.status}


@bp.post("/campaigns/<int:campaign_id>/close")
@transactional
def close_campaign(campaign_id: int):
    campaign = load_campaign(campaign_id)
    campaigns.close_campaign(
        db.session, actor(), campaign, current_app.config["SMALL_GROUP_THRESHOLD"]
    )
    return {"id": campaign.id, "status": campaign.status, "sha256": campaign.snapshot_sha256}


@bp.get("/campaigns/<int:campaign_id>/tally")
def tally(campaign_id: int):
    campaign = load_campaign(campaign_id)
    return campaigns.tally(
        db.session, campaign, small_group=current_app.config["SMALL_GROUP_THRESHOLD"]
    )


EXPORTS = {
    "csv": (exports.campaign_csv, "text/csv"),
    "xlsx": (
        exports.campaign_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


@bp.get("/campaigns/<int:campaign_id>/export.csv", defaults={"fmt": "csv"})
@bp.get("/campaigns/<int:campaign_id>/export.xlsx", defaults={"fmt": "xlsx"})
def export(campaign_id: int, fmt: str):
    campaign = load_campaign(campaign_id)
    if campaign.status != "closed":
        raise Conflict("results are exported once the campaign is closed")
    write, mimetype = EXPORTS[fmt]
    content = write(db.session, campaign, current_app.config["SMALL_GROUP_THRESHOLD"])
    filename = f"campaign-{campaign.id}.{fmt}"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
