"""Staff pages of a public poll: create, open and close it, the A4 poster and the sheet of
one-time resident codes (by Action.RUN_PUBLIC_POLL: secretaries and reviewers)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from forms.campaign import CloseForm
from forms.poll import ClosingDateForm, NewPollForm, ResidentCodesForm
from survey import campaigns, polls
from survey.ballotbox import ballots
from survey.campaigns import meeting
from survey.core import codes, links, qr
from survey.core.errors import NotOpen, ScrutineersNeeded
from survey.core.extensions import db
from survey.core.labels import prompt_label
from survey.core.timezone import local_today
from survey.core.transactions import transactional
from survey.models import Ballot, CampaignStatus
from survey.polls import complaints
from survey.staff import access
from survey.staff.access import Action
from survey.views import scrutineers as scrutineer_views
from survey.views.guards import (
    campaign_or_404,
    campaign_to_run,
    organisation_or_404,
    staff_required,
    web_actor,
)

bp = Blueprint("poll_staff", __name__)
SHEET_SIZE = 500


def _public_campaign(campaign_id: int):
    return campaign_to_run(campaign_id, polls.KIND)


@bp.get("/")
@staff_required(Action.RUN_PUBLIC_POLL)
def index():
    query = access.visible_campaigns(db.session, current_user, kind=polls.KIND)
    return render_template("poll_staff/index.html", campaigns=db.session.scalars(query).all())


@bp.route("/new", methods=["GET", "POST"])
@staff_required(Action.RUN_PUBLIC_POLL)
@transactional
def new():
    form = NewPollForm()
    query = access.visible_organisations(db.session, current_user, kind="branch")
    branches = list(db.session.scalars(query))
    form.organisation_id.choices = [SelectChoice(o.id, o.name) for o in branches]
    if not form.is_submitted():
        form.year.data = local_today().year
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("poll_staff/new.html", form=form), status
    branch = organisation_or_404(form.organisation_id.data)
    existing = campaigns.same_year(db.session, branch, polls.KIND, form.year.data)
    if existing and not form.second.data:
        return render_template("poll_staff/new.html", form=form, existing=existing), 409
    campaign = campaigns.create_campaign(
        db.session,
        web_actor(),
        branch,
        kind=polls.KIND,
        year=form.year.data,
        title=form.title.data.strip(),
        geofence=form.geofence.data,
        extra_questions=form.extra_questions(),
    )
    if form.closes_on.data:
        polls.set_closing_date(db.session, web_actor(), campaign, form.closes_on.data)
    return redirect(url_for(".show", campaign_id=campaign.id), code=303)


@bp.get("/<int:campaign_id>")
@staff_required(Action.RUN_PUBLIC_POLL)
def show(campaign_id: int):
    campaign = _public_campaign(campaign_id)
    url = links.external_url("poll.poll", slug=campaign.slug)
    return render_template("poll_staff/show.html", campaign=campaign, url=url)


@bp.get("/<int:campaign_id>/results")
@staff_required(Action.READ_RESULTS)
def results(campaign_id: int):
    """A poll's own results: answers inside and outside the service area, the satisfaction
    shares, the 不满意 answers to verify and the daily ceiling; no roll, cards or minutes."""
    campaign = campaign_or_404(campaign_id, polls.KIND)
    if campaign.status != CampaignStatus.CLOSED or campaign.snapshot is None:
        raise NotOpen("results are shown once the poll is closed", status=campaign.status)
    small_group = current_app.config["SMALL_GROUP_THRESHOLD"]
    reading = meeting.reading(campaign.snapshot, small_group)
    counts = complaints.complaint_counts(db.session, campaign)
    answers = reading["reconciliation"]["valid"]
    verified_rate = None
    if counts and answers and not reading["below_threshold"]:
        verified_rate = round(100 * counts["dissatisfied_verified"] / answers, 1)
    return render_template(
        "poll_staff/results.html",
        campaign=campaign,
        reading=reading,
        answers=answers,
        geo=polls.geo_counts(db.session, campaign),
        counts=counts,
        verified_rate=verified_rate,
        ceiling=polls.daily_ceiling(campaign, current_app.config["POLL_DAILY_LIMIT"]),
        may_verify=access.may(current_user, Action.VERIFY_COMPLAINTS),
        may_see_anomalies=access.may(current_user, Action.READ_ANOMALIES),
        small_group=small_group,
    )


@bp.post("/<int:campaign_id>/open")
@staff_required(Action.RUN_PUBLIC_POLL)
@transactional
def open_(campaign_id: int):
    campaign = _public_campaign(campaign_id)
    cards = campaigns.open_campaign(db.session, web_actor(), campaign)
    if cards:  # a poll whose scrutineers hold the key: their cards are shown this once
        note = _("The poll is open. Print the scrutineer cards now: they are not shown again.")
        return scrutineer_views.sheet(campaign, cards, 200, note)
    flash(_("The poll is open: residents can answer at its link."))
    return redirect(url_for(".show", campaign_id=campaign.id), code=303)


@bp.route("/<int:campaign_id>/close", methods=["GET", "POST"])
@staff_required(Action.RUN_PUBLIC_POLL)
@transactional
def close(campaign_id: int):
    """Irreversible: only from the confirmation page's form (as the member review)."""
    campaign = _public_campaign(campaign_id)
    if campaign.status != CampaignStatus.OPEN:
        return redirect(url_for(".show", campaign_id=campaign.id), code=303)
    form = CloseForm()
    urls = {
        "close_url": url_for(".close", campaign_id=campaign.id),
        "back_url": url_for(".show", campaign_id=campaign.id),
    }
    if not (form.validate_on_submit() and form.confirm.data):
        return scrutineer_views.close_page(campaign, form, **urls)
    small_group = current_app.config["SMALL_GROUP_THRESHOLD"]
    typed = request.form.getlist("scrutineer_code")
    try:
        campaigns.close_campaign(db.session, web_actor(), campaign, small_group, typed)
    except ScrutineersNeeded as refusal:
        return scrutineer_views.close_page(campaign, form, typed, refusal, **urls), 409
    return redirect(url_for(".show", campaign_id=campaign.id), code=303)


@bp.get("/<int:campaign_id>/poster")
@staff_required(Action.RUN_PUBLIC_POLL)
def poster(campaign_id: int):
    campaign = _public_campaign(campaign_id)
    url = links.external_url("poll.poll", slug=campaign.slug)
    return render_template(
        "poll_staff/poster.html",
        campaign=campaign,
        url=url,
        qr=qr.svg(url),
        question=prompt_label(campaign.headline.prompt),
        form=ClosingDateForm(closes_on=campaign.closes_on),
    )


@bp.post("/<int:campaign_id>/closes-on")
@staff_required(Action.RUN_PUBLIC_POLL)
@transactional
def set_closing_date(campaign_id: int):
    campaign = _public_campaign(campaign_id)
    form = ClosingDateForm()
    if not form.validate():
        abort(400)
    polls.set_closing_date(db.session, web_actor(), campaign, form.closes_on.data)
    return redirect(url_for("poll_staff.poster", campaign_id=campaign.id), code=303)


@bp.get("/<int:campaign_id>/codes")
@staff_required(Action.RUN_PUBLIC_POLL)
def resident_codes(campaign_id: int):
    """The sheet of unused codes, only before the poll opens: reloaded while it is open, the
    codes that vanished would tell who has answered, and with the queue, how."""
    campaign = _public_campaign(campaign_id)
    unused = []
    if campaign.status == "draft":
        unused = db.session.scalars(
            select(Ballot)
            .where(
                Ballot.campaign_id == campaign.id,
                Ballot.ballot_class == "resident",
                Ballot.status == "issued",
            )
            .order_by(Ballot.code)
            .limit(SHEET_SIZE)
        ).all()
    return _sheet(campaign, unused)


@bp.post("/<int:campaign_id>/codes")
@staff_required(Action.RUN_PUBLIC_POLL)
@transactional
def generate_codes(campaign_id: int):
    """New codes are printed from this answer, once; after opening they are never listed."""
    campaign = _public_campaign(campaign_id)
    form = ResidentCodesForm()
    if not form.validate():
        abort(400)
    issued = ballots.generate_ballots(
        db.session, web_actor(), campaign, form.count.data, "resident"
    )
    return _sheet(campaign, issued, fresh=True)


def _sheet(campaign, issued, fresh: bool = False):
    slips = []
    for ballot in issued:
        url = links.ballot_url(ballot.id)
        slips.append({"code": codes.display(ballot.code), "qr": qr.svg(url, group=campaign.id)})
    return render_template(
        "poll_staff/codes.html",
        campaign=campaign,
        slips=slips,
        fresh=fresh,
        entry_url=links.external_url("public.enter_code"),
        form=ResidentCodesForm(),
    )
