"""What residents see: the public satisfaction poll at ``/p/<slug>`` (docs/design.md contract).

Refusals in the contract's order: unknown slug 404, not open 403, device already answered
409, bad form / CSRF / honeypot / too fast 400, outside the service radius under geofence
``require`` 403 (the form comes back with the answers kept), too many answers from one
address 429 (per IP and per poll, answers taken only). Before them all, a form this
poll already took, sent again (its answer was lost on a weak signal), is shown its receipt.

An answer costs 5 SQL statements (the poll with its organisation and questions, the device
row spending the nonce with its receipt, the envelope, the receipt, the anomaly counter) and
one rate-limit storage call, made once the answer is otherwise accepted; the refusals and a
resend look further (the resent receipt, the device under older keys) only when they happen.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from forms.ballot import field_name, submitted_answers
from forms.poll import coordinate, poll_form_class
from survey import polls
from survey.ballotbox import responses
from survey.core import codes
from survey.core.error_pages import page
from survey.core.errors import AlreadyAnswered, DomainError, Invalid, NotFound, NotOpen
from survey.core.extensions import csrf, db, one_hit, unlimited
from survey.core.i18n import select_locale
from survey.core.security import serializer
from survey.core.transactions import run_in_transaction, transactional
from survey.models import CampaignStatus
from survey.views import ballot_page, deadlines
from survey.views.devices import current_device, with_device

bp = Blueprint("poll", __name__)


@bp.after_request
def private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(AlreadyAnswered)
def already_answered(_exc):
    return render_template("poll/answered.html"), 409


class Throttled(TooManyRequests):
    """The address's limit for this poll is reached: the answer is rolled back, then counted
    for the anomaly view in a transaction of its own."""

    def __init__(self, campaign_id: int) -> None:
        super().__init__()
        self.campaign_id = campaign_id


@bp.errorhandler(Throttled)
def throttled(exc: Throttled):
    _count_throttled(exc.campaign_id)
    body, status = page(429, "http")
    return body, status, {"Retry-After": "60"}


def _admitted(campaign) -> bool:
    """One more answer from this address to this poll, or False: under the rate limit (one
    storage call), then under the day's ceiling (a second). An answer refused by the ceiling
    has spent one of its minute's; that costs a stuffer, never a neighbour, anything."""
    address, prefix = get_remote_address() or "", current_app.config["RATELIMIT_KEY_PREFIX"]
    if not one_hit.hit(
        current_app.config["POLL_RATE_LIMIT"], prefix, "poll", address, campaign.slug
    ):
        return False
    ceiling = polls.daily_ceiling(campaign, current_app.config["POLL_DAILY_LIMIT"])
    day = f"{polls.MAX_DAILY_CEILING} per day"
    return one_hit.hit_within(ceiling, day, prefix, "poll-day", address, campaign.slug)


def _device_hmacs(campaign, device_id: str) -> list[str]:
    """Under every key, newest first: the newest is stored, all are looked up."""
    return [polls.device_hmac(k, campaign.id, device_id) for k in current_app.config["SECRET_KEYS"]]


def _device_tag(campaign, device_id: str) -> str:
    """What the fill stamp binds to: a keyed hash of the device id (never the id itself)."""
    return polls.keyed_hash(current_app.config["SECRET_KEY"], "stamp", campaign.id, device_id)[:16]


def _nonce_hmacs(campaign_id: int, nonce: str) -> list[str]:
    return [
        polls.keyed_hash(k, "nonce", campaign_id, nonce) for k in current_app.config["SECRET_KEYS"]
    ]


def _render(campaign, device_id: str, form=None, status: int = 200, problem: str | None = None):
    stamp = polls.stamp_value(
        campaign.id, _device_tag(campaign, device_id), secrets.token_urlsafe(16)
    )
    issued = serializer("poll_form").dumps(stamp)

    def render(form=form) -> str:
        form = form or poll_form_class(campaign)()
        form.issued.data = issued
        fields = [(q, getattr(form, field_name(q))) for q in campaign.questions]
        return render_template(
            "poll/poll.html", campaign=campaign, form=form, fields=fields, problem=problem
        )

    if form is None and problem is None and current_app.config["BALLOT_PAGE_CACHE"]:
        # A fresh page is the same for every resident but for its CSRF token and its stamp
        # (survey/views/ballot_page.py): kept per worker, those two put in per request.
        html = ballot_page.kept(_page_key(campaign), (generate_csrf(), issued), render)
    else:
        html = render()
    return with_device(make_response(html, status), device_id)


def _page_key(campaign) -> tuple:
    """Everything poll/poll.html reads of a fresh page: an edited poll is another key."""
    questions = tuple((q.position, q.key, q.prompt, q.scale) for q in campaign.questions)
    return (
        "poll",
        campaign.id,
        campaign.slug,
        campaign.title,
        campaign.organisation.name,
        campaign.year,
        campaign.closes_on,
        campaign.geofence,
        questions,
        select_locale(),
        request.script_root,
    )


def _count_throttled(campaign_id: int) -> None:
    """Count the refused answer for the anomaly view; a failure to count refuses nothing."""
    try:
        run_in_transaction(
            db.session,
            lambda: polls.count_throttled(db.session, campaign_id, **_client_hashes()),
        )
    except SQLAlchemyError:
        current_app.logger.warning("could not count a throttled poll answer")


def _client_hashes() -> dict[str, str]:
    secret = current_app.config["SECRET_KEY"]
    return {
        "ip_hash": polls.client_hash(secret, "ip", get_remote_address() or ""),
        "ua_hash": polls.client_hash(secret, "ua", request.headers.get("User-Agent", "")),
    }


def _screen(campaign, form, device_id: str):
    """The form, the honeypot, the stamp (this poll, this device, old enough), the position
    and the answers: (nonce, geo, answers, reason), or the refusal (an error, or the form again)."""
    if not form.validate():
        return _render(campaign, device_id, form, 400, "form")
    if form.website.data:
        return Invalid("honeypot")  # a bot filled the hidden field: the generic 400 page
    try:
        nonce = polls.check_fill_time(
            serializer("poll_form"),
            form.issued.data,
            campaign.id,
            _device_tag(campaign, device_id),
            current_app.config["POLL_MIN_FILL_SECONDS"],
        )
        geo = polls.locate(
            campaign.organisation, coordinate(form.lat.data), coordinate(form.lon.data)
        )
        polls.check_geofence(campaign, geo)
        answers = responses.validate_answers(campaign, submitted_answers(form, campaign))
    except DomainError as refusal:
        if refusal.reason in ("too_fast", "outside"):
            return _render(campaign, device_id, form, refusal.status, _problem(refusal))
        return refusal
    return nonce, geo, answers, form.reason.data


def _problem(refusal: DomainError) -> str:
    """A position read outside the area is not a position refused: each is told its own way."""
    if refusal.reason == "outside" and refusal.detail.get("geo") == "outside":
        return "outside_area"
    return refusal.reason


def _stamp_nonce() -> tuple[int, str] | None:
    """(poll, nonce) of the posted form's genuine stamp, whatever its age and its device."""
    try:
        value = serializer("poll_form").loads(request.form.get("issued") or "")
    except BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 3 or not isinstance(value[0], int):
        return None
    return value[0], str(value[2])


def _resent(campaign):
    """The redirect to the receipt when this same form was already taken: a resend after a
    lost answer (static/keep.js sends the very same body) ends on its receipt, before every
    refusal. The stamp's nonce is the idempotency key: neither the device cookie (lost or
    renewed) nor the address's rate limit refuses it, and it is never counted again. Looked
    up only on the way to a refusal (a taken form is refused by ``spend_form``), when this
    request has written nothing: the poll's row is held before ``spend_form``, so no close
    comes between a spend and its refusal, and the receipt read is always another request's."""
    found = _stamp_nonce()
    if found is None or found[0] != campaign.id:
        return None
    receipt = polls.retried_receipt(db.session, campaign.id, _nonce_hmacs(*found))
    return redirect(url_for("public.receipt", code=receipt), code=303) if receipt else None


def _refuse(campaign, device_id: str, refusal):
    """A refusal in the contract's order: a resend's receipt, then 409, then ``refusal``."""
    resent = _resent(campaign)
    if resent is not None:
        return resent
    if polls.has_answered(db.session, campaign.id, _device_hmacs(campaign, device_id)):
        raise AlreadyAnswered()
    if isinstance(refusal, Exception):
        raise refusal
    return refusal


def _poll_or_404(slug: str, lock: bool = False):
    campaign = polls.load_poll(db.session, slug, lock=lock)
    if campaign is None:
        raise NotFound()
    return campaign


def _not_open(campaign) -> NotOpen:
    """403; a poll still open past its closing date is closed first, in a transaction of its
    own, so that the page already says so (survey/views/deadlines.py)."""
    status = campaign.status
    if status == CampaignStatus.OPEN and deadlines.close_overdue(db.session, campaign.slug):
        status = CampaignStatus.CLOSED
    return NotOpen(status=status)


@bp.get("/p/<slug>")
@unlimited
def poll(slug: str):
    campaign = _poll_or_404(slug)
    if not polls.is_open(campaign):
        raise _not_open(campaign)
    device_id = current_device()
    if polls.has_answered(db.session, campaign.id, _device_hmacs(campaign, device_id)):
        raise AlreadyAnswered()
    return _render(campaign, device_id)


@bp.post("/p/<slug>")
@unlimited  # its limits are taken by _admitted, once the answer is otherwise accepted
@csrf.exempt  # checked by the form after the poll and the device, keeping the contract's order
@transactional
def answer(slug: str):
    campaign = _poll_or_404(slug, lock=True)
    if not polls.is_open(campaign):
        resent = _resent(campaign)  # a resend is answered its receipt even once closed
        if resent is None:
            raise _not_open(campaign)
        return resent
    device_id = current_device()
    screened = _screen(campaign, poll_form_class(campaign)(), device_id)
    if not isinstance(screened, tuple):
        return _refuse(campaign, device_id, screened)
    nonce, geo, answers, reason = screened
    devices, receipt = _device_hmacs(campaign, device_id), codes.new_code(10)
    nonce_hmac = _nonce_hmacs(campaign.id, nonce)[0]
    spent = polls.spend_form(db.session, campaign.id, devices, nonce_hmac, receipt)
    if spent is None:  # this form was taken (a resend), or this device answered
        return _refuse(campaign, device_id, AlreadyAnswered())
    if not _admitted(campaign):  # last, as in the contract: refusals are never counted
        raise Throttled(campaign.id)
    receipt = polls.store_answer(
        db.session, campaign, answers, spent, receipt,
        reason=reason, geo=geo, **_client_hashes(),
    )  # fmt: skip
    return with_device(redirect(url_for("public.receipt", code=receipt), code=303), device_id)
