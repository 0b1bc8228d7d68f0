"""A branch's member roll: its import from a roster as the branch office makes it (names held
twice imported once the secretary confirms), and its page (list, edit one, remove one)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from forms.files import ConfirmRosterForm, MemberForm, RemoveMemberForm, RosterUploadForm
from survey.appraisal.homonyms import homonyms
from survey.core.extensions import db
from survey.core.transactions import run_in_transaction
from survey.files import imports, roll, roster
from survey.files.import_words import message
from survey.staff import access
from survey.staff.access import Action
from survey.views.files import UPLOAD_LIMIT, _lang, _upload
from survey.views.guards import organisation_or_404, staff_required, web_actor

bp = Blueprint("rolls", __name__)

CONFIRM_SALT = "roster-confirm"
CONFIRM_MAX_AGE = 3600  # seconds a confirmation stays good


@bp.url_value_preprocessor
def larger_uploads(endpoint, values):
    """The import takes up to 2 MiB (its confirmation carries the checked rows)."""
    if endpoint == "rolls.import_members" and request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT


@bp.errorhandler(413)
def too_large(_exc):
    return render_template("files/too_large.html", message=message("too_large", _lang())), 413


def _branch(branch_id: int):
    branch = organisation_or_404(branch_id)
    if branch.kind != "branch":
        abort(404)
    return branch


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


@bp.get("/branches")
@staff_required(Action.READ_ROLL)
def index():
    """The branches whose roll the signed-in account may see (a secretary: their own)."""
    query = access.visible_organisations(db.session, current_user, kind="branch")
    branches = [(b, roster.roll_counts(db.session, b.id)) for b in db.session.scalars(query)]
    may_manage = access.may(current_user, Action.MANAGE_ROLL)
    return render_template("files/rolls.html", branches=branches, may_manage=may_manage)


@bp.route("/branches/<int:branch_id>/members/import", methods=["GET", "POST"])
@staff_required(Action.MANAGE_ROLL)
def import_members(branch_id: int):
    branch = _branch(branch_id)
    lang = _lang()
    form = RosterUploadForm()
    page = {"problems": [], "done": None, "duplicates": [], "ignored": None, "confirm": None}
    status = 200
    if request.method == "POST" and "confirm" in request.form:
        status = _confirmed(branch, page, lang)
    elif form.is_submitted():
        status = _checked(form, branch, page, lang)
    roll_now = roster.roll_counts(db.session, branch.id)  # read after the import: the new counts
    html = render_template(
        "files/import_members.html", form=form, branch=branch, roll=roll_now, **page
    )
    return html, status


def _checked(form, branch, page: dict, lang: str) -> int:
    """Check the upload (every bad row listed, nothing written); names held twice wait for
    the confirmation; else apply it in one transaction unless only a check was asked for."""
    upload = _upload(form)
    if upload is None:
        return 400
    data, filename = upload
    append = bool(form.append.data)
    on_roll = [m.name for m in roster.active_members(db.session, branch.id)] if append else []
    try:
        checked = roster.check_members(imports.read_table(data, filename, lang), lang, on_roll)
    except imports.Unreadable as exc:
        checked = imports.Checked(unreadable=exc.message)
    page["problems"] = checked.report(lang)
    if page["problems"]:
        return 400
    page["ignored"] = roster.ignored_line(checked, lang)
    page["duplicates"] = roster.duplicate_lines(checked, lang)
    page["dry_run"] = bool(form.dry_run.data)
    if form.dry_run.data:
        page["done"] = len(checked.rows)
    elif checked.duplicates:
        digest = roster.file_digest(data)
        signed = {"b": branch.id, "d": digest, "a": append}
        signed["r"] = roster.rows_to_payload(checked.rows)
        page["confirm"] = ConfirmRosterForm(
            formdata=None, confirm=digest, roster=_serializer().dumps(signed)
        )
        page["pending"] = len(checked.rows)
    else:
        page["done"] = _apply(branch, checked.rows, append)
    return 200


def _confirmed(branch, page: dict, lang: str) -> int:
    """The second POST: the rows checked before, signed, for the file the digest names."""
    form = ConfirmRosterForm()
    signed = None
    if form.validate_on_submit():
        try:
            signed = _serializer().loads(form.roster.data, max_age=CONFIRM_MAX_AGE)
        except BadData:
            signed = None
    if not isinstance(signed, dict) or (signed.get("b"), signed.get("d")) != (
        branch.id,
        form.confirm.data,
    ):
        page["problems"] = [message("confirm_stale", lang)]
        return 400
    page["done"] = _apply(branch, roster.rows_from_payload(signed["r"]), bool(signed["a"]))
    page["confirmed"] = True
    return 200


def _apply(branch, rows: list[dict], append: bool) -> int:
    return run_in_transaction(
        db.session,
        lambda: roster.apply_members(db.session, web_actor(), branch, rows, append=append),
    )


@bp.get("/branches/<int:branch_id>/members")
@staff_required(Action.READ_ROLL)
def members(branch_id: int):
    branch = _branch(branch_id)
    on_roll = roster.active_members(db.session, branch.id)
    return render_template(
        "files/roll.html",
        branch=branch,
        members=on_roll,
        twice=homonyms(on_roll),
        roll=roster.roll_counts(db.session, branch.id),
        drafts=roll.draft_appraisals(db.session, branch),
        may_manage=access.may(current_user, Action.MANAGE_ROLL),
    )


@bp.route("/branches/<int:branch_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@staff_required(Action.MANAGE_ROLL)
def edit_member(branch_id: int, member_id: int):
    branch = _branch(branch_id)
    member = roll.member_of(db.session, branch, member_id)
    form = MemberForm(obj=member)
    if not form.validate_on_submit():
        html = render_template("files/member_edit.html", branch=branch, member=member, form=form)
        return html, 400 if form.is_submitted() else 200
    run_in_transaction(
        db.session,
        lambda: roll.edit_member(
            db.session,
            web_actor(),
            member,
            name=form.name.data,
            member_class=form.member_class.data,
            joined_on=form.joined_on.data,
        ),
    )
    flash(_("%(name)s was saved.", name=member.name))
    return redirect(url_for(".members", branch_id=branch.id), code=303)


@bp.route("/branches/<int:branch_id>/members/<int:member_id>/remove", methods=["GET", "POST"])
@staff_required(Action.MANAGE_ROLL)
def remove_member(branch_id: int, member_id: int):
    branch = _branch(branch_id)
    member = roll.member_of(db.session, branch, member_id)
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        drafts = roll.draft_appraisals(db.session, branch)
        html = render_template(
            "files/member_remove.html", branch=branch, member=member, form=form, drafts=drafts
        )
        return html, 400 if form.is_submitted() else 200
    name = member.name
    run_in_transaction(db.session, lambda: roll.remove_member(db.session, web_actor(), member))
    flash(_("%(name)s was removed from the roll.", name=name))
    return redirect(url_for(".members", branch_id=branch.id), code=303)
