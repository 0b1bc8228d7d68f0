"""/api/v1/organisations: created by admins through the accounts service, read in scope."""

from __future__ import annotations

from survey.api import answers, schemas
from survey.api.blueprint import bp
from survey.api.util import actor, body, load_organisation, refusals, requires, with_organisation
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.models import Organisation
from survey.staff import accounts
from survey.staff.access import Action


def organisation_json(org: Organisation) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind,
        "parent_id": org.parent_id,
        "domain": org.domain,
        "founded_on": org.founded_on,
        "public_facing": org.public_facing,
        "weak": org.weak,
        "service_area": org.service_area(),
        "scheme": org.scheme,
    }


@bp.route("/organisations", methods=["POST"])
@refusals(400, 403, 404, 413)
@bp.response(201, answers.Organisation)
@requires(Action.MANAGE_ORGANISATIONS)
@body(schemas.OrganisationBody)
@transactional
def create_organisation(data: dict):
    """Create a committee or a branch (admins)

    A branch hangs under a committee (`parent_id`); only committees have organisations
    below them.
    """
    parent_id = data.get("parent_id")
    area = data.get("service_area")
    organisation = accounts.create_organisation(
        db.session,
        actor(),
        name=data["name"],
        kind=data["kind"],
        parent=load_organisation(parent_id) if parent_id is not None else None,
        domain=data.get("domain"),
        founded_on=data.get("founded_on"),
        public_facing=data["public_facing"],
        weak=data["weak"],
        service_area=(area["lat"], area["lon"], area["radius_m"]) if area else None,
    )
    return organisation_json(organisation), 201


@bp.route("/organisations/<int:organisation_id>")
@refusals(404)
@bp.response(200, answers.Organisation)
@with_organisation()
def get_organisation(organisation: Organisation):
    """An organisation in the token's scope"""
    return organisation_json(organisation)
