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

Two formats, told apart by the envelope's ``key_id``: version 1 (above, a campaign sealed
by the server, ``sealing = "server"``) has a bare hexadecimal key id and no prefix; later
versions have a key id ``v<N>.<hash>`` and their blob starts with the version byte. Version 2
(``sealing = "scrutineers"``) is sealed to the campaign's own X25519 public key: a fresh
ephemeral X25519 key per envelope, ECDH, HKDF-SHA256, AES-256-GCM, the same padding. Its
private key exists only while the scrutineers' cards are printed and while the box is
opened (survey/ballotbox/scrutineers.py); the server cannot open such an envelope alone.

Versions 3 and 4 are the same two in the 国密 suite (SM4-GCM, HKDF-SM3, SM2:
survey/ballotbox/sm.py), for a campaign created with ``SURVEY_CRYPTO=sm``. The campaign
records its suite (``campaigns.crypto``) and every envelope says its version, so a box
sealed in one suite opens, and takes votes, after the setting changes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from collections.abc import Callable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from survey.ballotbox import sm
from survey.core.errors import BrokenEnvelope, MissingKey

NONCE_BYTES = 12
BLOCK = 4096
# The room a payload may take: its frame, each question's answer at its longest (a question
# id, "basically_competent", a null text), and a 500-character reason at its most escaped.
HEAD_ROOM, ROW_ROOM, REASON_ROOM = 128, 48, 3072
VERSION = b"survey.envelope.v1"
V2, V2_PREFIX, V2_LABEL = 2, "v2.", b"survey.envelope.v2"
KEY_BYTES = 32
INTERNATIONAL, SM = "international", "sm"
PrivateKey = X25519PrivateKey | sm.PrivateKey


def secret_keys() -> list[str]:
    """The configured secret keys, newest first."""
    return list(current_app.config["SECRET_KEYS"])


@lru_cache(maxsize=64)  # one HMAC per key, not per seal
def key_id(secret: str) -> str:
    """A short, one-way name for a secret key (never the key, nor enough to guess it)."""
    return hmac.new(secret.encode(), VERSION + b"|key-id", hashlib.sha256).hexdigest()[:16]


def server_key_id(secret: str, crypto: str = INTERNATIONAL) -> str:
    """The key id an envelope sealed by ``secret`` carries in the suite ``crypto``."""
    return sm.key_id(secret) if crypto == SM else key_id(secret)


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


def _plain(payload: dict, rows: int) -> bytes:
    return _pad(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), rows)


def seal(
    campaign_id: int,
    payload: dict,
    keys: list[str] | None = None,
    rows: int = 0,
    crypto: str = INTERNATIONAL,
) -> tuple[str, bytes]:
    """(key id, nonce + ciphertext) of ``payload`` under the newest secret key, padded for a
    ballot of ``rows`` questions; version 3 (SM4-GCM) for a campaign of the sm suite."""
    secret = (keys or secret_keys())[0]
    if crypto == SM:
        return sm.seal(secret, campaign_id, _plain(payload, rows))
    kid = key_id(secret)
    nonce = os.urandom(NONCE_BYTES)
    plain = _plain(payload, rows)
    sealed = _cipher(secret, campaign_id).encrypt(nonce, plain, _aad(campaign_id, kid))
    return kid, nonce + sealed


def unseal(campaign_id: int, kid: str, blob: bytes, keys: list[str] | None = None) -> dict:
    """The payload of one envelope; MissingKey when no configured key has ``kid``."""
    sm_suite = kid.startswith(sm.V3_PREFIX)
    name = sm.key_id if sm_suite else key_id
    by_id = {name(k): k for k in (keys or secret_keys())}
    secret = by_id.get(kid)
    if secret is None:
        raise MissingKey(
            f"an envelope of campaign {campaign_id} was sealed by a retired secret key "
            f"({kid}); put that key back in SURVEY_SECRET_KEYS, then close again"
        )
    blob = bytes(blob)
    if sm_suite:
        return json.loads(_unpad(sm.unseal(secret, campaign_id, kid, blob)))
    try:
        plain = _cipher(secret, campaign_id).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(campaign_id, kid)
        )
    except InvalidTag:
        raise BrokenEnvelope(f"an envelope of campaign {campaign_id} does not decrypt") from None
    return json.loads(_unpad(plain))


Unseal = Callable[[str, bytes], dict]


def public_key_id(public_key: bytes) -> str:
    """The key id of a version 2 envelope: its format and a short hash of the public key."""
    return V2_PREFIX + hashlib.sha256(V2_LABEL + b"|public|" + public_key).hexdigest()[:13]


def private_key_from_seed(seed: bytes, campaign_id: int, crypto: str = INTERNATIONAL) -> PrivateKey:
    """The campaign's X25519 private key grown from the seed the scrutineers' cards share
    (a short seed keeps the cards typeable; HKDF binds it to the campaign); SM2's for a
    campaign of the sm suite."""
    if crypto == SM:
        return sm.private_key_from_seed(seed, campaign_id)
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=V2_LABEL + b"|seed|" + str(campaign_id).encode(),
        info=b"survey scrutineer key of campaign " + str(campaign_id).encode(),
    )
    return X25519PrivateKey.from_private_bytes(hkdf.derive(seed))


def public_bytes(private_key: PrivateKey) -> bytes:
    if isinstance(private_key, sm.PrivateKey):
        return private_key.public
    return private_key.public_key().public_bytes_raw()


def _v2_cipher(shared: bytes, campaign_id: int, ephemeral: bytes, public_key: bytes) -> AESGCM:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=V2_LABEL + b"|campaign|" + str(campaign_id).encode(),
        info=V2_LABEL + b"|" + ephemeral + public_key,
    )
    return AESGCM(hkdf.derive(shared))


def _v2_aad(campaign_id: int, kid: str) -> bytes:
    return bytes([V2]) + V2_LABEL + f"|{campaign_id}|{kid}".encode()


def seal_to(public_key: bytes, campaign_id: int, payload: dict, rows: int = 0) -> tuple[str, bytes]:
    """(key id, version byte + ephemeral public key + nonce + ciphertext) of ``payload``
    sealed to the campaign's public key: one ECDH per envelope, padded as version 1. An
    SM2 public key (65 bytes, of a campaign of the sm suite) seals version 4."""
    if len(public_key) == sm.PUBLIC_BYTES:
        return sm.seal_to(public_key, campaign_id, _plain(payload, rows))
    kid = public_key_id(public_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = public_bytes(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    nonce = os.urandom(NONCE_BYTES)
    plain = _plain(payload, rows)
    cipher = _v2_cipher(shared, campaign_id, ephemeral_public, public_key)
    sealed = cipher.encrypt(nonce, plain, _v2_aad(campaign_id, kid))
    return kid, bytes([V2]) + ephemeral_public + nonce + sealed


def unseal_with(private_key: PrivateKey, campaign_id: int, kid: str, blob: bytes) -> dict:
    """The payload of one version 2 (or 4) envelope, opened with the campaign's private key."""
    blob = bytes(blob)
    if isinstance(private_key, sm.PrivateKey):
        return json.loads(_unpad(sm.unseal_with(private_key, campaign_id, kid, blob)))
    public_key = public_bytes(private_key)
    if kid != public_key_id(public_key) or blob[:1] != bytes([V2]):
        raise BrokenEnvelope(
            f"an envelope of campaign {campaign_id} was not sealed to this campaign's key"
        )
    ephemeral = blob[1 : 1 + KEY_BYTES]
    nonce = blob[1 + KEY_BYTES : 1 + KEY_BYTES + NONCE_BYTES]
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        cipher = _v2_cipher(shared, campaign_id, ephemeral, public_key)
        plain = cipher.decrypt(
            nonce, blob[1 + KEY_BYTES + NONCE_BYTES :], _v2_aad(campaign_id, kid)
        )
    except (InvalidTag, ValueError):
        raise BrokenEnvelope(f"an envelope of campaign {campaign_id} does not decrypt") from None
    return json.loads(_unpad(plain))


PUBLIC_KEY_PREFIXES = (V2_PREFIX, sm.V4_PREFIX)  # envelopes sealed to a campaign's own key


def opener(campaign_id: int, private_key: PrivateKey | None = None) -> Unseal:
    """``unseal(key_id, blob)`` for every envelope of a campaign: versions 1 and 3 by the
    server's secret keys, versions 2 and 4 by ``private_key`` (rebuilt from the scrutineers'
    cards for this close only; nothing keeps it afterwards)."""
    keys = secret_keys()

    def unseal_one(kid: str, blob: bytes) -> dict:
        if kid.startswith(PUBLIC_KEY_PREFIXES):
            if private_key is None:
                raise BrokenEnvelope(
                    f"an envelope of campaign {campaign_id} needs the scrutineers' cards"
                )
            return unseal_with(private_key, campaign_id, kid, blob)
        return unseal(campaign_id, kid, blob, keys)

    return unseal_one
