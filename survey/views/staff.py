"""Staff pages: the signed-in home with the campaigns each account may see, the audit log
for the 审计管理员 (everything, and whether its hash chain holds) and reviewers (their
committee's subtree), and API tokens (each account its own, the 安全管理员 every one)."""

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
from sqlalchemy import select

from survey.core.converters import MAX_ID
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.models import Organisation
from survey.models.base import utcnow
from survey.staff import access, audit_reading, audit_words, sign_in, tokens
from survey.staff.access import Action
from survey.views.guards import staff_required, web_actor

bp = Blueprint("staff", __name__)


@bp.app_context_processor
def role_table():
    """``may("ACTION")`` in templates: what a page offers is what the role table allows."""

    def may(name: str) -> bool:
        return current_user.is_authenticated and access.may(current_user, Action[name])

    def administers() -> bool:
        return current_user.is_authenticated and access.administers(db.session, current_user)

    return {"may": may, "administers": administers}


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
@staff_required(Action.READ_AUDIT)
def audit():
    whole = access.may(current_user, Action.READ_WHOLE_AUDIT)
    visible = None if whole else access.visible_organisation_ids(db.session, current_user)
    organisation_id = _id_arg("organisation")
    campaign_id = _id_arg("campaign")
    scope = visible
    if organisation_id is not None:
        if not whole:  # the auditor filters the whole log by any id; others in scope (404)
            access.get_organisation(db.session, current_user, organisation_id)
        scope = access.subtree_ids(db.session, organisation_id)
    if campaign_id is not None and not whole:
        access.get_campaign(db.session, current_user, campaign_id)
    entries = audit_reading.entries(db.session, scope, campaign_id)
    listed = select(Organisation).order_by(Organisation.id)
    if not whole:
        listed = access.visible_organisations(db.session, current_user, deactivated=True)
    organisations = db.session.scalars(listed)
    return render_template(
        "staff/audit.html",
        entries=entries,
        said=audit_words.say_all(db.session, entries),
        campaigns=audit_words.campaigns_in(db.session, visible),
        organisations=list(organisations),
        organisation_id=organisation_id,
        campaign_id=campaign_id,
        page_size=audit_reading.PAGE_SIZE,
        # the whole chain's verdict: for whoever may see the whole log (the auditor)
        chain=audit_reading.verify_chain(db.session) if whole else None,
    )


@bp.get("/audit.csv")
@staff_required(Action.READ_WHOLE_AUDIT)
def audit_csv():
    """The whole log with its chain hashes, for whoever may see all of it (the auditor)."""
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
    """The signed-in account's API tokens (every account's for the secadmin), to revoke."""
    rows = tokens.visible(db.session, current_user)
    return render_template("staff/tokens.html", tokens=rows, now=utcnow())


@bp.post("/tokens/<int:token_id>/revoke")
@staff_required()
@transactional
def revoke_api_token(token_id: int):
    row = tokens.revoke(db.session, web_actor(), current_user, token_id)
    flash(_("The API token %(name)s is revoked: it no longer works.", name=row.name))
    return redirect(url_for(".api_tokens"), code=303)
