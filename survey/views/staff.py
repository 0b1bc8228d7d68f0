"""Staff pages: the signed-in home with the campaigns each account may see, the audit log
for admins (everything, and whether its hash chain holds) and reviewers (their committee's
subtree), and API tokens (each account its own, the admin every one)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from survey.core.converters import MAX_ID
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.models.base import utcnow
from survey.staff import access, audit_reading, audit_words, sign_in, tokens
from survey.staff.access import ADMIN, REVIEWER
from survey.views.guards import staff_required, web_actor

bp = Blueprint("staff", __name__)


@bp.get("/")
@staff_required()
def home():
    query = access.visible_campaigns(db.session, current_user)
    last = sign_in.last_sign_in(db.session, current_user.id, session.get(sign_in.SIGN_IN_ENTRY))
    return render_template("staff/home.html", campaigns=db.session.scalars(query).all(), last=last)


def _id_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        abort(400)
    return int(value)


@bp.get("/audit")
@staff_required()
def audit():
    if current_user.role not in (ADMIN, REVIEWER):
        abort(403)
    visible = access.visible_organisation_ids(db.session, current_user)
    organisation_id = _id_arg("organisation")
    campaign_id = _id_arg("campaign")
    scope = visible
    if organisation_id is not None:
        access.get_organisation(db.session, current_user, organisation_id)  # 404 if unseen
        scope = access.subtree_ids(db.session, organisation_id)
    if campaign_id is not None:
        access.get_campaign(db.session, current_user, campaign_id)
    entries = audit_reading.entries(db.session, scope, campaign_id)
    organisations = db.session.scalars(
        access.visible_organisations(db.session, current_user, deactivated=True)
    )
    return render_template(
        "staff/audit.html",
        entries=entries,
        said=audit_words.say_all(db.session, entries),
        campaigns=audit_words.campaigns_in(db.session, visible),
        organisations=list(organisations),
        organisation_id=organisation_id,
        campaign_id=campaign_id,
        page_size=audit_reading.PAGE_SIZE,
        # the whole chain's verdict: for whoever may see the whole log (no auditor role yet)
        chain=audit_reading.verify_chain(db.session) if current_user.role == ADMIN else None,
    )


@bp.get("/audit.csv")
@staff_required()
def audit_csv():
    """The whole log with its chain hashes, for whoever may see all of it (admins)."""
    if current_user.role != ADMIN:
        abort(403)
    from survey.files.audit_export import audit_csv_lines

    lines = audit_csv_lines(db.session)
    return Response(
        "\ufeff" + "".join(lines),  # a BOM: Excel then reads the Chinese as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@bp.get("/tokens")
@staff_required()
def api_tokens():
    """The signed-in account's API tokens (every account's for the admin), to revoke."""
    rows = tokens.visible(db.session, current_user)
    return render_template("staff/tokens.html", tokens=rows, now=utcnow())


@bp.post("/tokens/<int:token_id>/revoke")
@staff_required()
@transactional
def revoke_api_token(token_id: int):
    row = tokens.revoke(db.session, web_actor(), current_user, token_id)
    flash(_("The API token %(name)s is revoked: it no longer works.", name=row.name))
    return redirect(url_for(".api_tokens"), code=303)
