"""/api/v1/public-responses: the complaint queue and its verification (reviewers)."""

from __future__ import annotations

from flask import g, request

from survey import complaints, polls
from survey.api import bp
from survey.api.util import actor, body, load_campaign
from survey.converters import parse_id
from survey.database import transactional
from survey.errors import Forbidden, Invalid
from survey.extensions import db


def _reviewer_only() -> None:
    if g.api_user.role not in ("reviewer", "admin"):
        raise Forbidden("complaints are verified by reviewers")


@bp.get("/public-responses")
def list_public_responses():
    _reviewer_only()
    campaign_id = parse_id(request.args.get("campaign_id"))
    if campaign_id is None:
        raise Invalid("campaign_id must be an integer", field="campaign_id")
    campaign = load_campaign(campaign_id)
    if campaign.kind != polls.KIND:
        raise Invalid("campaign_id must be a public satisfaction poll", field="campaign_id")
    choice = request.args.get("choice", complaints.COMPLAINT)
    if choice != complaints.COMPLAINT:
        # Only complaints are verified; listing other answers would only give away, while a
        # poll is open, how each new answer went.
        raise Invalid("only choice=dissatisfied is listed", field="choice")
    items = complaints.list_answers(db.session, campaign, choice)
    return {"items": items}


@bp.post("/public-responses/<response_id>/verification")
@transactional
def verify_public_response(response_id: str):
    _reviewer_only()
    response = complaints.load_response(db.session, response_id)
    load_campaign(response.campaign_id)  # scope: a response of a foreign campaign is 404
    data = body()
    item = complaints.verify(db.session, actor(), response, data.get("result"), data.get("note"))
    return item
