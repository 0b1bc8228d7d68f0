"""Public satisfaction polls (群众评判, docs/rules.md §1-2): answering by slug, the service radius,
and what stands against ballot stuffing without shutting out neighbours.

One answer per device (only an HMAC of the signed device id is stored), a minimum time to
fill the form, a fill stamp bound to the device and spent once, a honeypot, per-IP limits (in
the view: one hit on the limiter's storage once an answer is accepted) and anomaly counters
kept apart from the responses. The answer itself is sealed (survey/ballotbox/responses.py):
the device and hit rows written in the same transaction share its PostgreSQL ``xmin`` only with an
encrypted envelope. A position is reported by the phone and can be faked: it is a flag for
the reviewer, not proof.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache

from itsdangerous import BadSignature, SignatureExpired
from limits import parse
from sqlalchemy import Integer, String, bindparam, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey.ballotbox import counting
from survey.ballotbox.ballots import QuestionShape
from survey.ballotbox.responses import reason_texts, store_response
from survey.core import codes
from survey.core.errors import (
    AlreadyAnswered,
    Invalid,
    NotFound,
    NotOpen,
    OutsideArea,
    TooFast,
)
from survey.core.timezone import local_today
from survey.models import (
    Campaign,
    CampaignStatus,
    Organisation,
    PollDevice,
    PollHit,
    Question,
)
from survey.models.base import utcnow
from survey.staff import audit

KIND = "public_satisfaction"
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
GEO_VALUES = ("inside", "outside", "unknown")
BOUNDARY_SLACK_M = 0.001
CLUSTER_MIN = 10
FORM_MAX_AGE = 24 * 3600  # a poll page left open longer is sent again with a fresh stamp


@dataclass(frozen=True)
class PollOrganisation:
    """What a poll page and answer read of the branch: its name and service area."""

    name: str
    service_lat: float | None
    service_lon: float | None
    service_radius_m: int | None

    service_area = Organisation.service_area  # the same rule, read off the same four fields


@dataclass(frozen=True)
class PollShape:
    """What a poll page and answer read of the campaign, as plain values (the templates,
    the form class, the geofence, the closing date, the ceiling and the reason rule)."""

    id: int
    slug: str
    title: str
    year: int
    status: str
    closes_on: date | None
    geofence: str
    answers_per_address_day: int | None
    sealing: str  # how its answers are sealed (survey/ballotbox/scrutineers.py): mode,
    public_key: bytes | None  # the scrutineers' key, read under the answer's hold,
    crypto: str  # and the suite it was created in
    organisation: PollOrganisation
    questions: tuple[QuestionShape, ...]

    @property
    def headline(self) -> QuestionShape:
        return self.questions[0]


# The statement's columns are the shapes' fields, named as the tables' columns: campaign,
# then organisation, then question (one row per question).
_CAMPAIGN_FIELDS = tuple(f.name for f in fields(PollShape))[:-2]  # organisation, questions last
_PLACE_FIELDS = tuple(f.name for f in fields(PollOrganisation))
_QUESTION_FIELDS = tuple(f.name for f in fields(QuestionShape))
_PLACE_AT = len(_CAMPAIGN_FIELDS)  # where a row's organisation starts
_QUESTION_AT = _PLACE_AT + len(_PLACE_FIELDS)  # and its question


def load_poll(session: Session, slug: str, *, lock: bool = False) -> PollShape | None:
    """The public poll at ``slug`` with its organisation and its questions, in one ``SELECT``
    read into plain values (a page and an answer need all three; as ORM objects, their
    joined-load row processing was a seventh of a poll's GET and POST, bench/hotspots.py
    poll). ``lock``: the campaign's row ``FOR SHARE`` for the rest of the transaction, so
    that a close waits for the answer being stored (as a cast)."""
    rows = session.execute(_poll_query(lock), {"slug": slug}).all()
    if not rows:
        return None
    first, at = rows[0], _QUESTION_AT
    questions = tuple(QuestionShape(*row[at:]) for row in rows if row[at] is not None)
    return PollShape(*first[:_PLACE_AT], PollOrganisation(*first[_PLACE_AT:at]), questions)


# The hot statements of a poll page and answer, each built once per worker with bound
# parameters, and on the tables where no object is loaded: building them (and their cache
# keys) per request, and the ORM's bulk path for the inserts, cost more Python than the
# statements themselves (bench/hotspots.py poll).
@lru_cache(maxsize=2)
def _poll_query(lock: bool):
    campaigns, organisations = Campaign.__table__, Organisation.__table__
    questions = Question.__table__
    query = (
        select(*(campaigns.c[name] for name in _CAMPAIGN_FIELDS))
        .add_columns(*(organisations.c[name] for name in _PLACE_FIELDS))
        .add_columns(*(questions.c[name] for name in _QUESTION_FIELDS))
        .select_from(
            campaigns.join(
                organisations, organisations.c.id == campaigns.c.organisation_id
            ).outerjoin(questions, questions.c.campaign_id == campaigns.c.id)
        )
        .where(campaigns.c.slug == bindparam("slug"), campaigns.c.kind == KIND)
        .order_by(questions.c.position)
    )
    return query.with_for_update(read=True, of=campaigns) if lock else query


def _device_of(table, campaign, devices):
    return (table.c.campaign_id == campaign) & table.c.device_hmac.in_(devices)


@lru_cache(maxsize=1)
def _answered_query():
    devices = PollDevice.__table__
    where = _device_of(devices, bindparam("d_campaign"), bindparam("d_devices", expanding=True))
    return select(devices.c.id).where(where)


@lru_cache(maxsize=2)
def _spend_statement(dialect: str):
    devices = PollDevice.__table__
    where = _device_of(devices, bindparam("d_campaign"), bindparam("d_devices", expanding=True))
    row = select(
        bindparam("d_campaign", type_=Integer),
        bindparam("d_device", type_=String),
        bindparam("d_nonce", type_=String),
        bindparam("d_receipt", type_=String),
    ).where(~exists().where(where))
    columns = ["campaign_id", "device_hmac", "nonce_hmac", "receipt_code"]
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(devices).from_select(columns, row).on_conflict_do_nothing()
    return statement.returning(devices.c.id)


@lru_cache(maxsize=4)
def _hit_statement(dialect: str, column: str):
    hits = PollHit.__table__
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(hits).values(
        campaign_id=bindparam("h_campaign"),
        hour=bindparam("h_hour"),
        ip_hash=bindparam("h_ip"),
        ua_hash=bindparam("h_ua"),
        count=bindparam("h_count"),
        throttled=bindparam("h_throttled"),
    )
    return statement.on_conflict_do_update(
        index_elements=["campaign_id", "hour", "ip_hash", "ua_hash"],
        set_={column: hits.c[column] + 1},
    )


def is_open(campaign: Campaign | PollShape) -> bool:
    return campaign.status == CampaignStatus.OPEN and not past_closing_date(campaign)


def past_closing_date(campaign: Campaign | PollShape) -> bool:
    """The poll's closing date (the last day it is open, where the organisation is) has
    passed: it takes no answer even if closing it failed (survey/views/deadlines.py closes it)."""
    return campaign.closes_on is not None and campaign.closes_on < local_today()


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def locate(
    organisation: Organisation | PollOrganisation, lat: float | None, lon: float | None
) -> str:
    """``inside`` / ``outside`` the branch's service radius (服务半径), or ``unknown``."""
    area = organisation.service_area()
    if area is None or not area["radius_m"] or lat is None or lon is None:
        return "unknown"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return "unknown"
    distance = haversine_m(area["lat"], area["lon"], lat, lon)
    # The boundary is inside; a millimetre absorbs float rounding (no phone is that precise).
    return "inside" if distance <= area["radius_m"] + BOUNDARY_SLACK_M else "outside"


def check_geofence(campaign: Campaign | PollShape, geo: str) -> None:
    if campaign.geofence == "require" and geo != "inside":
        raise OutsideArea(geo=geo)


def keyed_hash(secret: str, *parts: object) -> str:
    """HMAC-SHA256 hex of the parts: a stored value that cannot be reversed or guessed."""
    message = "\x1f".join(str(p) for p in parts).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def device_hmac(secret: str, campaign_id: int, device_id: str) -> str:
    return keyed_hash(secret, "device", campaign_id, device_id)


def client_hash(secret: str, kind: str, value: str) -> str:
    """Truncated HMAC that rotates daily: clusters show within a day, never an address."""
    return keyed_hash(secret, kind, utcnow().date().isoformat(), value)[:16]


def has_answered(session: Session, campaign_id: int, devices: list[str]) -> bool:
    """``devices``: the device's HMAC under every secret key (newest first), so that a key
    rotation does not let a phone answer again."""
    found = session.scalar(_answered_query(), {"d_campaign": campaign_id, "d_devices": devices})
    return found is not None


def stamp_value(campaign_id: int, device_tag: str, nonce: str) -> list:
    """What the form's signed fill stamp carries: the poll, the device it was issued to (a
    keyed hash of its id) and the form's one-time nonce."""
    return [campaign_id, device_tag, nonce]


def read_stamp(serializer, stamp: str | None, campaign_id: int, device_tag: str):
    """(nonce, issued at) of a genuine stamp of this poll for this device, else TooFast."""
    try:
        value, issued = serializer.loads(stamp or "", max_age=FORM_MAX_AGE, return_timestamp=True)
    except (SignatureExpired, BadSignature):
        raise TooFast("stale or forged form stamp") from None
    if not isinstance(value, list) or len(value) != 3 or value[0] != campaign_id:
        raise TooFast("form stamp of another poll")
    if value[1] != device_tag:
        raise TooFast("form stamp of another device")
    return value[2], issued


def check_fill_time(
    serializer, stamp: str | None, campaign_id: int, device_tag: str, min_seconds: float
) -> str:
    """The signed stamp must be for this poll and this device, and old enough; returns the
    form's nonce (spent by ``answer_poll``)."""
    nonce, issued = read_stamp(serializer, stamp, campaign_id, device_tag)
    if (utcnow() - issued.replace(tzinfo=None)).total_seconds() < min_seconds:
        raise TooFast()
    return nonce


def retried_receipt(session: Session, campaign_id: int, nonces: list[str]) -> str | None:
    """The receipt of the answer sent from this same form (its nonce), if it was taken."""
    if not nonces:
        return None
    return session.scalar(
        select(PollDevice.receipt_code).where(
            PollDevice.campaign_id == campaign_id, PollDevice.nonce_hmac.in_(nonces)
        )
    )


def answer_poll(
    session: Session,
    campaign: Campaign,
    answers: Mapping[int, str],
    *,
    reason: str | None,
    geo: str,
    device: str,
    ip_hash: str,
    ua_hash: str,
    nonce_hmac: str | None = None,
) -> str:
    """Store the device row, the sealed answer and its receipt, and the anomaly counter;
    returns the receipt code. ``nonce_hmac`` spends the form's one-time nonce: a form used
    once is refused (AlreadyAnswered), and the same form sent again finds its receipt.
    Call it inside ``run_in_transaction``: all or nothing. (The public page does the same
    in two steps, ``spend_form`` then ``store_answer``, with its rate limit between.)"""
    status = session.scalar(
        select(Campaign.status).where(Campaign.id == campaign.id).with_for_update(read=True)
    )
    if status != CampaignStatus.OPEN:
        raise NotOpen(status=status)
    receipt = codes.new_code(10)
    spent = spend_form(session, campaign.id, [device], nonce_hmac, receipt)
    if spent is None:
        raise AlreadyAnswered()
    return store_answer(
        session, campaign, answers, spent, receipt,
        reason=reason, geo=geo, ip_hash=ip_hash, ua_hash=ua_hash,
    )  # fmt: skip


def spend_form(
    session: Session, campaign_id: int, devices: list[str], nonce_hmac: str | None, receipt: str
) -> int | None:
    """The device row (``devices[0]``, the newest key's HMAC) with the form's nonce and the
    receipt drawn for it, in one ``INSERT``; its id, or None when this device answered
    already (under any key of ``devices``) or this form's nonce was spent. The campaign's
    row must be held (``load_poll(lock=True)``): the poll is open for this transaction."""
    statement = _spend_statement(session.get_bind().dialect.name)
    values = {"d_campaign": campaign_id, "d_devices": devices, "d_device": devices[0]}
    values |= {"d_nonce": nonce_hmac, "d_receipt": receipt}
    return session.execute(statement, values).scalar()


def store_answer(
    session: Session,
    campaign: Campaign | PollShape,
    answers: Mapping[int, str],
    spent: int,
    receipt: str,
    *,
    reason: str | None,
    geo: str,
    ip_hash: str,
    ua_hash: str,
) -> str:
    """The sealed answer, its receipt (``receipt``, drawn by ``spend_form``) and the anomaly
    counter; returns the receipt code. Three statements; a fourth only in the rare case the
    drawn receipt was taken and another was drawn (the device row ``spent`` then says it)."""
    if geo not in GEO_VALUES:
        raise ValueError(geo)
    texts = reason_texts(campaign, answers, reason)
    sealed_by = (campaign.sealing, campaign.public_key, campaign.crypto)
    stored = store_response(
        session, campaign.id, "public", answers, texts, geo=geo, receipt=receipt,
        sealed_by=sealed_by,
    )  # fmt: skip
    if stored != receipt:
        session.execute(
            update(PollDevice).where(PollDevice.id == spent).values(receipt_code=stored)
        )
    _count_hit(session, campaign.id, ip_hash, ua_hash)
    return stored


def _count_hit(
    session: Session, campaign_id: int, ip_hash: str, ua_hash: str, column: str = "count"
) -> None:
    """One more answer taken (``count``) or refused by the per-address limit (``throttled``)."""
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    counters = {"h_count": 0, "h_throttled": 0, f"h_{column}": 1}
    session.execute(
        _hit_statement(session.get_bind().dialect.name, column),
        {"h_campaign": campaign_id, "h_hour": hour, "h_ip": ip_hash, "h_ua": ua_hash} | counters,
    )


def count_throttled(session: Session, campaign_id: int, ip_hash: str, ua_hash: str) -> None:
    """An answer the per-address limit refused, counted for the anomaly view (never stored)."""
    _count_hit(session, campaign_id, ip_hash, ua_hash, column="throttled")


def geo_counts(session: Session, campaign: Campaign) -> dict[str, int]:
    """Inside / outside / unknown; ``code`` counts one-time resident codes (no position)."""
    counts = dict.fromkeys((*GEO_VALUES, "code"), 0)
    for geo, n in counting.geo_counts(session, campaign).items():
        counts["code" if geo == counting.NO_GEO else geo] += n
    return counts


def anomaly_report(session: Session, campaign: Campaign, top: int = 5) -> dict:
    """Answers per hour, the largest same-IP-hash and same-user-agent clusters, and the
    inside/outside/unknown counts, so that a burst is visible rather than silently counted."""
    where = PollHit.campaign_id == campaign.id
    total = func.sum(PollHit.count)
    refused = func.sum(PollHit.throttled)
    per_hour = session.execute(
        select(PollHit.hour, total, refused)
        .where(where)
        .group_by(PollHit.hour)
        .order_by(PollHit.hour)
    ).all()

    def clusters(column):
        rows = session.execute(
            select(column, total)
            .where(where)
            .group_by(column)
            .order_by(total.desc(), column)
            .limit(top)
        ).all()
        return [{"hash": h, "answers": int(n), "flagged": _is_cluster(n, answers)} for h, n in rows]

    answers = sum(int(n) for _, n, _t in per_hour)
    return {
        "per_hour": [{"hour": h, "answers": int(n), "throttled": int(t)} for h, n, t in per_hour],
        "peak_hour": max((int(n) for _, n, _t in per_hour), default=0),
        "throttled": sum(int(t) for _, _n, t in per_hour),
        "ip_clusters": clusters(PollHit.ip_hash),
        "ua_clusters": clusters(PollHit.ua_hash),
        # positions are sealed with the answers: known once the poll is closed
        "geo": geo_counts(session, campaign) if campaign.status == CampaignStatus.CLOSED else None,
        "answers": answers,
    }


def _is_cluster(count: int, answers: int) -> bool:
    """Worth a closer look: at least 10 answers and over a quarter of all from one source.
    A household or a carrier network can do that honestly, so it is a flag, not a verdict."""
    return count >= CLUSTER_MIN and count * 4 > answers


MAX_DAILY_CEILING = 10_000  # one address, one day: beyond that a poll is a ballot-stuffing box


def daily_ceiling(campaign: Campaign | PollShape, default: int) -> int:
    """Answers one address may give this poll in a day: the committee's, else the setting's."""
    return campaign.answers_per_address_day or default


def stuffing_bounds(campaign: Campaign, rate_limit: str, default_daily: int) -> dict:
    """What a determined stuffer gets from one address with a fresh cookie for every answer:
    the rate limit's answers a window, at most ``hour`` an hour and ``day`` a day."""
    item = parse(rate_limit)
    day = daily_ceiling(campaign, default_daily)
    hour = min(item.amount * 3600 // item.get_expiry(), day)
    return {"amount": item.amount, "seconds": item.get_expiry(), "hour": hour, "day": day}


def set_daily_ceiling(
    session: Session, actor: str, campaign: Campaign, ceiling: int | None
) -> None:
    """The committee's ceiling of answers from one address in a day (None: the setting's)."""
    if campaign.kind != KIND:
        raise NotFound()
    if ceiling is not None and not 1 <= ceiling <= MAX_DAILY_CEILING:
        raise Invalid(f"between 1 and {MAX_DAILY_CEILING}", field="answers_per_address_day")
    campaign.answers_per_address_day = ceiling
    audit.record(session, actor, "campaign.daily_ceiling", campaign, ceiling=ceiling)


def set_closing_date(session: Session, actor: str, campaign: Campaign, closes_on) -> None:
    """The closing date printed on the poster: the last day the poll is open. The first
    request after it closes the poll (survey/views/deadlines.py); staff may close it earlier."""
    if campaign.kind != KIND:
        raise NotFound()
    campaign.closes_on = closes_on
    audit.record(
        session,
        actor,
        "campaign.closes_on",
        campaign,
        closes_on=closes_on and closes_on.isoformat(),
    )
