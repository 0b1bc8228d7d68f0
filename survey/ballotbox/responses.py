"""Storing a vote: the answers checked, sealed while the campaign is open, opened at close.

Every cast -- a member's ballot, a resident's one-time code, a public poll answer -- goes
through ``store_response``: it drops one sealed envelope (survey/ballotbox/sealing.py) and draws a
receipt, in the caller's transaction, so that spending the ballot and storing the vote
commit together or not at all. Nothing in plaintext is written while the campaign is open:
on PostgreSQL the cast's transaction id (``xmin``) is shared by the ballot, the receipt, the
poll's device and hit rows and the envelope, and only the envelope holds the choice.

``open_envelopes`` runs in the closing transaction: it decrypts every envelope in memory and
keeps only counts and each 不满意 alone on its row (survey/ballotbox/counting.py): no row
written at close is a ballot, so neither the rows' physical order nor their content says
how one person voted.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from functools import lru_cache

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey.ballotbox import counting, scrutineers, sealing
from survey.core import codes
from survey.core.errors import Conflict, Invalid
from survey.core.scales import SCALES
from survey.models import Campaign, Envelope, Receipt

MAX_TEXT = 500
MAX_REASON = MAX_TEXT
HEADLINE_COMPLAINT = "dissatisfied"


def validate_answers(campaign: Campaign, submitted: Mapping[str, str | None]) -> dict[int, str]:
    """Map question id -> choice; every question needs one choice of its scale."""
    answers = {}
    for question in campaign.questions:
        choice = submitted.get(question.key)
        if choice not in SCALES[question.scale]:
            raise Invalid("every question needs one of its choices", field=question.key)
        answers[question.id] = choice
    return answers


def reason_texts(campaign: Campaign, answers: Mapping[int, str], reason: str | None) -> dict:
    """The reason is kept only with a ``dissatisfied`` headline answer (不满意的理由)."""
    headline = campaign.headline.id
    text = (reason or "").strip()[:MAX_REASON]
    if text and answers.get(headline) == HEADLINE_COMPLAINT:
        return {headline: text}
    return {}


def store_response(
    session: Session,
    campaign_id: int,
    respondent_class: str,
    answers: Mapping[int, str],
    texts: Mapping[int, str],
    geo: str | None = None,
    receipt: str | None = None,
    rows: int = 0,
    sealed_by: tuple[str, bytes | None, str] | None = None,
) -> str:
    """Seal the vote into an envelope and draw its receipt (``receipt`` first, when the
    caller drew it already); returns the receipt code. ``rows``: the ballot's number of
    questions, which alone sets the envelope's size (survey/ballotbox/sealing.py);
    ``sealed_by``: the campaign's sealing mode, public key and suite, when the caller read them."""
    payload = {
        "class": respondent_class,
        "geo": geo,
        "answers": [
            [question_id, choice, (texts.get(question_id) or "").strip()[:MAX_TEXT] or None]
            for question_id, choice in answers.items()
        ],
    }
    kid, sealed = scrutineers.seal_vote(session, campaign_id, payload, rows, sealed_by)
    session.execute(  # Core, not the ORM's unit of work: one INSERT, no object to track
        _envelope_insert(),
        {"id": secrets.token_hex(16), "campaign_id": campaign_id, "key_id": kid, "sealed": sealed},
    )
    return new_receipt(session, campaign_id, receipt)


# A cast's two INSERTs, built once per worker (Core, bound parameters): building them and
# their cache keys on every cast, and the ORM's flush of an Envelope object, cost more Python
# than the statements (bench/hotspots.py cast).
@lru_cache(maxsize=1)
def _envelope_insert():
    return insert(Envelope.__table__)


@lru_cache(maxsize=2)
def _receipt_insert(dialect: str):
    table = Receipt.__table__
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    statement = statement.values(code=bindparam("r_code"), campaign_id=bindparam("r_campaign"))
    return statement.on_conflict_do_nothing().returning(table.c.code)


def new_receipt(session: Session, campaign_id: int, first: str | None = None) -> str:
    """Store a fresh receipt code. One ``INSERT ... ON CONFLICT DO NOTHING`` (both databases
    have it): a savepoint around a plain INSERT cost two more round trips on every cast."""
    insert_receipt = _receipt_insert(session.get_bind().dialect.name)
    for attempt in range(5):
        code = first if first and attempt == 0 else codes.new_code(10)
        stored = session.execute(
            insert_receipt, {"r_code": code, "r_campaign": campaign_id}
        ).first()
        if stored is not None:
            return code
    raise RuntimeError("could not draw a unique receipt code")


def envelope_count(session: Session, campaign_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Envelope).where(Envelope.campaign_id == campaign_id)
    )


def open_envelopes(
    session: Session,
    campaign_id: int,
    small_group: int = 5,
    unseal: sealing.Unseal | None = None,
) -> int:
    """Decrypt every envelope of the campaign in memory, keep only their counts and each
    不满意 alone on its row (survey/ballotbox/counting.py), then delete the envelopes;
    returns how many. Call it in the closing transaction: a missing key (MissingKey) raises
    before anything is written, and the caller rolls back.

    ``unseal(key_id, blob)`` opens one envelope (survey/ballotbox/scrutineers.py ``opener``;
    by default the server's secret keys)."""
    rows = session.execute(
        select(Envelope.id, Envelope.key_id, Envelope.sealed).where(
            Envelope.campaign_id == campaign_id
        )
    ).all()
    unseal = unseal or sealing.opener(campaign_id)
    votes = [unseal(kid, blob) for _id, kid, blob in rows]
    counting.store_counts(session, campaign_id, votes, small_group)
    # The caller holds the campaign against new casts (its status update), so the envelopes
    # read above are all of them; a difference would mean a vote lost: refuse instead.
    deleted = session.execute(
        delete(Envelope)
        .where(Envelope.campaign_id == campaign_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if deleted != len(rows):
        raise Conflict("votes arrived while closing; close again")
    return len(votes)
