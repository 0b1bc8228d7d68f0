"""The public OpenAPI 3 document, generated from the routes' own schemas and refusals.

flask-smorest collects what each route declares; this module serves the result at
/api/v1/openapi.json with what a declaration cannot say: the Bearer scheme, an
operationId per route (its endpoint name) and the links between operations, so that a
client -- or a stateful fuzzer -- can follow a created id to the routes that use it.
"""

from __future__ import annotations

from flask import current_app
from flask_smorest import Api
from flask_smorest.spec.plugins import FlaskPlugin

from survey.api import answers, schemas
from survey.api.blueprint import bp

EXTENSION = "survey.openapi"
BODY_ID = "$response.body#/id"
# operation -> (status, [(target operation, its parameter, where the value comes from)])
LINKS = {
    "create_organisation": (
        "201",
        [
            (target, "organisation_id", BODY_ID)
            for target in ("get_organisation", "put_assessment", "get_rating")
        ],
    ),
    "create_campaign": (
        "201",
        [
            (target, "campaign_id", BODY_ID)
            for target in (
                "get_campaign",
                "generate_ballots",
                "open_campaign",
                "close_campaign",
                "tally",
                "export_csv",
                "export_xlsx",
            )
        ],
    ),
    "open_campaign": (
        "200",
        [(target, "campaign_id", BODY_ID) for target in ("close_campaign", "tally")],
    ),
    "close_campaign": (
        "200",
        [(target, "campaign_id", BODY_ID) for target in ("tally", "export_csv", "export_xlsx")],
    ),
    "list_public_responses": (
        "200",
        [("verify_public_response", "response_id", "$response.body#/items/0/id")],
    ),
}


class ContractApi(Api):
    """flask-smorest's spec builder only: the document is served by the route below, and
    every error is answered by survey/core/error_pages.py, not by smorest's own handler."""

    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = answers.Error

    def _register_doc_blueprint(self):
        pass

    def _register_error_handlers(self):
        pass


class PrefixedPaths(FlaskPlugin):
    """Paths relative to the server URL (/api/v1), as clients read them."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def path_helper(self, rule, operations, parameters, **kwargs):
        path = super().path_helper(rule, operations, parameters, **kwargs)
        return path.removeprefix(self.prefix)


def build_document(state) -> None:
    """Called once when the app registers the blueprint, after every route is recorded."""
    app, prefix = state.app, state.url_prefix or ""
    api = ContractApi(
        spec_kwargs={
            "title": "Branch review API",
            "version": "1",
            "openapi_version": "3.0.3",
            "flask_plugin": PrefixedPaths(prefix),
            "servers": [{"url": prefix}],
            "security": [{"bearer": []}],
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    # the close's optional body, parsed by hand (survey/api/campaigns.py ``_close_body``)
    api.spec.components.schema("CloseBody", schema=schemas.CloseBody)
    bp.register_views_in_doc(api, app, api.spec, name=bp.name, parameters=None)
    document = api.spec.to_dict()
    operations = _name_operations(app, document, prefix)
    _add_links(document, operations)
    app.extensions[EXTENSION] = document


def _name_operations(app, document: dict, prefix: str) -> dict[str, dict]:
    operations = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(f"{bp.name}."):
            continue
        path = FlaskPlugin.flaskpath2openapi(rule.rule).removeprefix(prefix)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"][path][method.lower()]
            operation["operationId"] = rule.endpoint.removeprefix(f"{bp.name}.")
            operations[operation["operationId"]] = operation
    return operations


def _add_links(document: dict, operations: dict[str, dict]) -> None:
    for source, (status, targets) in LINKS.items():
        links = operations[source]["responses"][status].setdefault("links", {})
        for target, parameter, expression in targets:
            if target not in operations:
                raise LookupError(f"the link {source} -> {target} names no operation")
            links[target] = {"operationId": target, "parameters": {parameter: expression}}


@bp.route("/openapi.json")
@bp.response(200, description="this document (public, no token)")
@bp.doc(security=[])
def openapi():
    """The OpenAPI 3 document of this API"""
    return current_app.extensions[EXTENSION]
