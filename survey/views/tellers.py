"""The tellers' page (计票人/监票人): paper ballots entered one at a time while voting is open.

GET shows an empty form; POST enters one ballot (survey/campaigns/paper.py) and answers with
a redirect to the confirmation and the next empty form, or the form again with the refusal
named (the phone's refusal, on this page: 404/409/403/400). A refusal is rolled back before
the page is drawn: the request commits once, and a refused entry must spend nothing.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.paper import PaperBallotForm
from survey import appraisal, campaigns
from survey.campaigns import paper
from survey.core import codes
from survey.core.errors import DomainError
from survey.core.extensions import db
from survey.core.scales import SCALES
from survey.core.transactions import transactional
from survey.models import CampaignStatus
from survey.staff import access
from survey.staff.access import Action
from survey.views.guards import campaign_or_404, staff_required

bp = Blueprint("tellers", __name__)


def _teller_campaign(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    access.require(current_user, Action.ENTER_PAPER_BALLOTS)
    return campaign


def _page(campaign, form=None, *, chosen=None, problem=None, bad_field=None, status=200):
    rows = appraisal.ballot_rows(db.session, campaign) if appraisal.is_appraisal(campaign) else None
    entered = request.args.get("entered", "") if request.method == "GET" else ""
    receipt = codes.normalise(entered, length=10)
    return render_template(
        "staff/tellers.html",
        campaign=campaign,
        form=form or PaperBallotForm(formdata=None),
        rows=rows,
        grades=appraisal.GRADES,
        scales=SCALES,
        chosen=chosen or {},
        problem=problem,
        bad_field=bad_field,
        receipt=codes.display(receipt, 5) if receipt else None,
        turnout=campaigns.ballot_counts(db.session, campaign.id),
        is_open=campaign.status == CampaignStatus.OPEN,
    ), status


@bp.get("/<int:campaign_id>/paper")
@staff_required(Action.ENTER_PAPER_BALLOTS)
def show(campaign_id: int):
    campaign = _teller_campaign(campaign_id)
    return _page(campaign, status=200 if campaign.status == CampaignStatus.OPEN else 409)


@bp.post("/<int:campaign_id>/paper")
@staff_required(Action.ENTER_PAPER_BALLOTS)
@transactional
def enter(campaign_id: int):
    campaign = _teller_campaign(campaign_id)
    form = PaperBallotForm()
    marks = {q.key: request.form.get(q.key) or None for q in campaign.questions}
    chosen = {key: value for key, value in marks.items() if value}
    if not form.validate():
        return _page(campaign, form, chosen=chosen, status=400)
    try:
        receipt = paper.enter_paper_ballot(db.session, campaign, form.code.data, marks)
    except DomainError as refusal:
        db.session.rollback()  # nothing of a refused entry is kept (a spend included)
        field = refusal.detail.get("field")
        problem = _refusal_text(refusal)
        if refusal.status != 400 or field == "code":
            form.code.errors = [problem]
        return _page(
            campaign, form, chosen=chosen, problem=problem, bad_field=field, status=refusal.status
        )
    return redirect(url_for(".show", campaign_id=campaign.id, entered=receipt), code=303)


def _refusal_text(refusal: DomainError) -> str:
    reason = refusal.reason
    if reason == "not_found":
        return _("No card of this campaign has that code. Check the code on the paper ballot.")
    if reason == "already_used":
        return _("This card has already been used: its vote is counted (by phone or on paper).")
    if reason == "void":
        return _("This card was voided (reported lost): its ballot cannot be counted.")
    if reason == "not_open":
        return _("Voting is not open: paper ballots are entered only while the campaign is open.")
    if refusal.detail.get("field") == "code":
        return _("That is not a short code: it has 8 letters and digits, e.g. 7KD2-QX9M.")
    return _("Every question needs exactly one mark. Check the marked row and type it again.")


def printing(*campaigns) -> dict:
    """What the card sheet needs to print, after its cards, one paper ballot per card with
    the same short code(s) (``?paper=1`` on a sheet shown by GET): the campaigns in the
    card's order, their scales, and an appraisal's member rows. In the same answer as the
    cards, so that a card carrying two ballots is printed with the two paper ballots of
    the same pairing (drawn at random for each answer, never stored)."""
    if request.method != "GET":
        return {}
    if not request.args.get("paper"):
        return {"paper_url": request.path + "?paper=1"}
    rows = {
        campaign.id: appraisal.ballot_rows(db.session, campaign)
        for campaign in campaigns
        if appraisal.is_appraisal(campaign)
    }
    grades = appraisal.GRADES
    return {
        "paper_campaigns": campaigns,
        "paper_rows": rows,
        "scales": SCALES,
        "paper_grades": grades,
    }
