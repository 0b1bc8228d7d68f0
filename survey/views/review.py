"""Reviewer pages (机关党委 / 上级党组织): the complaint queue and the anomaly view."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from forms.poll import DailyCeilingForm, VerificationForm
from survey import polls
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.models import Campaign, CampaignStatus
from survey.polls import complaints
from survey.staff import access
from survey.staff.access import Action
from survey.views.guards import campaign_or_404, staff_required, web_actor

bp = Blueprint("review", __name__)


def _public_campaign(campaign_id: int):
    return campaign_or_404(campaign_id, polls.KIND)


def _judged_campaign(campaign_id: int):
    """A campaign whose 不满意 are verified: a public poll, or 群众代表 at the meeting."""
    campaign = campaign_or_404(campaign_id)
    if campaign.kind not in complaints.JUDGED_KINDS:
        abort(404)
    return campaign


@bp.get("/")
@staff_required(Action.VERIFY_COMPLAINTS)
def index():
    query = access.visible_campaigns(db.session, current_user)
    query = query.where(Campaign.kind.in_(complaints.JUDGED_KINDS))
    rows = [
        (c, complaints.complaint_counts(db.session, c)) for c in db.session.scalars(query).all()
    ]
    return render_template("review/index.html", rows=rows)


@bp.get("/campaigns/<int:campaign_id>/complaints")
@staff_required(Action.VERIFY_COMPLAINTS)
def queue(campaign_id: int):
    campaign = _judged_campaign(campaign_id)
    return render_template(
        "review/complaints.html",
        campaign=campaign,
        items=complaints.list_answers(db.session, campaign),
        counts=complaints.complaint_counts(db.session, campaign),
        form=VerificationForm(),
    )


@bp.post("/responses/<response_id>/verification")
@staff_required(Action.VERIFY_COMPLAINTS)
@transactional
def verify(response_id: str):
    response = complaints.load_response(db.session, response_id)
    campaign = _judged_campaign(response.campaign_id)
    form = VerificationForm()
    if not form.validate():
        items = complaints.list_answers(db.session, campaign)
        counts = complaints.complaint_counts(db.session, campaign)
        html = render_template(
            "review/complaints.html",
            campaign=campaign,
            items=items,
            counts=counts,
            form=form,
            failed=response_id,
        )
        return html, 400
    complaints.verify(db.session, web_actor(), response, form.result.data, form.note.data)
    target = url_for("review.queue", campaign_id=campaign.id, _anchor=f"r-{response_id}")
    return redirect(target, code=303)


@bp.get("/campaigns/<int:campaign_id>/anomalies")
@staff_required(Action.READ_ANOMALIES)
def anomalies(campaign_id: int):
    campaign = _public_campaign(campaign_id)
    return _anomaly_page(campaign, DailyCeilingForm(ceiling=campaign.answers_per_address_day))


def _anomaly_page(campaign, form, status: int = 200):
    report = polls.anomaly_report(db.session, campaign)
    if campaign.status != CampaignStatus.CLOSED:
        report["geo"] = None  # counts by position, live, would tell where answers come from
    config = current_app.config
    bounds = polls.stuffing_bounds(campaign, config["POLL_RATE_LIMIT"], config["POLL_DAILY_LIMIT"])
    may_raise = access.may(current_user, Action.RAISE_POLL_CEILING)
    html = render_template(
        "review/anomalies.html",
        campaign=campaign,
        report=report,
        bounds=bounds,
        default_day=config["POLL_DAILY_LIMIT"],
        form=form if may_raise else None,
    )
    return html, status


@bp.post("/campaigns/<int:campaign_id>/daily-ceiling")
@staff_required(Action.RAISE_POLL_CEILING)
@transactional
def daily_ceiling(campaign_id: int):
    """The committee lets a known shared address (a school, a village office) answer more."""
    campaign = _public_campaign(campaign_id)
    form = DailyCeilingForm()
    if not form.validate_on_submit():
        return _anomaly_page(campaign, form, 400)
    polls.set_daily_ceiling(db.session, web_actor(), campaign, form.ceiling.data)
    return redirect(url_for("review.anomalies", campaign_id=campaign.id), code=303)
