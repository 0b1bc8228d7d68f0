"""The scrutineers' (监票人) cards: printed once with the meeting kit, and read back at close.

The sheet is the only place a card's code is ever shown: it is rendered from the answer to
a POST, never stored, never cached (``Cache-Control: no-store``; its QR codes drawn afresh,
survey/core/qr.py ``secret_svg``), and printing again voids the earlier cards.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from survey.ballotbox import scrutineers
from survey.campaigns import meeting
from survey.core import links, qr
from survey.core.errors import Conflict, ScrutineersNeeded
from survey.core.extensions import db
from survey.core.scales import CARD_KINDS
from survey.core.transactions import transactional
from survey.views.guards import campaign_to_run, staff_required, web_actor

bp = Blueprint("scrutineers", __name__)

# Why a typed card is refused, said to the person who typed it (survey/ballotbox/scrutineers.py).
REASONS = {
    "shape": lambda: _("This is not a scrutineer card's code: it has 30 letters and digits."),
    "check": lambda: _("A character is mistyped: the check character does not match."),
    "other_campaign": lambda: _(
        "This card belongs to another campaign, or to an earlier printing that was voided."
    ),
    "holder": lambda: _("This holder number is not one of this campaign's scrutineers."),
    "same_holder": lambda: _("The same scrutineer's card was given twice."),
}


def reason_text(reason: str) -> str:
    return REASONS[reason]()


def sheet(campaign, cards, status: int = 200, note: str | None = None):
    """The printable sheet of ``cards``: one card a scrutineer, QR code and typed code."""
    printed = []
    for card in cards:
        url = links.external_url("secretary.close", campaign_id=campaign.id) + "#" + card.code
        printed.append({"holder": card.holder, "code": card.code, "svg": qr.secret_svg(url)})
    html = render_template(
        "staff/scrutineer_cards.html", campaign=campaign, cards=printed, note=note
    )
    return html, status, {"Cache-Control": "no-store", "Pragma": "no-cache"}


def close_page(campaign, form, typed=(), refusal: ScrutineersNeeded | None = None, **urls) -> str:
    """The close confirmation page; after a refusal, each bad card's reason beside its
    input (``urls``: close_url and back_url of a poll's pages)."""
    card_errors: dict[int, list[str]] = {}
    if refusal is not None:
        places = [i + 1 for i, code in enumerate(typed) if code.strip()]
        for card in refusal.detail.get("cards", []):
            card_errors.setdefault(places[card["place"] - 1], []).append(
                reason_text(card["reason"])
            )
    turnout = meeting.turnout(db.session, campaign) if campaign.kind in CARD_KINDS else None
    return render_template(
        "staff/close.html",
        campaign=campaign,
        turnout=turnout,
        form=form,
        typed=list(typed),
        card_errors=card_errors,
        needed=refusal.detail if refusal else None,
        **urls,
    )


@bp.post("/<int:campaign_id>/scrutineer-cards")
@staff_required()
@transactional
def print_cards(campaign_id: int):
    """Make the campaign's key pair and show its cards this once (voiding earlier ones)."""
    campaign = campaign_to_run(campaign_id)
    try:
        cards = scrutineers.print_cards(db.session, web_actor(), campaign)
    except Conflict as refusal:
        html = render_template(
            "staff/scrutineer_cards.html", campaign=campaign, cards=[], refusal=refusal.message
        )
        return html, 409
    return sheet(campaign, cards, 201)
