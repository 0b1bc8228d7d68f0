"""Sealed envelopes: a vote cast while its campaign is open is stored encrypted.

Each envelope is AES-256-GCM under a key derived (HKDF-SHA256) from one of the server's
secret keys and the campaign id; the derived key is never stored. The envelope names the
secret key that sealed it only by a short hash (``key_id``), so that a rotated key can still
open it and a retired one is noticed. Plaintext is padded to a size set by the campaign's
number of questions alone (whole blocks), so that the ciphertext's length does not tell a
long choice from a short one, a reason from none, nor a ballot with blank rows from a full
one: one block up to 18 questions, four for a 200-member appraisal.

A database copy without the secret keys opens nothing; the envelopes carry no time and no
ballot reference, and closing the campaign decrypts them, shuffles them and deletes them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from survey.core.errors import BrokenEnvelope, MissingKey

NONCE_BYTES = 12
BLOCK = 4096
# The room a payload may take: its frame, each question's answer at its longest (a question
# id, "basically_competent", a null text), and a 500-character reason at its most escaped.
HEAD_ROOM, ROW_ROOM, REASON_ROOM = 128, 48, 3072
VERSION = b"survey.envelope.v1"


def secret_keys() -> list[str]:
    """The configured secret keys, newest first."""
    return list(current_app.config["SECRET_KEYS"])


@lru_cache(maxsize=64)  # one HMAC per key, not per seal
def key_id(secret: str) -> str:
    """A short, one-way name for a secret key (never the key, nor enough to guess it)."""
    return hmac.new(secret.encode(), VERSION + b"|key-id", hashlib.sha256).hexdigest()[:16]


@lru_cache(maxsize=256)  # derived once per key and campaign, not on every seal and unseal
def _campaign_key(secret: str, campaign_id: int) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=VERSION + b"|campaign|" + str(campaign_id).encode(),
        info=b"survey envelope key for campaign " + str(campaign_id).encode(),
    )
    return hkdf.derive(secret.encode())


@lru_cache(maxsize=256)
def _cipher(secret: str, campaign_id: int) -> AESGCM:
    """The AES-GCM object of a campaign's key, built once (it keeps no state between calls;
    a fresh random nonce is drawn for every seal)."""
    return AESGCM(_campaign_key(secret, campaign_id))


def _aad(campaign_id: int, kid: str) -> bytes:
    return VERSION + f"|{campaign_id}|{kid}".encode()


def capacity(rows: int) -> int:
    """The padded size of a vote on a ballot of ``rows`` questions: whole blocks."""
    room = HEAD_ROOM + rows * ROW_ROOM + REASON_ROOM
    return room + (-room % BLOCK)


def _pad(data: bytes, rows: int = 0) -> bytes:
    framed = struct.pack(">I", len(data)) + data
    size = max(capacity(rows), len(framed))
    return framed + b"\0" * (size - len(framed) + (-size % BLOCK))


def _unpad(padded: bytes) -> bytes:
    (length,) = struct.unpack(">I", padded[:4])
    return padded[4 : 4 + length]


def seal(
    campaign_id: int, payload: dict, keys: list[str] | None = None, rows: int = 0
) -> tuple[str, bytes]:
    """(key id, nonce + ciphertext) of ``payload`` under the newest secret key, padded for a
    ballot of ``rows`` questions."""
    secret = (keys or secret_keys())[0]
    kid = key_id(secret)
    nonce = os.urandom(NONCE_BYTES)
    plain = _pad(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), rows)
    sealed = _cipher(secret, campaign_id).encrypt(nonce, plain, _aad(campaign_id, kid))
    return kid, nonce + sealed


def unseal(campaign_id: int, kid: str, blob: bytes, keys: list[str] | None = None) -> dict:
    """The payload of one envelope; MissingKey when no configured key has ``kid``."""
    by_id = {key_id(k): k for k in (keys or secret_keys())}
    secret = by_id.get(kid)
    if secret is None:
        raise MissingKey(
            f"an envelope of campaign {campaign_id} was sealed by a retired secret key "
            f"({kid}); put that key back in SURVEY_SECRET_KEYS, then close again"
        )
    blob = bytes(blob)
    try:
        plain = _cipher(secret, campaign_id).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(campaign_id, kid)
        )
    except InvalidTag:
        raise BrokenEnvelope(f"an envelope of campaign {campaign_id} does not decrypt") from None
    return json.loads(_unpad(plain))
