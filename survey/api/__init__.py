"""JSON API v1: Bearer tokens, scoping by organisation, JSON errors, one written contract.

The routes are a flask-smorest blueprint: each declares the marshmallow schema of its body
or query (validated at the door, survey/api/door.py), of its answer (dumped through it)
and the refusals it can give; the OpenAPI document is generated from those declarations
(survey/api/openapi.py), so the document and the server cannot drift apart.
"""

from __future__ import annotations

from survey.api import campaigns, openapi, organisations, paper, polls, ratings  # noqa: F401
from survey.api.blueprint import bp

__all__ = ["bp"]

# Last, once every route is recorded: the document is built when the app registers them.
bp.record_once(openapi.build_document)
