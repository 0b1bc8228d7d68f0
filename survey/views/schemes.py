"""A committee's own schemes on the reviewer's pages (routes of the ratings blueprint):
choose the committee's scheme, upload a file, copy a preset and edit it."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from survey import rules
from survey.core.errors import Invalid
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.rating import schemes_store
from survey.staff.access import Action
from survey.views.guards import organisation_or_404, staff_required, web_actor

# Served under /ratings beside the ratings they decide; a blueprint of its own so that
# neither module imports the other.
bp = Blueprint("schemes", __name__)


def _committee(committee_id: int):
    org = organisation_or_404(committee_id)
    if org.kind != "committee":
        abort(404)
    return org


def _page(committee, error: str | None = None, status: int = 200):
    own = schemes_store.own_keys(db.session, committee.id)
    html = render_template(
        "ratings/schemes.html",
        committee=committee,
        presets=rules.SCHEMES,
        own=[(row, schemes_store.frozen(db.session, row)) for row in own],
        error=error,
    )
    return html, status


@bp.get("/committees/<int:committee_id>/schemes")
@staff_required(Action.MANAGE_TITLES)
def schemes(committee_id: int):
    return _page(_committee(committee_id))


@bp.post("/committees/<int:committee_id>/schemes/choice")
@staff_required(Action.MANAGE_TITLES)
@transactional
def choose_scheme(committee_id: int):
    committee = _committee(committee_id)
    schemes_store.choose(db.session, web_actor(), committee, request.form.get("scheme") or None)
    return redirect(url_for("schemes.schemes", committee_id=committee.id), code=303)


@bp.post("/committees/<int:committee_id>/schemes/upload")
@staff_required(Action.MANAGE_TITLES)
@transactional
def upload_scheme(committee_id: int):
    committee = _committee(committee_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(committee, "choose a .toml file", 400)
    try:
        text = upload.read(schemes_store.MAX_TEXT + 1).decode("utf-8")
        row = schemes_store.save(db.session, web_actor(), committee, text, upload.filename)
    except (Invalid, UnicodeDecodeError) as exc:
        db.session.rollback()
        return _page(committee, getattr(exc, "message", f"{upload.filename}: not UTF-8"), 400)
    return redirect(url_for("schemes.schemes", committee_id=committee.id, saved=row.ref), 303)


@bp.post("/committees/<int:committee_id>/schemes/copy")
@staff_required(Action.MANAGE_TITLES)
@transactional
def copy_scheme(committee_id: int):
    committee = _committee(committee_id)
    key = request.form.get("key", "").strip()
    try:
        text = schemes_store.preset_text(request.form.get("preset", ""), key)
        row = schemes_store.save(db.session, web_actor(), committee, text, f"{key}.toml")
    except Invalid as exc:
        db.session.rollback()
        return _page(committee, exc.message, 400)
    return redirect(url_for("schemes.edit_scheme", committee_id=committee.id, key=row.key), 303)


@bp.route("/committees/<int:committee_id>/schemes/<key>", methods=["GET", "POST"])
@staff_required(Action.MANAGE_TITLES)
@transactional
def edit_scheme(committee_id: int, key: str):
    committee = _committee(committee_id)
    row = schemes_store.row_of(db.session, committee.id, key)
    text, error = row.text, None
    if request.method == "POST":
        text = request.form.get("text", "")
        try:
            row = schemes_store.save(db.session, web_actor(), committee, text, f"{key}.toml")
            target = url_for("schemes.edit_scheme", committee_id=committee.id, key=row.key)
            return redirect(target, code=303)
        except Invalid as exc:
            db.session.rollback()
            error = exc.message
            row = schemes_store.row_of(db.session, committee.id, key)
    html = render_template(
        "ratings/scheme_edit.html",
        committee=committee,
        row=row,
        text=text,
        error=error,
        frozen=schemes_store.frozen(db.session, row),
    )
    return html, 400 if error else 200
