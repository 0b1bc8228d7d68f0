"""/api/v1: assessments, a branch's rating, a committee's summary."""

from __future__ import annotations

from flask import request

from survey import assessments, rating
from survey.api import bp
from survey.api.util import actor, body, load_organisation, require_role
from survey.converters import parse_id, parse_year
from survey.database import transactional
from survey.errors import Invalid
from survey.extensions import db


def _year(value: str | None) -> int:
    year = parse_year(value)
    if year is None:
        raise Invalid("year=YYYY (2000-2100) is required", field="year")
    return year


@bp.put("/organisations/<int:organisation_id>/assessments/<int:year>")
@transactional
def put_assessment(organisation_id: int, year: int):
    require_role("reviewer")
    branch = load_organisation(organisation_id)
    saved = assessments.save_assessment(db.session, actor(), branch, year, body())
    return assessments.assessment_json(saved)


@bp.get("/organisations/<int:organisation_id>/rating")
def get_rating(organisation_id: int):
    branch = load_organisation(organisation_id)
    year = _year(request.args.get("year"))
    branch_rating = rating.rate_branch(db.session, branch, year, request.args.get("scheme"))
    return branch_rating.to_dict()


@bp.get("/ratings")
def get_ratings():
    committee_id = parse_id(request.args.get("committee_id"))
    if committee_id is None:
        raise Invalid("committee_id is required", field="committee_id")
    committee = load_organisation(committee_id)
    year = _year(request.args.get("year"))
    return rating.committee_summary(db.session, committee, year, request.args.get("scheme"))
