"""Public notice (公示) at ``/n/<slug>`` and its staff side: publish, poster, objections.

The objection form has the public poll's protections, in the poll's refusal order: unknown
slug 404, period over 403, device already objected 409, bad form / CSRF / honeypot / too
fast 400, too many from one address 429 (notice.OBJECTION_RATE_LIMIT per address and
notice, one hit on the shared limiter storage once the objection is otherwise accepted, as
a poll answer). A reviewer dismisses a flood of them in one action.
"""

from __future__ import annotations

import secrets

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
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from forms.notice import PublishForm
from survey import polls
from survey.core import links, qr
from survey.core.error_pages import page
from survey.core.errors import AlreadyAnswered, Invalid, TooFast
from survey.core.extensions import csrf, db, one_hit
from survey.core.security import serializer
from survey.core.transactions import transactional
from survey.models import Notice, Objection
from survey.rating import notice
from survey.staff import access
from survey.staff.access import Action
from survey.views.devices import current_device, with_device
from survey.views.guards import organisation_or_404, staff_required, web_actor

bp = Blueprint("notice", __name__)


class ObjectionForm(FlaskForm):
    branch = SelectField(
        _l("Branch"), coerce=int, validators=[InputRequired(message=_l("Choose a branch."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Please write the reason.")),
            Length(max=notice.MAX_REASON),
        ],
    )
    website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])
    issued = HiddenField()


def _form(item: Notice) -> ObjectionForm:
    form = ObjectionForm()
    form.branch.choices = [(e.organisation_id, e.organisation.name) for e in item.entries]
    return form


def _tag(item: Notice, device_id: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    return polls.keyed_hash(secret, "notice-stamp", item.id, device_id)[:16]


def _devices(item: Notice, device_id: str) -> list[str]:
    keys = current_app.config["SECRET_KEYS"]
    return [polls.keyed_hash(k, "notice-device", item.id, device_id) for k in keys]


@bp.after_request
def private(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _render(item: Notice, device_id: str, form=None, status=200, problem=None):
    form = form or _form(item)
    stamp = polls.stamp_value(item.id, _tag(item, device_id), secrets.token_urlsafe(16))
    form.issued.data = serializer("notice_form").dumps(stamp)
    done = notice.has_objected(db.session, item, _devices(item, device_id))
    html = render_template(
        "notice/notice.html",
        notice=item,
        form=form,
        open=notice.is_open(item),
        done=done,
        problem=problem,
        preselect=request.args.get("b", type=int),
    )
    return with_device(current_app.make_response((html, status)), device_id)


@bp.get("/n/<slug>")
def public(slug: str):
    item = notice.find_notice(db.session, slug)
    return _render(item, current_device())


def _admitted(slug: str) -> bool:
    """One more objection from this address to this notice under every tier of the limit
    (a storage call a tier, on Redis when configured), or False."""
    tiers = current_app.config.get("OBJECTION_RATE_LIMIT", notice.OBJECTION_RATE_LIMIT)
    key = (current_app.config["RATELIMIT_KEY_PREFIX"], "objection", get_remote_address(), slug)
    return all(one_hit.hit(tier.strip(), *key) for tier in tiers.split(";"))


@bp.post("/n/<slug>")
@csrf.exempt  # checked by the form after the notice and the device, in the poll's order
@transactional
def lodge(slug: str):
    item = notice.find_notice(db.session, slug)
    if not notice.is_open(item):
        abort(403)
    device_id = current_device()
    devices = _devices(item, device_id)
    if notice.has_objected(db.session, item, devices):
        raise AlreadyAnswered()
    form = _form(item)
    if not form.validate():
        return _render(item, device_id, form, 400, "form")
    if form.website.data:
        raise Invalid("honeypot")
    try:
        polls.check_fill_time(
            serializer("notice_form"),
            form.issued.data,
            item.id,
            _tag(item, device_id),
            current_app.config["POLL_MIN_FILL_SECONDS"],
        )
    except TooFast:
        return _render(item, device_id, form, 400, "too_fast")
    if not _admitted(slug):
        body, status = page(429, "http")
        return body, status, {"Retry-After": "60"}
    receipt = notice.lodge(db.session, item, form.branch.data, form.reason.data, devices[0])
    target = url_for("notice.receipt", slug=slug, receipt=receipt)
    return with_device(redirect(target, code=303), device_id)


@bp.get("/n/<slug>/r/<receipt>")
def receipt(slug: str, receipt: str):
    item = notice.find_notice(db.session, slug)
    found = notice.find_objection(db.session, item, receipt)
    return render_template("notice/receipt.html", notice=item, objection=found)


def _staff_notice(notice_id: int) -> Notice:
    item = db.session.get(Notice, notice_id)
    if item is None:
        abort(404)
    organisation_or_404(item.committee_id)
    return item


@bp.post("/staff/notices/committees/<int:committee_id>")
@staff_required(Action.MANAGE_TITLES)
@transactional
def publish(committee_id: int):
    """The recommended list put on notice; a bad period or contact comes back on the form,
    its reason beside the field (400)."""
    committee = organisation_or_404(committee_id)
    form = PublishForm()
    year = request.form.get("year", type=int)
    if year is None:
        raise Invalid("the year is a whole number", field="year")
    branches = request.form.getlist("branch", type=int)
    if form.validate():
        try:
            item = notice.publish(
                db.session, web_actor(), committee, year, branches, form.contact(), form.days.data
            )
        except Invalid as refused:
            field = getattr(form, refused.detail.get("field") or "", None)
            if field is None or not hasattr(field, "errors"):
                raise
            field.errors = [_("Please check this field.")]
        else:
            return redirect(url_for("notice.staff_notice", notice_id=item.id), code=303)
    html = render_template(
        "notice/publish.html", committee=committee, year=year, branches=branches, form=form
    )
    return html, 400


@bp.get("/staff/notices/<int:notice_id>")
@staff_required(Action.VERIFY_COMPLAINTS)
def staff_notice(notice_id: int):
    item = _staff_notice(notice_id)
    url = links.external_url("notice.public", slug=item.slug)
    return render_template(
        "notice/staff.html",
        notice=item,
        url=url,
        objections=notice.objections_of(db.session, item),
        failed=request.args.get("failed", type=int),
    )


@bp.get("/staff/notices/<int:notice_id>/poster/<int:branch_id>")
@staff_required(Action.VERIFY_COMPLAINTS)
def poster(notice_id: int, branch_id: int):
    item = _staff_notice(notice_id)
    entry = next((e for e in item.entries if e.organisation_id == branch_id), None)
    if entry is None:
        abort(404)
    url = links.external_url("notice.public", slug=item.slug, b=branch_id)
    return render_template(
        "notice/poster.html", notice=item, branch=entry.organisation, url=url, qr=qr.svg(url)
    )


@bp.get("/staff/notices")
@staff_required(Action.VERIFY_COMPLAINTS)
def index():
    committees = access.visible_organisations(db.session, current_user, kind="committee")
    ids = [c.id for c in db.session.scalars(committees)]
    return render_template("notice/index.html", notices=notice.notices_of(db.session, ids))


@bp.post("/staff/notices/<int:notice_id>/flood")
@staff_required(Action.VERIFY_COMPLAINTS)
@transactional
def dismiss_flood(notice_id: int):
    """The chosen objections found unfounded at once, marked as a flood in the audit log."""
    item = _staff_notice(notice_id)
    chosen = request.form.getlist("objection", type=int)
    count = notice.dismiss_flood(db.session, web_actor(), item, chosen, request.form.get("note"))
    flash(_("%(count)d objections dismissed as a flood.", count=count))
    return redirect(url_for("notice.staff_notice", notice_id=item.id), code=303)


@bp.post("/staff/notices/objections/<int:objection_id>")
@staff_required(Action.VERIFY_COMPLAINTS)
@transactional
def check(objection_id: int):
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        abort(404)
    item = _staff_notice(objection.notice_id)
    result, note = request.form.get("result", ""), request.form.get("note", "")
    if result not in ("verified", "unfounded") or not note.strip():
        html = render_template(
            "notice/staff.html",
            notice=item,
            url=links.external_url("notice.public", slug=item.slug),
            objections=notice.objections_of(db.session, item),
            failed=objection.id,
        )
        return html, 400
    notice.check_objection(db.session, web_actor(), objection, result, note)
    target = url_for("notice.staff_notice", notice_id=item.id, _anchor=f"o-{objection.id}")
    return redirect(target, code=303)
