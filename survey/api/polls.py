"""/api/v1/public-responses: the complaint queue and its verification (reviewers)."""

from __future__ import annotations

from functools import wraps

from flask import g

from survey.api import answers, schemas
from survey.api.blueprint import bp
from survey.api.util import actor, body, load_campaign, refusals
from survey.core.errors import Invalid
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.polls import complaints
from survey.staff import access
from survey.staff.access import Action


@bp.route("/public-responses")
@refusals(400, 403, 404, 409)
@bp.response(200, answers.PublicResponses)
@bp.arguments(schemas.PublicResponsesQuery, location="query")
def list_public_responses(query: dict):
    """The complaints of a closed poll or 群众代表 meeting, with reason and verification (reviewers)

    Ordered by the random response id. Only `dissatisfied` answers are listed: listing
    others would only tell how each answer went.
    """
    campaign = load_campaign(query["campaign_id"])
    access.require(g.api_user, Action.VERIFY_COMPLAINTS)
    if campaign.kind not in complaints.JUDGED_KINDS:
        raise Invalid(
            "campaign_id must be a public satisfaction poll or a masses_meeting",
            field="campaign_id",
        )
    return {"items": complaints.list_answers(db.session, campaign, query["choice"])}


def _response_in_scope(view):
    """The path's response (404 outside scope), then the role (403), before the body."""

    @wraps(view)
    def wrapped(*args, response_id: str, **kwargs):
        response = complaints.load_response(db.session, response_id)
        load_campaign(response.campaign_id)  # a response of a foreign campaign is 404
        access.require(g.api_user, Action.VERIFY_COMPLAINTS)
        return view(*args, response=response, **kwargs)

    return wrapped


@bp.route("/public-responses/<response_id>/verification", methods=["POST"])
@refusals(400, 403, 404, 409, 413)
@bp.response(200, answers.PublicResponse)
@_response_in_scope
@body(schemas.VerificationBody)
@transactional
def verify_public_response(data: dict, response):
    """Mark a dissatisfied answer verified or unfounded, with a note (audited; reviewers)"""
    return complaints.verify(db.session, actor(), response, data["result"], data["note"])
