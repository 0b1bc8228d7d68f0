"""One-time ballots: generate, void, check and cast.

Casting is one write transaction with a conditional update, so that of N simultaneous
submissions of one ballot exactly one counts: ``UPDATE ballots SET status='used' WHERE
id=:id AND status='issued'`` and, only when that changed one row, the response is stored.
A read-then-update stored 15-17 votes for one token under 40 racing threads (docs/design.md).
The vote itself is stored sealed (survey/ballotbox/responses.py) in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from survey.ballotbox.responses import store_response
from survey.core import codes
from survey.core.database import is_sqlite
from survey.core.errors import AlreadyUsed, Conflict, Expired, Invalid, NotFound, NotOpen, Voided
from survey.core.scales import MASSES_MEETING, MEETING_KINDS, REPRESENTATIVE_CLASS
from survey.models import Ballot, Campaign, CampaignStatus, Organisation, Question, Receipt
from survey.models.base import utcnow
from survey.staff import audit

MAX_BATCH = 1000
MEMBER_CLASSES = ("full", "probationary")


def generate_ballots(
    session: Session, actor: str, campaign: Campaign, count: int, ballot_class: str = "full"
) -> list[Ballot]:
    """Issue ``count`` new ballots with unique short codes (draft or open campaigns)."""
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict("ballots cannot be added to a closed campaign")
    allowed = classes_of(campaign.kind)
    if ballot_class not in allowed:
        raise Invalid(f"class must be one of {', '.join(allowed)}", field="class")
    if not 1 <= count <= MAX_BATCH:
        raise Invalid(f"count must be between 1 and {MAX_BATCH}", field="count")
    wanted = set()
    while len(wanted) < count:
        wanted |= {codes.new_code() for _ in range(count - len(wanted))}
        taken = set(session.scalars(select(Ballot.code).where(Ballot.code.in_(wanted))))
        wanted -= taken
    ballots = [
        Ballot(id=secrets.token_hex(16), campaign=campaign, code=code, ballot_class=ballot_class)
        for code in wanted
    ]
    session.add_all(ballots)
    session.flush()
    audit.record(
        session, actor, "ballots.generate", campaign, count=count, ballot_class=ballot_class
    )
    return ballots


def classes_of(kind: str) -> tuple[str, ...]:
    """The classes of card a campaign of ``kind`` issues (the first is the default)."""
    if kind in MEETING_KINDS:
        return MEMBER_CLASSES
    return (REPRESENTATIVE_CLASS,) if kind == MASSES_MEETING else ("resident",)


def void_ballot(session: Session, actor: str, ballot: Ballot) -> None:
    """Void a lost card before it is used."""
    changed = session.execute(
        update(Ballot)
        .where(Ballot.id == ballot.id, Ballot.status == "issued")
        .values(status="void")
    ).rowcount
    if changed != 1:
        raise Conflict("only an unused ballot can be voided")
    session.refresh(ballot)
    audit.record(session, actor, "ballot.void", ballot.campaign, code=ballot.code)


def find_by_code(session: Session, typed: str) -> Ballot | None:
    code = codes.normalise(typed)
    if code is None:
        return None
    return session.scalar(select(Ballot).where(Ballot.code == code))


# The ballot page needs the ballot, its campaign, its organisation and its questions: one
# SELECT with joins instead of four lazy loads (bench/: 6 statements a page became 2).
PAGE_LOAD = (
    joinedload(Ballot.campaign).joinedload(Campaign.organisation),
    joinedload(Ballot.campaign).joinedload(Campaign.questions),
)


@dataclass(frozen=True)
class QuestionShape:
    id: int
    position: int
    key: str
    prompt: str
    scale: str


@dataclass(frozen=True)
class CampaignShape:
    """What a cast needs of its campaign: the questions, fixed once it is created."""

    id: int
    questions: tuple[QuestionShape, ...]
    kind: str = "member_review"
    all_rows_required: bool = True
    # who holds the key, read under the cast's hold on the campaign (never cached: printing
    # the scrutineer cards again before the first vote makes a new pair)
    sealing: str = "server"
    public_key: bytes | None = None
    crypto: str = "international"  # the suite it was created in (sealing.py)

    @property
    def headline(self) -> QuestionShape:
        return self.questions[0]


def check_ballot(session: Session, ballot_id: str | None, *, expired: bool = False) -> Ballot:
    """The ballot if it can be cast now, else the refusal in the order docs/design.md gives."""
    ballot = session.get(Ballot, ballot_id, options=PAGE_LOAD) if ballot_id else None
    if ballot is None:
        raise NotFound()
    _refuse(ballot.campaign.status, ballot.status, expired)
    return ballot


def _refuse(campaign_status, ballot_status: str, expired: bool) -> None:
    """The refusal of a ballot that exists, in the order docs/design.md gives, if any."""
    if campaign_status != CampaignStatus.OPEN:
        raise NotOpen(status=campaign_status)
    if expired:
        raise Expired()
    if ballot_status == "void":
        raise Voided()
    if ballot_status == "used":
        raise AlreadyUsed()


@dataclass(frozen=True)
class OrganisationName:
    name: str


@dataclass(frozen=True)
class PageCampaign:
    """What the member's ballot page shows of its campaign (the template reads these)."""

    id: int
    kind: str
    title: str
    year: int
    organisation: OrganisationName
    questions: tuple[QuestionShape, ...]
    all_rows_required: bool  # the member appraisal's page says so


@dataclass(frozen=True)
class PageBallot:
    id: str
    campaign: PageCampaign


# The page's one statement in Core, read into plain tuples: the ORM's identity map and its
# joined-load row processing were 35 % of a page (bench/hotspots.py page).
@lru_cache(maxsize=1)
def _page_statement():
    ballots, campaigns = Ballot.__table__, Campaign.__table__
    organisations, questions = Organisation.__table__, Question.__table__
    return (
        select(ballots.c.status, campaigns.c.id, campaigns.c.status, campaigns.c.kind)
        .add_columns(campaigns.c.title, campaigns.c.year, organisations.c.name)
        .add_columns(questions.c.id, questions.c.position, questions.c.key, questions.c.prompt)
        .add_columns(questions.c.scale, campaigns.c.all_rows_required)
        .select_from(
            ballots.join(campaigns, campaigns.c.id == ballots.c.campaign_id)
            .join(organisations, organisations.c.id == campaigns.c.organisation_id)
            .outerjoin(questions, questions.c.campaign_id == campaigns.c.id)
        )
        .where(ballots.c.id == bindparam("b_id"))
        .order_by(questions.c.position)
    )


def ballot_page(
    session: Session | Connection, ballot_id: str | None, *, expired: bool = False
) -> PageBallot:
    """``check_ballot`` for the ballot page: the same refusals in the same order, in one
    statement, answering plain values instead of ORM objects (a Connection will do)."""
    rows = session.execute(_page_statement(), {"b_id": ballot_id}).all() if ballot_id else []
    if not rows:
        raise NotFound()
    first = rows[0]
    _refuse(first[2], first[0], expired)
    questions = tuple(QuestionShape(*r[7:12]) for r in rows if r[7] is not None)
    campaign = PageCampaign(
        first[1], first[3], first[4], first[5], OrganisationName(first[6]), questions, first[12]
    )
    return PageBallot(ballot_id, campaign)


def is_older_than(ballot: Ballot, max_age_seconds: int) -> bool:
    return utcnow() - ballot.issued_at > timedelta(seconds=max_age_seconds)


def cast_ballot(
    session: Session,
    ballot_id: str,
    answers: Mapping[int, str],
    texts: Mapping[int, str] = {},
    retry_hmac: str | None = None,
) -> str:
    """Use the ballot and store its sealed vote; returns the receipt code.

    ``retry_hmac``: the HMAC of the form's one-time nonce, kept on the ballot with the
    receipt so that the same form sent again (a lost answer) is shown its receipt.
    Call it inside ``run_in_transaction``: a refusal raises, and the caller's rollback
    leaves nothing behind."""
    receipt = codes.new_code(10)
    campaign, ballot_class = spend_ballot(session, ballot_id, retry_hmac, receipt)
    return store_cast(session, ballot_id, campaign, ballot_class, answers, texts, receipt)


# The cast's two statements, built once per worker with bound parameters (building them and
# their cache keys on every cast was ~10 % of its Python, bench/hotspots.py cast). Core on the
# ballots table: the ORM's bulk-update set-up is not needed to spend a card.
@lru_cache(maxsize=1)
def _spend_statement():
    ballots, campaigns = Ballot.__table__, Campaign.__table__
    campaign_open = (
        select(campaigns.c.id)
        .where(campaigns.c.id == ballots.c.campaign_id, campaigns.c.status == CampaignStatus.OPEN)
        .exists()
    )
    return (
        update(ballots)
        .where(ballots.c.id == bindparam("b_id"), ballots.c.status == "issued", campaign_open)
        .values(
            status="used",
            retry_hmac=bindparam("b_retry"),
            receipt_code=bindparam("b_receipt"),
            channel=bindparam("b_channel"),
        )
        .returning(ballots.c.campaign_id, ballots.c.ballot_class)
    )


@lru_cache(maxsize=2)
def _questions_statement(hold: bool):  # one per dialect: PostgreSQL holds the row
    # On the tables, not the mapped classes: an entity in a statement sends it through the
    # ORM's execution path (its compile state and result set-up), a tenth of a cast's Python.
    campaigns, questions = Campaign.__table__, Question.__table__
    query = (
        select(campaigns.c.status, questions.c.id, questions.c.position, questions.c.key)
        .add_columns(questions.c.prompt, questions.c.scale, campaigns.c.kind)
        .add_columns(campaigns.c.all_rows_required, campaigns.c.sealing, campaigns.c.public_key)
        .add_columns(campaigns.c.crypto)
        .select_from(campaigns.join(questions, questions.c.campaign_id == campaigns.c.id))
        .where(campaigns.c.id == bindparam("c_id"))
        .order_by(questions.c.position)
    )
    return query.with_for_update(read=True, of=campaigns) if hold else query


def spend_ballot(
    session: Session,
    ballot_id: str | None,
    retry_hmac: str | None = None,
    receipt: str = "",
    channel: str = "phone",
) -> tuple[CampaignShape, str]:
    """Spend the ballot with one conditional ``UPDATE ... RETURNING`` (issued, of an open
    campaign); returns its campaign's questions and the ballot's class, or raises the
    refusal check_ballot gives.
    The retry HMAC, the receipt drawn for the cast and the channel (``phone``, or ``paper``
    for a teller's entry) are stored by the same statement."""
    row = session.execute(
        _spend_statement(),
        {
            "b_id": ballot_id,
            "b_retry": retry_hmac,
            "b_receipt": receipt if retry_hmac else None,
            "b_channel": channel,
        },
    ).first()
    if row is None:
        check_ballot(session, ballot_id)
        raise AlreadyUsed()
    # The questions, and on PostgreSQL a hold on the campaign row against a concurrent close
    # until this cast commits (SQLite's IMMEDIATE transaction already excludes every other
    # writer): a close that committed meanwhile is seen here, and the cast is refused.
    query = _questions_statement(not is_sqlite(session))
    rows = session.execute(query, {"c_id": row.campaign_id}).all()
    status = rows[0].status if rows else None
    if status != CampaignStatus.OPEN:
        raise NotOpen(status=status)
    questions = tuple(QuestionShape(*r[1:6]) for r in rows)
    first = rows[0]
    shape = CampaignShape(
        row.campaign_id,
        questions,
        first.kind,
        first.all_rows_required,
        first.sealing,
        first.public_key,
        first.crypto,
    )
    return shape, row.ballot_class


def store_cast(
    session, ballot_id, campaign: CampaignShape, ballot_class, answers, texts, receipt
) -> str:
    """The sealed vote of a spent ballot, under the receipt drawn for it (or a fresh one,
    recorded on the ballot, in the one-in-10^15 case that code was taken). The campaign's
    number of questions sets the envelope's size; its key, read by the spend, seals it."""
    stored = store_response(
        session,
        campaign.id,
        ballot_class,
        answers,
        texts,
        receipt=receipt,
        rows=len(campaign.questions),
        sealed_by=(campaign.sealing, campaign.public_key, campaign.crypto),
    )
    if stored != receipt:
        session.execute(
            update(Ballot)
            .where(Ballot.id == ballot_id, Ballot.receipt_code == receipt)
            .values(receipt_code=stored)
            .execution_options(synchronize_session=False)
        )
    return stored


def retried_receipt(session: Session, ballot_id: str | None, retry_hmacs: list[str]) -> str | None:
    """The receipt of a used ballot whose cast came from the same form (same nonce)."""
    if not ballot_id or not retry_hmacs:
        return None
    row = session.execute(
        select(Ballot.retry_hmac, Ballot.receipt_code).where(
            Ballot.id == ballot_id, Ballot.status == "used"
        )
    ).first()
    if row is None or row.retry_hmac not in retry_hmacs:
        return None
    return row.receipt_code


def find_receipt(session: Session, typed: str) -> Receipt | None:
    code = codes.normalise(typed, length=10)
    return session.get(Receipt, code) if code else None
