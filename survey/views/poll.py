"""What residents see: the public satisfaction poll at ``/p/<slug>`` (docs/design.md contract).

Refusals in the contract's order: unknown slug 404, not open 403, device already answered
409, bad form / CSRF / honeypot / too fast 400, outside the service radius under geofence
``require`` 403 (the form comes back with the answers kept), too many answers from one
address 429 (Flask-Limiter, per IP and per poll; POSTs only). Before them all, a form this
poll already took, sent again (its answer was lost on a weak signal), is shown its receipt.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature
from sqlalchemy.exc import SQLAlchemyError

from forms.ballot import field_name, submitted_answers
from forms.poll import coordinate, poll_form_class
from survey import polls, responses
from survey.database import run_in_transaction, transactional
from survey.errors import AlreadyAnswered, Invalid, OutsideArea, TooFast
from survey.extensions import csrf, db, limiter
from survey.models import Campaign
from survey.security import serializer
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


def _rate_limit() -> str:
    return current_app.config["POLL_RATE_LIMIT"]


def _rate_key() -> str:
    """Per address AND per poll: a busy neighbourhood poll does not block another."""
    return f"poll|{get_remote_address()}|{(request.view_args or {}).get('slug', '')}"


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
    form = form or poll_form_class(campaign)()
    stamp = polls.stamp_value(
        campaign.id, _device_tag(campaign, device_id), secrets.token_urlsafe(16)
    )
    form.issued.data = serializer("poll_form").dumps(stamp)
    fields = [(q, getattr(form, field_name(q))) for q in campaign.questions]
    html = render_template(
        "poll/poll.html", campaign=campaign, form=form, fields=fields, problem=problem
    )
    return with_device(make_response(html, status), device_id)


def _count_throttled() -> None:
    """Count the refused answer for the anomaly view; a failure to count refuses nothing."""
    slug = (request.view_args or {}).get("slug", "")
    try:
        run_in_transaction(
            db.session, lambda: polls.count_throttled(db.session, slug, **_client_hashes())
        )
    except SQLAlchemyError:
        current_app.logger.warning("could not count a throttled poll answer")


def _client_hashes() -> dict[str, str]:
    secret = current_app.config["SECRET_KEY"]
    return {
        "ip_hash": polls.client_hash(secret, "ip", get_remote_address() or ""),
        "ua_hash": polls.client_hash(secret, "ua", request.headers.get("User-Agent", "")),
    }


def _screen(campaign, form, device_id: str) -> tuple[str, str]:
    """The stamp (this poll, this device, old enough), then the position; returns the form's
    nonce and inside / outside / unknown."""
    nonce = polls.check_fill_time(
        serializer("poll_form"),
        form.issued.data,
        campaign.id,
        _device_tag(campaign, device_id),
        current_app.config["POLL_MIN_FILL_SECONDS"],
    )
    geo = polls.locate(campaign.organisation, coordinate(form.lat.data), coordinate(form.lon.data))
    polls.check_geofence(campaign, geo)
    return nonce, geo


def _stamp_nonce() -> tuple[int, str] | None:
    """(poll, nonce) of the posted form's genuine stamp, whatever its age and its device."""
    try:
        value = serializer("poll_form").loads(request.form.get("issued") or "")
    except BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 3 or not isinstance(value[0], int):
        return None
    return value[0], str(value[2])


def _retried_receipt() -> tuple[int, str] | None:
    """(poll, receipt) when this same form was already taken: a resend after a lost answer
    (static/keep.js sends the very same body) ends on its receipt. The stamp's nonce is the
    idempotency key: neither the device cookie (lost or renewed) nor the address's rate
    limit refuses it, and it is never counted as a new answer. Read once per request."""
    if "poll_retry" not in g:
        g.poll_retry = None
        found = _stamp_nonce() if request.method == "POST" else None
        if found is not None:
            campaign_id, nonce = found
            try:
                receipt = polls.retried_receipt(
                    db.session, campaign_id, _nonce_hmacs(campaign_id, nonce)
                )
            except SQLAlchemyError:
                db.session.rollback()  # the view meets the outage itself and answers 503
                receipt = None
            g.poll_retry = (campaign_id, receipt) if receipt else None
    return g.poll_retry


def _slug_of(campaign_id: int) -> str | None:
    campaign = db.session.get(Campaign, campaign_id)
    return campaign.slug if campaign is not None else None


@bp.get("/p/<slug>")
def poll(slug: str):
    campaign = polls.find_poll(db.session, slug)
    device_id = current_device()
    if polls.has_answered(db.session, campaign.id, _device_hmacs(campaign, device_id)):
        raise AlreadyAnswered()
    return _render(campaign, device_id)


@bp.post("/p/<slug>")
# Counts answers taken (303), as the contract words it: a refusal (404, 403, 409, 400) is
# never turned into a 429 by the refusals before it.
@limiter.limit(
    _rate_limit,
    key_func=_rate_key,
    deduct_when=lambda response: response.status_code == 303,
    exempt_when=lambda: _retried_receipt() is not None,
    on_breach=lambda _limit: _count_throttled(),
)
@csrf.exempt  # checked by the form after the poll and the device, keeping the contract's order
@transactional
def answer(slug: str):
    retried = _retried_receipt()
    if retried is not None and _slug_of(retried[0]) == slug:  # before 403: a poll closed since
        return redirect(url_for("public.receipt", code=retried[1]), code=303)
    campaign = polls.find_poll(db.session, slug)
    device_id = current_device()
    devices = _device_hmacs(campaign, device_id)
    if polls.has_answered(db.session, campaign.id, devices):
        raise AlreadyAnswered()
    form = poll_form_class(campaign)()
    if not form.validate():
        return _render(campaign, device_id, form, 400, "form")
    if form.website.data:
        raise Invalid("honeypot")  # a bot filled the hidden field: the generic 400 page
    try:
        nonce, geo = _screen(campaign, form, device_id)
    except (TooFast, OutsideArea) as refusal:
        return _render(campaign, device_id, form, refusal.status, refusal.reason)
    answers = responses.validate_answers(campaign, submitted_answers(form, campaign))
    receipt = polls.answer_poll(
        db.session,
        campaign,
        answers,
        reason=form.reason.data,
        geo=geo,
        device=devices[0],
        nonce_hmac=_nonce_hmacs(campaign.id, nonce)[0],
        **_client_hashes(),
    )
    return with_device(redirect(url_for("public.receipt", code=receipt), code=303), device_id)
