"""Hash functions chosen by ``SURVEY_CRYPTO``, and the audit log's canonical entry digest.

``international`` hashes with SHA-256, ``sm`` with SM3 (GB/T 32905, the 国密 hash). The
algorithm is named beside each digest, so entries written under one mode still verify after
the mode changes.
"""

from __future__ import annotations

import json
from datetime import datetime

from cryptography.hazmat.primitives import hashes

CRYPTO_MODES = {"international": "sha256", "sm": "sm3"}
_ALGORITHMS = {"sha256": hashes.SHA256, "sm3": hashes.SM3}
GENESIS = ""  # the "previous hash" of the first entry of a chain never pruned


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
