"""The 国密 envelopes (``SURVEY_CRYPTO=sm``): SM4-GCM, keys derived by HKDF over SM3, and
the scrutineers' public-key sealing with SM2 (GB/T 32918.4 public-key encryption).

Two formats beside sealing.py's, told apart by the key id's prefix and the blob's version byte:

- version 3 (a campaign sealed by the server): SM4-GCM under a 128-bit key derived by
  HKDF-SM3 from one of the server's secret keys and the campaign id. Blob: version byte,
  nonce, ciphertext and tag. Key id ``v3.`` and a short HMAC-SM3 name of the secret key.
- version 4 (sealed by the scrutineers): the campaign's key pair is SM2's; each envelope
  draws a fresh SM4 data key, encrypts it to the campaign's public key with SM2 (C1||C3||C2,
  113 bytes) and the padded vote with SM4-GCM under it. Key id ``v4.`` and a short SM3 of
  the public key.

SM2 is gmalg's (pure Python, MIT, checked against GB/T 32918's example in tests/test_keys.py):
``cryptography`` has SM3 and SM4 but no SM2. Its big-number arithmetic is not constant-time:
the private key is used only while cards are printed and while a box is opened, and each
envelope's one-time scalar seals that envelope alone (docs/secrecy.md).
"""

from __future__ import annotations

import hmac
import os
from functools import lru_cache

import gmalg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from gmalg.errors import GMError

from survey.core.digests import SM3
from survey.core.errors import BrokenEnvelope

V3, V3_PREFIX, V3_LABEL = 3, "v3.", b"survey.envelope.v3"
V4, V4_PREFIX, V4_LABEL = 4, "v4.", b"survey.envelope.v4"
NONCE_BYTES, TAG_BYTES, SM4_KEY_BYTES = 12, 16, 16
PUBLIC_BYTES = 65  # 04 || x || y
WRAPPED_BYTES = PUBLIC_BYTES + 32 + SM4_KEY_BYTES  # SM2's C1 || C3 || C2 of a data key
# SM2's group order n (GB/T 32918.5): a private key is an integer in [1, n - 2]
ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


def _hkdf(material: bytes, salt: bytes, info: bytes, length: int = SM4_KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=length, salt=salt, info=info).derive(material)


def _encrypt(key: bytes, plain: bytes, aad: bytes) -> bytes:
    """nonce + ciphertext + tag, SM4-GCM under ``key`` with a fresh random nonce."""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    sealed = encryptor.update(plain) + encryptor.finalize()
    return nonce + sealed + encryptor.tag


def _decrypt(key: bytes, blob: bytes, aad: bytes, campaign_id: int) -> bytes:
    nonce, sealed, tag = blob[:NONCE_BYTES], blob[NONCE_BYTES:-TAG_BYTES], blob[-TAG_BYTES:]
    try:
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(sealed) + decryptor.finalize()
    except (InvalidTag, ValueError):
        raise BrokenEnvelope(f"an envelope of campaign {campaign_id} does not decrypt") from None


# --- version 3: sealed by the server's secret keys ---


@lru_cache(maxsize=64)
def key_id(secret: str) -> str:
    """A version 3 envelope's name for a secret key: an HMAC-SM3, short and one-way."""
    return V3_PREFIX + hmac.new(secret.encode(), V3_LABEL + b"|key-id", SM3).hexdigest()[:13]


@lru_cache(maxsize=256)
def _campaign_key(secret: str, campaign_id: int) -> bytes:
    return _hkdf(
        secret.encode(),
        salt=V3_LABEL + b"|campaign|" + str(campaign_id).encode(),
        info=b"survey envelope key for campaign " + str(campaign_id).encode(),
    )


def _v3_aad(campaign_id: int, kid: str) -> bytes:
    return bytes([V3]) + V3_LABEL + f"|{campaign_id}|{kid}".encode()


def seal(secret: str, campaign_id: int, plain: bytes) -> tuple[str, bytes]:
    kid = key_id(secret)
    sealed = _encrypt(_campaign_key(secret, campaign_id), plain, _v3_aad(campaign_id, kid))
    return kid, bytes([V3]) + sealed


def unseal(secret: str, campaign_id: int, kid: str, blob: bytes) -> bytes:
    if blob[:1] != bytes([V3]):
        raise BrokenEnvelope(f"an envelope of campaign {campaign_id} is not of version 3")
    key, aad = _campaign_key(secret, campaign_id), _v3_aad(campaign_id, kid)
    return _decrypt(key, blob[1:], aad, campaign_id)


# --- version 4: sealed to the scrutineers' SM2 public key ---


class PrivateKey:
    """A campaign's SM2 private key, alive only while cards are printed or a box opened."""

    def __init__(self, secret: bytes):
        public = gmalg.SM2().generate_pk(secret)
        self._sm2 = gmalg.SM2(sk=secret, pk=public)
        self._secret = secret
        self.public = public

    def private_bytes_raw(self) -> bytes:
        """The 32-byte scalar (as X25519PrivateKey's method: tests look for it on disk)."""
        return self._secret

    def decrypt(self, wrapped: bytes) -> bytes:
        return self._sm2.decrypt(wrapped)


def private_key_from_seed(seed: bytes, campaign_id: int) -> PrivateKey:
    """The campaign's SM2 private key grown from the seed the scrutineers' cards share:
    HKDF-SM3 bound to the campaign, reduced into [1, n - 2]."""
    grown = _hkdf(
        seed,
        salt=V4_LABEL + b"|seed|" + str(campaign_id).encode(),
        info=b"survey scrutineer key of campaign " + str(campaign_id).encode(),
        length=40,  # 64 bits more than n: the reduction's bias is 2^-64
    )
    scalar = int.from_bytes(grown, "big") % (ORDER - 2) + 1
    return PrivateKey(scalar.to_bytes(32, "big"))


def public_key_id(public_key: bytes) -> str:
    return V4_PREFIX + SM3(V4_LABEL + b"|public|" + public_key).hexdigest()[:13]


def _v4_aad(campaign_id: int, kid: str) -> bytes:
    return bytes([V4]) + V4_LABEL + f"|{campaign_id}|{kid}".encode()


def seal_to(public_key: bytes, campaign_id: int, plain: bytes) -> tuple[str, bytes]:
    """(key id, version byte + SM2-wrapped data key + SM4-GCM of ``plain``)."""
    kid = public_key_id(public_key)
    data_key = os.urandom(SM4_KEY_BYTES)
    wrapped = gmalg.SM2(pk=public_key).encrypt(data_key)
    sealed = _encrypt(data_key, plain, _v4_aad(campaign_id, kid))
    return kid, bytes([V4]) + wrapped + sealed


def unseal_with(private_key: PrivateKey, campaign_id: int, kid: str, blob: bytes) -> bytes:
    if kid != public_key_id(private_key.public) or blob[:1] != bytes([V4]):
        raise BrokenEnvelope(
            f"an envelope of campaign {campaign_id} was not sealed to this campaign's key"
        )
    try:
        data_key = private_key.decrypt(blob[1 : 1 + WRAPPED_BYTES])
    except (GMError, IndexError, ValueError):
        raise BrokenEnvelope(f"an envelope of campaign {campaign_id} does not decrypt") from None
    return _decrypt(data_key, blob[1 + WRAPPED_BYTES :], _v4_aad(campaign_id, kid), campaign_id)
