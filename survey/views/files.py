"""Files for Excel: the closed campaign's 测评汇总表, the committee's rating summary, and the
import of organisations (admins); a branch's member roll is survey/views/rolls.py's.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from forms.files import UploadForm
from survey.core import replica
from survey.core.converters import year_arg
from survey.core.extensions import db
from survey.core.timezone import local_today
from survey.core.transactions import run_in_transaction
from survey.files import exports, imports, names
from survey.files.export_words import lang_of
from survey.files.import_words import message
from survey.staff import access
from survey.staff.access import Action
from survey.views.guards import campaign_or_404, organisation_or_404, staff_required, web_actor

bp = Blueprint("files", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_LIMIT = 2 * 1024 * 1024  # a 3,000-row roll is far below; the app's 64 KiB is not


@bp.url_value_preprocessor
def larger_uploads(endpoint, values):
    """The import pages accept up to 2 MiB. Set here, before any before_request hook: the
    CSRF check (an app-wide before_request) reads the form, and with it the body."""
    if endpoint in UPLOADS and request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT


def _lang() -> str:
    return lang_of(get_locale())


def _download(content, filename: str, mimetype: str, name: str | None = None) -> Response:
    """``filename`` (ASCII) for every client; ``name``, the readable one, where it is read."""
    disposition = names.attachment(name, filename) if name else f'attachment; filename="{filename}"'
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _campaign_name(campaign, ext: str, *more) -> str:
    return names.download_name(
        campaign.organisation.name, campaign.year, campaign.kind, ext, _lang(), *more
    )


def _readable(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    access.require_results(current_user, campaign)
    return campaign


def _options() -> dict:
    return {"lang": _lang(), "timezone": current_app.config["TIMEZONE"]}


@bp.get("/campaigns/<int:campaign_id>/summary.xlsx")
@staff_required(Action.READ_RESULTS)
def campaign_xlsx(campaign_id: int):
    campaign = _readable(campaign_id)
    small_group = current_app.config["SMALL_GROUP_THRESHOLD"]
    options = _options()
    content, _fresh = replica.read(
        lambda s: exports.campaign_xlsx(s, campaign, small_group, **options), campaign.closed_at
    )
    name = _campaign_name(campaign, "xlsx")
    return _download(content, f"campaign-{campaign.id}.xlsx", XLSX, name)


@bp.get("/campaigns/<int:campaign_id>/<any(tally, responses):table>.csv")
@staff_required(Action.READ_RESULTS)
def campaign_csv(campaign_id: int, table: str):
    campaign = _readable(campaign_id)
    small_group = current_app.config["SMALL_GROUP_THRESHOLD"]
    options = _options()
    content, _fresh = replica.read(
        lambda s: exports.campaign_csv(s, campaign, small_group, table=table, **options),
        campaign.closed_at,
    )
    name = _campaign_name(campaign, "csv", table)
    return _download(content, f"campaign-{campaign.id}-{table}.csv", "text/csv", name)


@bp.get("/committees/<int:committee_id>/ratings.<any(xlsx, csv):fmt>")
@staff_required(Action.READ_SUMMARIES)
def committee_summary(committee_id: int, fmt: str):
    committee = organisation_or_404(committee_id)
    if committee.kind != "committee":
        abort(404)
    year = year_arg(request.args.get("year"), local_today().year)
    scheme = request.args.get("scheme") or None
    name = names.download_name(committee.name, year, "ratings", fmt, _lang())
    make, options = (exports.summary_xlsx if fmt == "xlsx" else exports.summary_csv), _options()
    content, _fresh = replica.read(lambda s: make(s, committee, year, scheme, **options))
    if fmt == "xlsx":
        return _download(content, f"ratings-{committee.id}-{year}.xlsx", XLSX, name)
    return _download(content, f"ratings-{committee.id}-{year}.csv", "text/csv", name)


@bp.get("/templates/<any(organisations, members):kind>.xlsx")
@staff_required()
def template(kind: str):
    return _download(imports.template_xlsx(kind), f"{kind}-template.xlsx", XLSX)


def _upload(form: UploadForm) -> tuple[bytes, str] | None:
    if not form.validate_on_submit():
        return None
    upload = form.file.data
    return upload.read(), upload.filename or ""


def _run_import(form, check, apply, template_kind: str, **page):
    """Check the upload (every bad row listed, nothing written), then apply it in one
    transaction unless only a dry run was asked for."""
    lang = _lang()
    status, problems, done = 200, [], None
    if form.is_submitted():
        status = 400
        upload = _upload(form)
        if upload is not None:
            try:
                checked = check(imports.read_table(*upload, lang=lang), lang)
            except imports.Unreadable as exc:
                checked = imports.Checked(unreadable=exc.message)
            problems = checked.report(lang)
            if not problems:
                status = 200
                done = len(checked.rows)
                if not form.dry_run.data:
                    run_in_transaction(db.session, lambda: apply(checked.rows))
    page.update(form=form, problems=problems, done=done, template_kind=template_kind)
    return render_template("files/import.html", dry_run=form.dry_run.data, **page), status


@bp.route("/organisations/import", methods=["GET", "POST"])
@staff_required(Action.MANAGE_ORGANISATIONS)
def import_organisations():
    return _run_import(
        UploadForm(),
        lambda rows, lang: imports.check_organisations(db.session, rows, lang),
        lambda rows: imports.apply_organisations(db.session, web_actor(), rows),
        "organisations",
        heading="organisations",
        action=url_for(".import_organisations"),
    )


UPLOADS = {"files.import_organisations"}


@bp.errorhandler(413)
def too_large(_exc):
    """An upload past the limit: said in words, with the way out (import in parts)."""
    return render_template("files/too_large.html", message=message("too_large", _lang())), 413
