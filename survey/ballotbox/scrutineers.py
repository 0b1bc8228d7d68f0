"""The scrutineers (监票人) hold the key: a campaign sealed by its scrutineers has its own
X25519 key pair, made when its scrutineer cards are printed; the private key is split k of n
(survey/ballotbox/shares.py) onto the cards and forgotten. Only the public key is stored.

A card's code is typeable, in Crockford base32 like the ballots' short codes, 30 symbols:
the holder number (1 symbol), the share (26: 16 bytes), a tag of the campaign and of this
printing (2), and a check symbol. The check is a weighted sum over GF(32) with a distinct
weight per place, so that any one mistyped symbol and any two swapped symbols are caught;
the tag tells a card of another campaign, or of an earlier printing that was voided.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from survey.ballotbox import sealing, shares
from survey.core import codes
from survey.core.errors import Conflict, Invalid, ScrutineersNeeded
from survey.models import Campaign, CampaignStatus, Envelope
from survey.staff import audit

SERVER, SCRUTINEERS = "server", "scrutineers"
DEFAULT_K, DEFAULT_N, MAX_N = 2, 3, 9
SEED_BYTES = 16
SHARE_SYMBOLS, TAG_SYMBOLS = 26, 2
CODE_SYMBOLS = 1 + SHARE_SYMBOLS + TAG_SYMBOLS + 1
GROUP = 5


@dataclass(frozen=True)
class Card:
    holder: int
    code: str  # as printed: groups of five


def check_settings(
    sealing_mode: str, k: int | None, n: int | None
) -> tuple[int | None, int | None]:
    """(k, n) for a campaign's sealing mode; a server-sealed campaign has none."""
    if sealing_mode not in (SERVER, SCRUTINEERS):
        raise Invalid("sealing must be scrutineers or server", field="sealing")
    if sealing_mode == SERVER:
        return None, None
    k, n = k or DEFAULT_K, n or DEFAULT_N
    if not 1 <= k <= n <= MAX_N:
        raise Invalid("scrutineers need 1 <= k <= n <= 9", field="scrutineers")
    return k, n


# GF(32), x^5 + x^2 + 1: the check symbol's arithmetic (alpha = 2 has order 31).
def _gf32_mul(a: int, b: int) -> int:
    product = 0
    for _ in range(5):
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0x20:
            a ^= 0x25
    return product


def _check_symbol(values: list[int]) -> int:
    total, weight = 0, 1
    for value in values:
        weight = _gf32_mul(weight, 2)  # alpha^1, alpha^2, ...: distinct for 29 places
        total ^= _gf32_mul(weight, value)
    return total


def _tag(campaign_id: int, public_key: bytes) -> list[int]:
    digest = hashlib.sha256(b"survey.scrutineer-card|%d|" % campaign_id + public_key).digest()
    number = int.from_bytes(digest[:2], "big") >> 6  # 10 bits
    return [number >> 5, number & 31]


def _encode(campaign_id: int, public_key: bytes, holder: int, share: bytes) -> str:
    number = int.from_bytes(share, "big") << 2  # 128 bits in 26 symbols, two zero bits
    share_values = [(number >> (5 * i)) & 31 for i in reversed(range(SHARE_SYMBOLS))]
    values = [holder, *share_values, *_tag(campaign_id, public_key)]
    values.append(_check_symbol(values))
    return codes.display("".join(codes.ALPHABET[v] for v in values), GROUP)


def new_cards(campaign: Campaign) -> tuple[bytes, list[Card]]:
    """A fresh key pair for ``campaign``: (its public key, the n cards of its k-of-n split).
    The seed and the private key live only in this call."""
    seed = secrets.token_bytes(SEED_BYTES)
    key = sealing.private_key_from_seed(seed, campaign.id, campaign.crypto)
    public_key = sealing.public_bytes(key)
    split = shares.split(seed, campaign.scrutineers_k, campaign.scrutineers_n)
    cards = [Card(x, _encode(campaign.id, public_key, x, value)) for x, value in split]
    return public_key, cards


def print_cards(session: Session, actor: str, campaign: Campaign) -> list[Card]:
    """Make the campaign's key pair and return its cards, to be shown once. Printing again
    voids the earlier cards: allowed only before the first vote (the update comes first,
    so that on PostgreSQL it waits for a cast holding the campaign row)."""
    if campaign.sealing != SCRUTINEERS:
        raise Conflict("this campaign's key is held by the server: it has no scrutineer cards")
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict("the campaign is closed", status=str(campaign.status))
    public_key, cards = new_cards(campaign)
    campaign.public_key = public_key
    session.flush()
    if session.scalar(select(func.count()).where(Envelope.campaign_id == campaign.id)):
        raise Conflict("votes are sealed to the printed cards already: they cannot be reprinted")
    audit.record(
        session,
        actor,
        "campaign.scrutineer_cards",
        campaign,
        k=campaign.scrutineers_k,
        n=campaign.scrutineers_n,
    )
    return cards


def _read(campaign: Campaign, typed: str) -> tuple[int, bytes] | str:
    """(holder, share) of one typed code, or why it is refused (a reason key)."""
    cleaned = codes.normalise(typed or "", CODE_SYMBOLS)
    if cleaned is None:
        return "shape"
    values = [codes.ALPHABET.index(ch) for ch in cleaned]
    if _check_symbol(values[:-1]) != values[-1]:
        return "check"
    if values[-3:-1] != _tag(campaign.id, campaign.public_key):
        return "other_campaign"
    holder = values[0]
    if not 1 <= holder <= (campaign.scrutineers_n or 0):
        return "holder"
    number = 0
    for value in values[1 : 1 + SHARE_SYMBOLS]:
        number = (number << 5) | value
    if number & 3:
        return "check"
    return holder, (number >> 2).to_bytes(SEED_BYTES, "big")


# Why a typed code is refused, by reason key (the pages say them in Chinese first).
REFUSALS = {
    "shape": "it is not a scrutineer card's code (30 letters and digits)",
    "check": "its check symbol does not match: a character is mistyped",
    "other_campaign": "it belongs to another campaign, or to an earlier printing that was voided",
    "holder": "its holder number is not one of this campaign's scrutineers",
    "same_holder": "the same scrutineer's card was given twice",
}


def private_key(campaign: Campaign, typed_codes: list[str]) -> sealing.PrivateKey:
    """The campaign's private key rebuilt from k good cards, or ScrutineersNeeded naming
    each refused code (its place, 1 first, and a reason key) and changing nothing."""
    refused, good = [], {}
    for place, typed in enumerate(c for c in typed_codes if (c or "").strip()):
        read = _read(campaign, typed)
        if isinstance(read, str):
            refused.append({"place": place + 1, "reason": read})
        elif read[0] in good:
            refused.append({"place": place + 1, "reason": "same_holder"})
        else:
            good[read[0]] = read[1]
    k = campaign.scrutineers_k or DEFAULT_K
    if campaign.public_key is None or len(good) < k:
        why = "".join(f"; code {r['place']}: {REFUSALS[r['reason']]}" for r in refused)
        raise ScrutineersNeeded(
            f"closing needs {k} good scrutineer cards of this campaign, {len(good)} given{why}",
            cards=refused,
            k=k,
            good=len(good),
        )
    seed = shares.combine(sorted(good.items())[:k])
    key = sealing.private_key_from_seed(seed, campaign.id, campaign.crypto)
    if sealing.public_bytes(key) != campaign.public_key:  # cannot happen with good checks
        raise ScrutineersNeeded("these cards do not open this box", cards=refused, k=k, good=0)
    return key


def opener(campaign: Campaign, typed_codes: list[str] | None) -> sealing.Unseal:
    """The campaign's ``unseal`` for its close: the scrutineers' key from their cards, or
    the server's keys alone for a server-sealed campaign (which ignores any code)."""
    if campaign.sealing != SCRUTINEERS:
        return sealing.opener(campaign.id)
    return sealing.opener(campaign.id, private_key(campaign, list(typed_codes or [])))


@lru_cache(maxsize=1)
def _key_statement():
    return select(Campaign.sealing, Campaign.public_key, Campaign.crypto).where(
        Campaign.id == bindparam("c_id")
    )


SealedBy = tuple[str, bytes | None, str]  # the campaign's sealing mode, public key, suite


def _sealing_of(session: Session, campaign_id: int) -> SealedBy:
    return tuple(session.execute(_key_statement(), {"c_id": campaign_id}).one())


def seal_vote(
    session: Session,
    campaign_id: int,
    payload: dict,
    rows: int = 0,
    sealed_by: SealedBy | None = None,
) -> tuple[str, bytes]:
    """(key id, blob) of a vote, sealed as its campaign says: to the scrutineers' public key,
    read in the cast's transaction (never cached: a reprint before the first vote changes
    it), or by the server's newest secret key. A scrutineer-sealed campaign whose cards were
    never printed takes no vote: nobody could open it. ``sealed_by`` (mode, public key, suite): what
    the caller read already (a ballot's spend reads it with the questions), with the suite
    the campaign was created in (its own, whatever SURVEY_CRYPTO says now)."""
    if sealed_by is None:
        sealed_by = _sealing_of(session, campaign_id)
    mode, public_key, crypto = sealed_by
    if mode != SCRUTINEERS:
        return sealing.seal(campaign_id, payload, rows=rows, crypto=crypto)
    if public_key is None:
        raise Conflict("the scrutineer cards of this campaign were never printed")
    return sealing.seal_to(public_key, campaign_id, payload, rows=rows)
