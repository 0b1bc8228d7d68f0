"""/api/v1: assessments, a branch's rating, a committee's summary."""

from __future__ import annotations

from flask import g

from survey import rating
from survey.api import answers, schemas
from survey.api.blueprint import bp
from survey.api.util import actor, body, load_organisation, refusals, with_organisation
from survey.core import replica
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.models import Organisation
from survey.rating import assessments
from survey.staff import access
from survey.staff.access import Action


@bp.route(
    "/organisations/<int:organisation_id>/assessments/<year:year>",
    methods=["PUT"],
)
@refusals(400, 403, 404, 413)
@bp.response(200, answers.Assessment)
@with_organisation(Action.ASSESS)
@body(schemas.AssessmentBody)
@transactional
def put_assessment(data: dict, organisation: Organisation, year: int):
    """Enter or replace the year's assessment of a branch (reviewers)

    An exclusion revokes the titles it concerns.
    """
    saved = assessments.save_assessment(db.session, actor(), organisation, year, data)
    return assessments.assessment_json(saved)


@bp.route("/organisations/<int:organisation_id>/rating")
@refusals(400, 403, 404)
@bp.response(200, answers.Rating)
@with_organisation(Action.READ_RATINGS)
@bp.arguments(schemas.RatingQuery, location="query")
def get_rating(query: dict, organisation: Organisation):
    """A branch's rating, criterion by criterion with its source clause"""
    year, scheme = query["year"], query.get("scheme")
    rated, _fresh = replica.read(lambda s: rating.rate_branch(s, organisation, year, scheme))
    return rated.to_dict()


@bp.route("/ratings")
@refusals(400, 403, 404)
@bp.response(200, answers.Summary)
@bp.arguments(schemas.RatingsQuery, location="query")
def get_ratings(query: dict):
    """A committee's summary: each branch's verdict, the target, the recommended list"""
    committee = load_organisation(query["committee_id"])
    access.require(g.api_user, Action.READ_SUMMARIES)
    year, scheme = query["year"], query.get("scheme")
    summary, _fresh = replica.read(lambda s: rating.committee_summary(s, committee, year, scheme))
    return summary
