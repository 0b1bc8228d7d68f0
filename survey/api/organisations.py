"""/api/v1/organisations"""

from __future__ import annotations

from flask import g

from survey import audit
from survey.api import bp
from survey.api.util import (
    actor,
    body,
    boolean,
    integer,
    iso_date,
    load_organisation,
    number,
    require_role,
    text,
)
from survey.api.util import choice as one_of
from survey.database import transactional
from survey.errors import Invalid
from survey.extensions import db
from survey.models import Organisation
from survey.models.organisation import ORGANISATION_KINDS


def organisation_json(org: Organisation) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind,
        "parent_id": org.parent_id,
        "domain": org.domain,
        "founded_on": org.founded_on.isoformat() if org.founded_on else None,
        "public_facing": org.public_facing,
        "weak": org.weak,
        "service_area": org.service_area(),
        "scheme": org.scheme,
    }


@bp.post("/organisations")
@transactional
def create_organisation():
    data = body()
    user = g.api_user
    parent_id = integer(data, "parent_id", required=False)
    require_role("reviewer")
    if parent_id is None and user.role != "admin":
        raise Invalid("parent_id is required", field="parent_id")
    parent = load_organisation(parent_id) if parent_id is not None else None
    if parent is not None and parent.kind != "committee":
        raise Invalid("the parent must be a committee", field="parent_id")
    org = Organisation(
        name=text(data, "name"),
        kind=one_of(data, "kind", ORGANISATION_KINDS),
        parent_id=parent_id,
        domain=text(data, "domain", required=False, max_length=32),
        founded_on=iso_date(data, "founded_on"),
        public_facing=boolean(data, "public_facing", True),
        weak=boolean(data, "weak", False),
    )
    area = data.get("service_area")
    if area is not None:
        if not isinstance(area, dict):
            raise Invalid(
                "service_area must be an object {lat, lon, radius_m}", field="service_area"
            )
        org.service_lat = number(area, "lat", -90, 90)
        org.service_lon = number(area, "lon", -180, 180)
        org.service_radius_m = integer(area, "radius_m", low=1, high=1_000_000)
    db.session.add(org)
    db.session.flush()
    audit.record(db.session, actor(), "organisation.create", org, name=org.name)
    return organisation_json(org), 201


@bp.get("/organisations/<int:organisation_id>")
def get_organisation(organisation_id: int):
    return organisation_json(load_organisation(organisation_id))
