"""/api/v1: assessments, a branch's rating, a committee's summary."""

from __future__ import annotations

from flask import request

from survey import assessments, ratings
from survey.api import bp
from survey.api.util import actor, body, load_organisation, require_role
from survey.errors_domain import Invalid
from survey.extensions import db


def _year(value: str | None) -> int:
    if value is None or not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise Invalid("year=YYYY is required", field="year")
    return int(value)


@bp.put("/organisations/<int:organisation_id>/assessments/<int:year>")
def put_assessment(organisation_id: int, year: int):
    require_role("reviewer")
    branch = load_organisation(organisation_id)
    saved = assessments.save_assessment(db.session, actor(), branch, year, body())
    db.session.commit()
    return assessments.assessment_json(saved)


@bp.get("/organisations/<int:organisation_id>/rating")
def get_rating(organisation_id: int):
    branch = load_organisation(organisation_id)
    year = _year(request.args.get("year"))
    rating = ratings.rate_branch(db.session, branch, year, request.args.get("scheme"))
    return rating.to_dict()


@bp.get("/ratings")
def get_ratings():
    committee_id = request.args.get("committee_id", "")
    if not committee_id.isdigit():
        raise Invalid("committee_id is required", field="committee_id")
    committee = load_organisation(int(committee_id))
    year = _year(request.args.get("year"))
    return ratings.committee_summary(db.session, committee, year, request.args.get("scheme"))
