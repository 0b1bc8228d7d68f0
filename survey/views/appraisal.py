"""The committee's pages of a member appraisal (民主评议党员): per-member results read from the
sealed snapshot, the final grades, the printable table for the minutes, its XLSX, and the
sheet of cards that carry both of a meeting's ballots.

Names and results are shown only to those the role table allows (Action.READ_APPRAISAL,
Action.GRADE_MEMBERS) within their scope (the branch's secretary, its committee's reviewers).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forms.appraisal import FinalGradesForm, posted_decisions
from survey import appraisal
from survey.campaigns import meeting
from survey.core import links
from survey.core.errors import DomainError
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.files import appraisal_export, names
from survey.files.export_words import lang_of
from survey.models import CampaignStatus
from survey.staff import access
from survey.staff.access import Action
from survey.views import tellers
from survey.views.guards import campaign_or_404, campaign_to_run, staff_required, web_actor

bp = Blueprint("appraisal", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _appraisal(campaign_id: int, closed: bool = True):
    campaign = campaign_or_404(campaign_id, appraisal.MEMBER_APPRAISAL)
    if closed and campaign.status != CampaignStatus.CLOSED:
        return campaign, render_template("staff/appraisal_open.html", campaign=campaign), 409
    return campaign, None, 200


def _sort() -> str:
    sort = request.values.get("sort", "position")
    return sort if sort in appraisal.SORTS else "position"


def _page(campaign, posted=None, problems=None, problem: str | None = None, status: int = 200):
    """The results; for the committee, the final grades as one table. ``posted``: the rows as
    sent back after a refusal ({id: (grade, reason)}), ``problems`` the refused rows."""
    rows = appraisal.results(db.session, campaign, _sort())
    return render_template(
        "staff/appraisal.html",
        campaign=campaign,
        rows=rows,
        **vars(appraisal.overview(rows)),
        small_group=current_app.config["SMALL_GROUP_THRESHOLD"],
        sort=_sort(),
        posted=posted,
        problems=problems or {},
        problem=problem,
        may_grade=access.may(current_user, Action.GRADE_MEMBERS),
    ), status


@bp.get("/<int:campaign_id>/appraisal")
@staff_required(Action.READ_APPRAISAL)
def results(campaign_id: int):
    campaign, refusal, status = _appraisal(campaign_id)
    return (refusal, status) if refusal else _page(campaign)


@bp.post("/<int:campaign_id>/appraisal/grades")
@staff_required(Action.GRADE_MEMBERS)
@transactional
def grades(campaign_id: int):
    """Every row's final grade in one submit: all saved in one commit, or none, each refused
    row named beside itself."""
    campaign, refusal, status = _appraisal(campaign_id)
    if refusal:
        return refusal, status
    form = FinalGradesForm()
    ids = [row.id for row in appraisal.appraisees(db.session, campaign)]
    posted = posted_decisions(request.form, ids)
    if not form.validate():
        return _page(campaign, posted, problem="expired", status=400)
    try:
        appraisal.record_final_grades(db.session, web_actor(), campaign, posted)
    except DomainError as refused:
        db.session.rollback()
        if refused.detail.get("cap") is not None:
            return _page(campaign, posted, problem="cap", status=refused.status)
        problems = refused.detail.get("rows") or {}
        return _page(campaign, posted, problems, problem="rows", status=refused.status)
    target = url_for(".results", campaign_id=campaign.id, sort=_sort(), saved=len(posted))
    return redirect(f"{target}#final-grades", code=303)


@bp.get("/<int:campaign_id>/appraisal/print")
@staff_required(Action.READ_APPRAISAL)
def printable(campaign_id: int):
    campaign, refusal, status = _appraisal(campaign_id)
    if refusal:
        return refusal, status
    rows = appraisal.results(db.session, campaign, _sort())
    return render_template(
        "staff/appraisal_print.html",
        campaign=campaign,
        rows=rows,
        **vars(appraisal.overview(rows)),
        small_group=current_app.config["SMALL_GROUP_THRESHOLD"],
    )


@bp.get("/<int:campaign_id>/appraisal.xlsx")
@staff_required(Action.READ_APPRAISAL)
def xlsx(campaign_id: int):
    campaign, refusal, status = _appraisal(campaign_id)
    if refusal:
        return refusal, status
    content = appraisal_export.appraisal_xlsx(
        db.session,
        campaign,
        current_app.config["SMALL_GROUP_THRESHOLD"],
        lang=lang_of(get_locale()),
        timezone=current_app.config["TIMEZONE"],
    )
    name = names.download_name(
        campaign.organisation.name, campaign.year, campaign.kind, "xlsx", lang_of(get_locale())
    )
    disposition = names.attachment(name, f"appraisal-{campaign.id}.xlsx")
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": disposition})


@bp.get("/<int:campaign_id>/cards/both")
@staff_required()
def both_cards(campaign_id: int):
    """One card per member carrying the branch review and, after its receipt, the member
    appraisal of the same branch and year (the pairing is printed, never stored)."""
    review = campaign_to_run(campaign_id)
    second = meeting.partner(db.session, review)
    if second is None:
        abort(404)
    access.require(current_user, access.run_campaign_action(second.kind))
    try:
        cards = meeting.paired_cards(db.session, review, second, links.paired_ballot_url)
    except DomainError as refused:
        html = render_template(
            "staff/cards_unavailable.html", campaign=review, reason=refused.detail.get("reason")
        )
        return html, refused.status
    note = _(
        "Each card carries both ballots: the review of the branch, then the appraisal of members."
    )
    paper = tellers.printing(review, second)  # 打印纸质票: both paper ballots of each card
    return render_template(
        "staff/cards.html",
        campaign=review,
        cards=cards,
        note=note,
        entry_url=links.code_entry_url(),
        **paper,
    )
