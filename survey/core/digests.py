"""Hash functions chosen by ``SURVEY_CRYPTO``, and the audit log's canonical entry digest.

``international`` hashes with SHA-256, ``sm`` with SM3 (GB/T 32905, the 国密 hash). The
algorithm is named beside each digest, so entries written under one mode still verify after
the mode changes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from flask import current_app, has_app_context

INTERNATIONAL, SM = "international", "sm"
CRYPTO_MODES = {INTERNATIONAL: "sha256", SM: "sm3"}
_ALGORITHMS = {"sha256": hashes.SHA256, "sm3": hashes.SM3}
GENESIS = ""  # the "previous hash" of the first entry of a chain never pruned


def current_mode() -> str:
    """The suite new things are made with: ``SURVEY_CRYPTO`` (international outside an app)."""
    if not has_app_context():
        return INTERNATIONAL
    return current_app.config.get("CRYPTO") or INTERNATIONAL


class SM3:
    """SM3 (GB/T 32905) with hashlib's interface, over ``cryptography`` (which does not
    depend on the host's OpenSSL offering it), for ``hmac`` and itsdangerous."""

    name, digest_size, block_size = "sm3", 32, 64

    def __init__(self, data: bytes = b"", _hash: hashes.Hash | None = None):
        self._hash = _hash or hashes.Hash(hashes.SM3())
        if data:
            self._hash.update(data)

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def copy(self) -> SM3:
        return SM3(_hash=self._hash.copy())

    def digest(self) -> bytes:
        return self._hash.copy().finalize()

    def hexdigest(self) -> str:
        return self.digest().hex()


# The hash of each mode's HMACs (signed links, cookies of the public pages): itsdangerous'
# own default (HMAC-SHA1) stays the international one, so no link printed before changes.
HMAC_HASHES = {INTERNATIONAL: hashlib.sha1, SM: SM3}


def digest(algorithm: str, data: bytes) -> str:
    """Hex digest of ``data``; ``algorithm`` is one of CRYPTO_MODES' values."""
    hasher = hashes.Hash(_ALGORITHMS[algorithm]())
    hasher.update(data)
    return hasher.finalize().hex()


def plain_json(value):
    """``value`` as it reads back from a JSON column: tuples as lists, keys as text."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def audit_digest(
    algorithm: str,
    *,
    entry_id: int,
    at: datetime | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    detail: dict | None,
    prev_hash: str,
) -> str:
    """The hash that seals one audit entry to the one before it.

    Canonical form: a JSON array of the fields in a fixed order, keys sorted, no spaces,
    UTF-8, the time to the microsecond. The id is in it, so moving an entry breaks it too.
    """
    fields = [
        algorithm,
        entry_id,
        at.isoformat(timespec="microseconds") if at else None,
        actor,
        action,
        object_type,
        object_id,
        detail or {},
        prev_hash,
    ]
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return digest(algorithm, text.encode())
