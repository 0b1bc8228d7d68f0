"""The API's door: how a JSON body is read, and how a refused one is answered.

flask-smorest validates each body against its marshmallow schema; this parser makes every
refusal a 400 ``{"error": {"code": "invalid", "message", "field"}}`` naming the first bad
field (smorest's default is a 422 of its own shape). Before the schema sees the body, the
door refuses on its own what would otherwise reach the database or the stack: a body that
is not a JSON object, nesting deeper than any schema allows (``[[[[…`` would raise a
RecursionError), and a NUL character in any string (PostgreSQL refuses it in text).
"""

from __future__ import annotations

import json

from flask import request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser, is_json_request

from survey.core.errors import Invalid

MAX_DEPTH = 8  # the deepest schema (social items in an assessment) is 3 levels


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def field_name(path: tuple) -> str | None:
    """A field as a dotted path through objects; an item of a list is named by its list."""
    named = []
    for key in path:
        if isinstance(key, int):
            break
        named.append(str(key).replace("\x00", "\\u0000"))
    return ".".join(named) or None


def _first_nul(data, path: tuple = ()) -> tuple | None:
    """The path of the first string (or key) holding NUL; Invalid when nested too deep."""
    if len(path) > MAX_DEPTH:
        raise Invalid(f"the body is nested deeper than {MAX_DEPTH} levels")
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        if (isinstance(key, str) and "\x00" in key) or (isinstance(value, str) and "\x00" in value):
            return (*path, key)
        if isinstance(value, dict | list):
            inner = _first_nul(value, (*path, key))
            if inner is not None:
                return inner
    return None


def _refuse_nul(data) -> None:
    path = _first_nul(data)
    if path is not None:
        field = field_name(path)
        raise Invalid(f"{field} must not contain the NUL character", field=field)


def read_json_object() -> dict:
    """The request's body as a JSON object, or Invalid (400)."""
    if not is_json_request(request):
        raise Invalid("the body must be a JSON object (Content-Type: application/json)")
    try:
        data = json.loads(request.get_data(cache=True), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise Invalid("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    _refuse_nul(data)
    return data


def first_error(messages, path: tuple = ()) -> tuple[tuple, str]:
    """(path, message) of the first error in marshmallow's nested error messages."""
    if isinstance(messages, dict):
        key, inner = next(iter(messages.items()))
        if key == "_schema":  # the body as a whole (marshmallow's key)
            return first_error(inner, path)
        return first_error(inner, (*path, key))
    if isinstance(messages, list) and messages:
        return first_error(messages[0], path)
    return path, str(messages)


class ContractParser(FlaskParser):
    """webargs' Flask parser with the door above and refusals as the API's 400."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        return read_json_object()

    def load_querystring(self, req, schema):
        _refuse_nul({key: req.args.getlist(key) for key in req.args})
        return super().load_querystring(req, schema)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        # webargs files the messages under the location: {"json": {"year": [...]}}
        (messages,) = error.messages.values()
        path, message = first_error(messages)
        field = field_name(path)
        if message == "Unknown field.":
            message = "is not a field of this request"
        raise Invalid(f"{field}: {message}" if field else message, field=field)


class ContractBlueprint(Blueprint):
    ARGUMENTS_PARSER = ContractParser()
