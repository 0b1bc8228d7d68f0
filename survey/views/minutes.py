"""The minutes (会议记录): the sealed tally of a closed meeting, printable on one signable A4
page, with the meeting's own facts -- place, time, attendance -- entered in the form above it
(the form and the links do not print)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.minutes import MeetingRecordForm
from survey.campaigns import minutes as meeting_minutes
from survey.core import qr
from survey.core.errors import DomainError
from survey.core.extensions import db
from survey.core.scales import CARD_KINDS
from survey.core.timezone import from_local, to_local
from survey.core.transactions import transactional
from survey.staff import access
from survey.staff.access import Action
from survey.views.guards import staff_required, web_actor
from survey.views.secretary import _closed_with_results

bp = Blueprint("minutes", __name__)


def _may_write(campaign) -> bool:
    return campaign.kind in CARD_KINDS and access.may(
        current_user, access.run_campaign_action(campaign.kind)
    )


def _form_from(record, campaign) -> MeetingRecordForm:
    form = MeetingRecordForm(formdata=None)
    form.expected.data = campaign.eligible_total
    if record is not None:
        form.place.data, form.present.data = record.place, record.present
        form.expected.data = record.expected
        form.absent.data, form.guests.data = record.absent, record.guests
        if record.held_at is not None:
            form.held_at.data = to_local(record.held_at).replace(tzinfo=None)
    return form


def _page(campaign, reading, form=None, problem: str | None = None, status: int = 200):
    record = meeting_minutes.meeting_record(db.session, campaign)
    may_write = _may_write(campaign)
    return render_template(
        "staff/minutes.html",
        campaign=campaign,
        reading=reading,
        record=record,
        form=form or (_form_from(record, campaign) if may_write else None),
        problem=problem,
        saved=request.args.get("saved") == "1",
        digest_qr=qr.svg(campaign.snapshot_sha256),
    ), status


@bp.get("/<int:campaign_id>/minutes")
@staff_required(Action.READ_RESULTS)
def show(campaign_id: int):
    campaign, reading = _closed_with_results(campaign_id)
    return _page(campaign, reading)


@bp.post("/<int:campaign_id>/minutes")
@staff_required(Action.READ_RESULTS)
@transactional
def record(campaign_id: int):
    campaign, reading = _closed_with_results(campaign_id)
    if not _may_write(campaign):
        access.require(current_user, access.run_campaign_action(campaign.kind))
    form = MeetingRecordForm()
    if not form.validate():
        return _page(campaign, reading, form, status=400)
    held_at = form.held_at.data
    try:
        meeting_minutes.record_meeting(
            db.session,
            web_actor(),
            campaign,
            place=form.place.data,
            present=form.present.data,
            expected=form.expected.data,
            held_at=from_local(held_at) if held_at else None,
            absent=form.absent.data,
            guests=form.guests.data,
        )
    except DomainError as refused:
        db.session.rollback()
        field = getattr(form, refused.detail.get("field") or "", None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, _refusal(refused)]
        return _page(campaign, reading, form, problem=_refusal(refused), status=refused.status)
    return redirect(url_for(".show", campaign_id=campaign.id, saved=1), code=303)


def _refusal(refused: DomainError) -> str:
    field = refused.detail.get("field")
    if field == "present":
        return _("No more members can be present than were expected.")
    if field == "place":
        return _("Give the place of the meeting.")
    return _("The minutes could not be saved: check the figures.")
