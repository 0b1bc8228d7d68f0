"""What members see: the ballot by link or short code, and the receipt."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from itsdangerous import BadSignature

from forms.ballot import CodeForm, ballot_form_class, field_name, submitted_answers
from survey import appraisal, polls
from survey.ballotbox import ballots, responses
from survey.campaigns import meeting
from survey.core import codes
from survey.core.errors import AlreadyUsed, Expired, Invalid, NotFound, NotOpen
from survey.core.extensions import csrf, db, limiter, unlimited
from survey.core.security import ballot_token, read_ballot_token, serializer
from survey.core.transactions import transactional
from survey.models import Campaign
from survey.views import appraisal_ballot, ballot_page

bp = Blueprint("public", __name__)
CODE_GUESS_LIMIT = "30 per minute"


@bp.after_request
def private(response):
    """Ballots must not be cached, nor leak their token through Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(AlreadyUsed)
def already_used(_exc):
    """The used card's refusal (409), as errors/error.html words it, with static/keep.js: a
    phone whose own submission of this card is still pending sends it again instead, and is
    shown its receipt (the resend carries the form's nonce), never this page."""
    return render_template("public/used.html"), 409


@bp.get("/")
def index():
    return render_template("public/index.html", form=CodeForm())


def _resolve_token(token: str):
    ballot_id, expired = read_ballot_token(token, current_app.config["BALLOT_MAX_AGE"])
    return ballots.check_ballot(db.session, ballot_id, expired=expired)


def _form_nonce(ballot_id: str) -> str:
    """A random one-time nonce for this page, signed and bound to the ballot."""
    return serializer("ballot_nonce").dumps([ballot_id, secrets.token_urlsafe(16)])


def _retry_hmacs(ballot_id: str | None) -> list[str]:
    """HMACs (under every key, newest first) of the posted form's nonce, if it is genuine
    and for this ballot; [] otherwise."""
    try:
        bound, nonce = serializer("ballot_nonce").loads(request.form.get("nonce", ""))
    except (BadSignature, TypeError, ValueError):
        return []
    if bound != ballot_id:
        return []
    return [
        polls.keyed_hash(k, "retry", ballot_id, nonce) for k in current_app.config["SECRET_KEYS"]
    ]


def _render_ballot(ballot, token: str, form=None, status: int = 200):
    nonce = _form_nonce(ballot.id)
    if appraisal.is_appraisal(ballot.campaign):
        return appraisal_ballot.page(ballot, token, nonce, status=status)
    then = _then_token()

    def render(form=form) -> str:
        form = form or ballot_form_class(ballot.campaign)()
        form.nonce.data = nonce
        fields = [(q, getattr(form, field_name(q))) for q in ballot.campaign.questions]
        return render_template(
            "public/ballot.html", ballot=ballot, token=token, form=form, fields=fields, then=then
        )

    if form is None and current_app.config["BALLOT_PAGE_CACHE"]:
        return ballot_page.serve(ballot.campaign, token, then, nonce, render), status
    return render(), status


def _page_ballot(token: str):
    """The ballot as its page shows it (one Core statement, plain values), or the refusal;
    the member appraisal's page reads its members' rows apart (appraisal.ballot_rows)."""
    ballot_id, expired = read_ballot_token(token, current_app.config["BALLOT_MAX_AGE"])
    with db.engine.connect() as connection:  # one read: no Session to set up and tear down
        return ballots.ballot_page(connection, ballot_id, expired=expired)


@bp.get("/b/<token>")
@unlimited
def ballot(token: str):
    try:
        return _render_ballot(_page_ballot(token), token)
    except (AlreadyUsed, NotOpen, Expired):
        # A card carrying two ballots scanned again after the first was cast (the phone lost
        # the receipt page), or after the first campaign closed or its link aged: on to the
        # second ballot, which answers for itself.
        then = _then_token()
        if then is None:
            raise
        return redirect(url_for("public.ballot", token=then), code=303)


@bp.post("/b/<token>")
@unlimited
@csrf.exempt  # checked by the form after the ballot, to keep docs/design.md's order of refusals
@transactional
def cast(token: str):
    ballot_id, expired = read_ballot_token(token, current_app.config["BALLOT_MAX_AGE"])
    try:
        return _cast(token, ballot_id, expired)
    except (AlreadyUsed, NotOpen, Expired):
        # The same form sent again (the answer to the first one was lost, and meanwhile the
        # campaign may have closed or the link aged): its receipt, never "not recorded".
        # Rolled back first: a cast refused after spending its card (a close committed while
        # it waited on the campaign row) must not take its own uncommitted spend for an
        # earlier cast of this form -- that answered a receipt and committed the spend
        # without the vote. Only a committed cast is "the same form sent again".
        db.session.rollback()
        receipt = ballots.retried_receipt(db.session, ballot_id, _retry_hmacs(ballot_id))
        if receipt is None:
            raise
        return redirect(url_for("public.receipt", code=receipt, then=_then_token()), code=303)


def _cast(token: str, ballot_id: str | None, expired: bool):
    """Spend first (one conditional UPDATE: the refusals 404/403/410/409 come from it), then
    check the form; a bad form rolls the spend back and shows the page again (400). The
    token was read once by the caller: its signature is checked under every key."""
    if expired or not ballot_id:
        _resolve_token(token)  # raises the refusal in docs/design.md's order
    retry = _retry_hmacs(ballot_id)
    receipt = codes.new_code(10)
    campaign, ballot_class = ballots.spend_ballot(
        db.session, ballot_id, retry[0] if retry else None, receipt
    )
    if appraisal.is_appraisal(campaign):
        return appraisal_ballot.cast(
            token, ballot_id, campaign, ballot_class, retry, receipt, _rerender_appraisal(token)
        )
    form = ballot_form_class(campaign)()
    if not form.validate():
        db.session.rollback()
        return _render_ballot(_page_ballot(token), token, form, status=400)
    if not retry:
        raise Invalid("stale or forged form nonce", field="nonce")
    answers = responses.validate_answers(campaign, submitted_answers(form, campaign))
    texts = responses.reason_texts(
        campaign, answers, getattr(form, "reason", None) and form.reason.data
    )
    receipt = ballots.store_cast(
        db.session, ballot_id, campaign, ballot_class, answers, texts, receipt
    )
    return redirect(url_for("public.receipt", code=receipt, then=_then_token()), code=303)


def _rerender_appraisal(token: str):
    def rerender(chosen, missing, form):
        ballot = _resolve_token(token)
        nonce = _form_nonce(ballot.id)
        return appraisal_ballot.page(
            ballot, token, nonce, chosen=chosen, missing=missing, status=400, form=form
        )

    return rerender


def _then_token() -> str | None:
    """A card carrying two ballots (the branch review, then the member appraisal) links to
    the first with ``?then=<second token>``: the pairing lives on the card and in the URL
    only, never in a column. Passed on if it is a genuine ballot token, dropped otherwise."""
    then = request.args.get("then", "")
    if not then or len(then) > 200:
        return None
    ballot_id, _expired = read_ballot_token(then, current_app.config["BALLOT_MAX_AGE"])
    return then if ballot_id else None


@bp.route("/b", methods=["GET", "POST"])
# Guessing codes: 30 misses a minute from one address (a meeting room shares one) is far
# beyond typing and far below enumerating 32^8 codes.
@limiter.limit(
    CODE_GUESS_LIMIT, methods=["POST"], deduct_when=lambda response: response.status_code == 404
)
@csrf.exempt
def enter_code():
    """Short-code entry for a member whose camera fails; a valid code opens the ballot. Both
    codes of a card carrying two ballots, typed together, open the first, then the second."""
    form = CodeForm()
    if not form.is_submitted():
        return render_template("public/code.html", form=form)
    found = meeting.card_ballots(db.session, form.code.data or "")
    if not found:
        status = 404 if (form.code.data or "").strip() else 400
        return render_template("public/code.html", form=form, unknown=status == 404), status
    first, *second = found
    try:
        _check_typed(first)
    except (AlreadyUsed, NotOpen, Expired):
        if not second:
            raise
        first, second = second[0], []  # the first ballot is done: on to the second
        _check_typed(first)
    if not form.validate():
        return render_template("public/code.html", form=form), 400
    then = ballot_token(second[0].id) if second else None
    return redirect(url_for("public.ballot", token=ballot_token(first.id), then=then), code=303)


def _check_typed(ballot) -> None:
    expired = ballots.is_older_than(ballot, current_app.config["BALLOT_MAX_AGE"])
    ballots.check_ballot(db.session, ballot.id, expired=expired)


@bp.get("/receipt/<code>")
# Receipts are guessed like codes (~200 lookups a second were answered): the same 30 misses
# a minute from one address; a member opening their own receipt again is never counted.
@limiter.limit(CODE_GUESS_LIMIT, deduct_when=lambda response: response.status_code == 404)
def receipt(code: str):
    found = ballots.find_receipt(db.session, code)
    if found is None:
        raise NotFound()
    campaign = db.session.get(Campaign, found.campaign_id)
    then = _then_token()
    return render_template(
        "public/receipt.html",
        receipt=found,
        code=codes.display(found.code, 5),
        campaign=campaign,
        next_ballot=url_for("public.ballot", token=then) if then else None,
        # typed by hand, the review's code alone: the card's second code is typed next
        second_ballot=None if then else meeting.second_ballot(db.session, campaign),
    )
