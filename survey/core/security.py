"""Signed tokens, API token hashing and the headers every response carries."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import lru_cache

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from survey.core.digests import CRYPTO_MODES, HMAC_HASHES, SM3, current_mode

# One salt per purpose: a token signed for one use never verifies for another.
SALTS = {
    "ballot": "survey.ballot.v1",
    "device": "survey.device.v1",
    "poll_form": "survey.poll_form.v2",  # v2: bound to the device, with a one-time nonce
    "ballot_nonce": "survey.ballot_nonce.v1",
    "notice_form": "survey.notice_form.v1",  # a poll's stamp never verifies there, nor this here
}


def serializer(purpose: str) -> URLSafeTimedSerializer:
    """Signs with the newest key by the HMAC of ``SURVEY_CRYPTO`` (HMAC-SHA1 or HMAC-SM3);
    every key of ``SECRET_KEYS`` still verifies (rotation), and so does the other mode's
    HMAC: a card printed before the mode changed still opens its ballot."""
    return _serializer(tuple(current_app.config["SECRET_KEYS"]), SALTS[purpose], current_mode())


@lru_cache(maxsize=64)
def _serializer(keys: tuple, salt: str, mode: str) -> URLSafeTimedSerializer:
    """Built once per keys, salt and mode (building one probes its JSON module and copies the
    keys: 3 of them a ballot page). It holds no state between calls; new keys, a new one."""
    others = [{"digest_method": HMAC_HASHES[other]} for other in CRYPTO_MODES if other != mode]
    return URLSafeTimedSerializer(
        list(reversed(keys)),  # itsdangerous: newest last
        salt=salt,
        signer_kwargs={"digest_method": HMAC_HASHES[mode]},
        fallback_signers=others,
    )


class SessionInterface(SecureCookieSessionInterface):
    """The staff session cookie, signed by the HMAC of ``SURVEY_CRYPTO`` as the links are (a
    cookie signed before the mode changed still reads: nobody is signed out by it)."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        signer = super().get_signing_serializer(app)
        if signer is not None:
            mode = app.config.get("CRYPTO") or "international"
            signer.signer_kwargs = {"key_derivation": "hmac", "digest_method": HMAC_HASHES[mode]}
            signer.fallback_signers = [
                {"key_derivation": "hmac", "digest_method": HMAC_HASHES[other]}
                for other in CRYPTO_MODES
                if other != mode
            ]
        return signer


def ballot_token(ballot_id: str) -> str:
    return serializer("ballot").dumps(ballot_id)


def read_ballot_token(token: str, max_age: int) -> tuple[str | None, bool]:
    """(ballot id, expired) for a genuine token; (None, False) for a forged or garbled one."""
    signer = serializer("ballot")
    try:
        return signer.loads(token, max_age=max_age), False
    except SignatureExpired as exc:
        try:
            return signer.load_payload(exc.payload), True
        except BadSignature:
            return None, False
    except BadSignature:
        return None, False


def new_api_token() -> tuple[str, str]:
    """(token shown once, its hash stored: SHA-256, or SM3 in the sm mode)."""
    token = secrets.token_urlsafe(32)
    return token, hash_api_token(token, current_mode())


def hash_api_token(token: str, mode: str = "international") -> str:
    """The stored form of an API token: a one-way hash of its 256 random bits (no key is
    needed: nothing so random can be guessed from its hash, and a key in the hash would
    void every token when it rotates)."""
    if mode == "sm":
        return SM3(token.encode()).hexdigest()
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_hashes(token: str) -> list[str]:
    """Every stored form ``token`` may have: one per mode, so that a token made before the
    mode changed still signs in."""
    return [hash_api_token(token, mode) for mode in CRYPTO_MODES]


# No inline script or style and no plug-ins; nothing loaded from or framed by another site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
NUL = "\x00"
# A lone UTF-16 surrogate ("\ud800" in JSON) is a str no encoder writes: the database
# driver, a log line and every export would raise UnicodeEncodeError (a 500).
SURROGATE = re.compile("[\ud800-\udfff]")
MAX_JSON_DEPTH = 32  # no body of this API nests deeper than 4; the parser recurses per level
_JSON_SIGNIFICANT = re.compile(r'[\[\]{}"\\]')


def nests_too_deep(text: str | bytes) -> bool:
    """Whether the arrays and objects of ``text`` nest deeper than ``MAX_JSON_DEPTH``
    (brackets inside strings ignored), found in one pass without recursion."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", "replace")  # brackets and quotes are ASCII in any case
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return False
    depth, in_string, escaped_at = 0, False, -1
    for match in _JSON_SIGNIFICANT.finditer(text):
        at, char = match.start(), match.group()
        if at == escaped_at:
            continue
        if in_string:
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        else:
            depth += 1 if char in "[{" else -1
            if depth > MAX_JSON_DEPTH:
                return True
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Refuses JSON nested deeper than ``MAX_JSON_DEPTH`` as malformed (a ValueError, which
    Flask answers with 400) instead of letting the parser hit the recursion limit (a 500)."""

    def loads(self, s: str | bytes, **kwargs):
        if nests_too_deep(s):
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def has_surrogate(text: str) -> bool:
    return SURROGATE.search(text) is not None


def _printable_key(key: str) -> str:
    return SURROGATE.sub("\ufffd", key.replace(NUL, ""))


def _bad_in_json(data, bad) -> str | None:
    """The key holding a string ``bad`` refuses somewhere in parsed JSON ("" at the top),
    walked without recursion; None when there is none."""
    stack = [("", data)]
    while stack:
        field, value = stack.pop()
        if isinstance(value, str):
            if bad(value):
                return field
        elif isinstance(value, dict):
            for key, item in value.items():
                if bad(key):
                    return _printable_key(key)
                stack.append((field or key, item))
        elif isinstance(value, list):
            stack.extend((field, item) for item in value)
    return None


def nul_field() -> str | None:
    """Where the request carries a NUL character (raw or percent-encoded): "path", a query
    or form field's name, or a JSON field; None when nowhere. PostgreSQL refuses NUL in text,
    and no honest form ever sends one."""
    if NUL in request.path:
        return "path"
    for source in (request.args, request.form, request.files):
        for key, value in source.items(multi=True):
            text = getattr(value, "filename", value) or ""
            if NUL in key or NUL in text:
                return key.replace(NUL, "") or "query"
    if request.is_json:
        found = _bad_in_json(request.get_json(silent=True), lambda text: NUL in text)
        if found is not None:
            return found or "body"
    return None


def surrogate_field() -> str | None:
    """The JSON field holding a lone surrogate; None when none does. Only JSON can carry
    one: Werkzeug decodes paths, queries, forms and file names with replacement."""
    if not request.is_json:
        return None
    found = _bad_in_json(request.get_json(silent=True), has_surrogate)
    return None if found is None else found or "body"


def refuse_nul():
    """Before any view: a clear 400 for a NUL or a lone surrogate anywhere in what the
    request sends, naming the field."""
    from survey.core.error_pages import json_error, page, wants_json

    field = nul_field()
    if field is not None:
        if wants_json():
            message = "text must not contain NUL characters"
            return json_error(400, "nul_character", message, field)
        return page(400, "nul_character")
    field = surrogate_field()
    if field is not None:
        if wants_json():
            message = f"{field}: not valid Unicode text (a lone surrogate such as \\ud800)"
            return json_error(400, "invalid", message, field)
        return page(400, "invalid_text")
    return None


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.session_interface = SessionInterface()
    # First of all: CSRF, the rate limits and the SQLite write lock would read the same text.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)

    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.endpoint != "static":
            # Card codes, ballot links, tallies and form tokens: no page of ours is kept by
            # the browser, a proxy or a shared computer's back button.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
