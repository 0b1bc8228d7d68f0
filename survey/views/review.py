"""Reviewer pages (机关党委 / 上级党组织): the complaint queue and the anomaly view."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from forms.poll import VerificationForm
from survey import access, complaints, polls
from survey.database import transactional
from survey.extensions import db
from survey.models import Campaign, CampaignStatus
from survey.views.guards import campaign_or_404, staff_required

bp = Blueprint("review", __name__)


def _public_campaign(campaign_id: int) -> Campaign:
    campaign = campaign_or_404(campaign_id)
    if campaign.kind != polls.KIND:
        abort(404)
    return campaign


@bp.get("/")
@staff_required("reviewer")
def index():
    query = (
        select(Campaign)
        .where(Campaign.kind == polls.KIND)
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    )
    if current_user.role != "admin":
        visible = access.subtree_ids(db.session, current_user.organisation_id)
        query = query.where(Campaign.organisation_id.in_(visible))
    rows = [
        (c, complaints.complaint_counts(db.session, c)) for c in db.session.scalars(query).all()
    ]
    return render_template("review/index.html", rows=rows)


@bp.get("/campaigns/<int:campaign_id>/complaints")
@staff_required("reviewer")
def queue(campaign_id: int):
    campaign = _public_campaign(campaign_id)
    return render_template(
        "review/complaints.html",
        campaign=campaign,
        items=complaints.list_answers(db.session, campaign),
        counts=complaints.complaint_counts(db.session, campaign),
        form=VerificationForm(),
    )


@bp.post("/responses/<response_id>/verification")
@staff_required("reviewer")
@transactional
def verify(response_id: str):
    response = complaints.load_response(db.session, response_id)
    campaign = _public_campaign(response.campaign_id)
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
    actor = f"web:{current_user.username}"
    complaints.verify(db.session, actor, response, form.result.data, form.note.data)
    target = url_for("review.queue", campaign_id=campaign.id, _anchor=f"r-{response_id}")
    return redirect(target, code=303)


@bp.get("/campaigns/<int:campaign_id>/anomalies")
@staff_required("reviewer")
def anomalies(campaign_id: int):
    campaign = _public_campaign(campaign_id)
    report = polls.anomaly_report(db.session, campaign)
    if campaign.status != CampaignStatus.CLOSED:
        report["geo"] = None  # counts by position, live, would tell where answers come from
    return render_template("review/anomalies.html", campaign=campaign, report=report)
