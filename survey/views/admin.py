"""The administrators' pages (三员分立, survey/staff/access.py): organisations and the
secretaries' and reviewers' accounts for the sysadmin; roles, deactivation and password
resets for the secadmin; the missing administrators for whichever of the three came first.
The CLI stays for the server."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from forms.admin import NONE, OrganisationEditForm, OrganisationForm, PasswordResetForm, UserForm
from survey.core import gcj02
from survey.core.errors import Conflict, Invalid, NotFound
from survey.core.extensions import db
from survey.core.labels import role_label
from survey.core.transactions import transactional
from survey.models import Organisation, User
from survey.staff import access, accounts
from survey.staff.access import Action
from survey.views.guards import staff_required, web_actor
from survey.views.passwords import password_refusal

bp = Blueprint("admin", __name__)


def _organisations() -> list[Organisation]:
    query = access.visible_organisations(db.session, current_user, deactivated=True)
    return list(db.session.scalars(query))


def _committee_choices(organisations, exclude: int | None = None) -> list[SelectChoice]:
    none = SelectChoice(NONE, _("(none)"))
    committees = [
        SelectChoice(o.id, o.name)
        for o in organisations
        if o.kind == "committee" and o.active and o.id != exclude
    ]
    return [none, *committees]


def _givable(missing) -> list[str]:
    """The roles the signed-in account may give a new account, from the role table."""
    return [r for r in access.ROLES if access.may_give_role(current_user, r, missing)]


def _forms(org_form=None, user_form=None, missing=frozenset()):
    organisations = _organisations()
    org_form = org_form or OrganisationForm(prefix="org")
    user_form = user_form or UserForm(prefix="user")
    org_form.parent_id.choices = _committee_choices(organisations)
    active = [SelectChoice(o.id, o.name) for o in organisations if o.active]
    user_form.organisation_id.choices = [SelectChoice(NONE, _("(none)")), *active]
    user_form.role.choices = [SelectChoice(r, role_label(r)) for r in _givable(missing)]
    return organisations, org_form, user_form


def _page(org_form=None, user_form=None, status=200):
    missing = access.missing_admin_roles(db.session)
    organisations, org_form, user_form = _forms(org_form, user_form, missing)
    users = db.session.scalars(select(User).order_by(User.id)).all()
    return render_template(
        "staff/admin.html",
        organisations=organisations,
        users=users,
        org_form=org_form,
        user_form=user_form,
        missing=[role_label(r) for r in access.ADMIN_ROLES if r in missing],
        legacy=access.legacy_admins(db.session),
        splits=sorted(access.HOLDS[access.ADMIN]),
    ), status


@bp.get("/")
@staff_required()
def index():
    if not access.administers(db.session, current_user):
        abort(403)
    return _page()


@bp.post("/organisations")
@staff_required(Action.MANAGE_ORGANISATIONS)
@transactional
def create_organisation():
    form = _forms(org_form=OrganisationForm(prefix="org"))[1]
    if not form.validate():
        return _page(org_form=form, status=400)
    parent = db.session.get(Organisation, form.parent_id.data) if form.parent_id.data else None
    try:
        organisation = accounts.create_organisation(
            db.session,
            web_actor(),
            name=form.name.data,
            kind=form.kind.data,
            parent=parent,
        )
    except Invalid as refusal:
        _show_refusal(form, refusal)
        return _page(org_form=form, status=refusal.status)
    flash(_("Organisation %(name)s created. Set its other fields below.", name=organisation.name))
    return redirect(url_for(".edit_organisation", organisation_id=organisation.id), code=303)


def _edit_form(organisation: Organisation) -> OrganisationEditForm:
    form = OrganisationEditForm(obj=organisation)
    if not form.is_submitted():
        form.parent_id.data = organisation.parent_id or NONE
        form.domain.data = organisation.domain or ""
        form.scheme.data = organisation.scheme or ""
    form.parent_id.choices = _committee_choices(_organisations(), exclude=organisation.id)
    return form


def _service_area(form: OrganisationEditForm) -> tuple[float, float, int] | None:
    """The service area in WGS-84: a pasted 高德 / 腾讯 link (GCJ-02, converted) or pair fills
    the latitude and longitude; the box says a typed pair is GCJ-02."""
    lat, lon, from_gcj02 = form.service_lat.data, form.service_lon.data, form.gcj02.data
    point = form.pasted_point()
    if point is not None:
        lat, lon, from_gcj02 = point.lat, point.lon, point.gcj02 or form.gcj02.data
    values = (lat, lon, form.service_radius_m.data)
    if all(v is None for v in values):
        return None
    if any(v is None for v in values):
        raise Invalid("latitude, longitude and radius go together", field="service_lat")
    lat, lon, radius_m = values
    if from_gcj02:
        lat, lon = gcj02.gcj02_to_wgs84(lat, lon)
    return round(lat, 7), round(lon, 7), radius_m


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@staff_required(Action.MANAGE_ORGANISATIONS)
@transactional
def edit_organisation(organisation_id: int):
    organisation = access.get_organisation(db.session, current_user, organisation_id)
    form = _edit_form(organisation)
    if form.validate_on_submit():
        try:
            area = _service_area(form)
            parent_id = form.parent_id.data
            accounts.update_organisation(
                db.session,
                web_actor(),
                organisation,
                name=form.name.data,
                parent=db.session.get(Organisation, parent_id) if parent_id else None,
                domain=form.domain.data or None,
                founded_on=form.founded_on.data,
                public_facing=form.public_facing.data,
                weak=form.weak.data,
                service_area=area,
                scheme=form.scheme.data or None,
                active=form.active.data,
            )
        except Invalid as refusal:
            field = getattr(form, refusal.detail.get("field", ""), None) or form.name
            field.errors = [*field.errors, refusal.message]
        else:
            flash(_("Organisation %(name)s saved.", name=organisation.name))
            return redirect(url_for(".index"), code=303)
    status = 400 if form.is_submitted() else 200
    html = render_template("staff/organisation.html", organisation=organisation, form=form)
    return html, status


@bp.post("/users")
@staff_required()
@transactional
def create_user():
    missing = access.missing_admin_roles(db.session)
    role = request.form.get("user-role", "")
    if not access.may_give_role(current_user, role, missing):
        if role in access.ROLES or not _givable(missing):
            abort(403)  # the role table refuses it (an unknown role: the form says so)
    form = _forms(user_form=UserForm(prefix="user"), missing=missing)[2]
    if not form.validate():
        return _page(user_form=form, status=400)
    organisation_id = form.organisation_id.data
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    try:
        user = accounts.create_user(
            db.session,
            web_actor(),
            username=form.username.data,
            role=form.role.data,
            organisation=organisation,
            password=form.password.data,
        )
    except (Invalid, Conflict) as refusal:
        if refusal.detail.get("rule") is not None:
            form.password.errors = [password_refusal(refusal)]
        else:
            _show_refusal(form, refusal)
        return _page(user_form=form, status=refusal.status)
    flash(_("Account %(name)s created.", name=user.username))
    return redirect(url_for(".index"), code=303)


def _refusal_reasons() -> dict[str, str]:
    return {
        "username_needed": _("A user name is needed."),
        "username_taken": _("This user name is taken already: choose another one."),
        "role": _("Choose one of the roles offered."),
        "second_admin_role": _(
            "An account holds at most one administrator role, given when it is made: "
            "create a new account for the other role."
        ),
        "secretary_needs_org": _("A branch secretary needs a branch: choose it here."),
        "reviewer_needs_org": _("A reviewer needs a committee (党委): choose it here."),
        "secretary_branch": _(
            "A branch secretary belongs to a branch (党支部), not to a committee: choose a branch."
        ),
        "reviewer_committee": _(
            "A reviewer belongs to a committee (党委), not to a branch: choose a committee."
        ),
        "name_needed": _("A name is needed."),
        "kind": _("Choose a branch or a committee."),
        "branch_parent": _("A branch belongs to a committee (党委): choose it here."),
        "parent_kind": _("Only a committee (党委) has organisations below it."),
    }


def _show_refusal(form, refusal) -> None:
    """The service's reason, in words, beside the field it names (never a bare error page)."""
    fallback = form.username if isinstance(form, UserForm) else form.name
    field = getattr(form, refusal.detail.get("field") or "", None) or fallback
    reason = _refusal_reasons().get(refusal.detail.get("reason"), refusal.message)
    field.errors = [*field.errors, reason]


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("no such account")
    return user


@bp.post("/users/<int:user_id>/active")
@staff_required(Action.ACTIVATE_USERS)
@transactional
def toggle_user(user_id: int):
    user = _user(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."))
        return redirect(url_for(".index"), code=303)
    accounts.set_user_active(db.session, web_actor(), user, not user.active)
    if user.active:
        flash(_("Account %(name)s is active again.", name=user.username))
    else:
        flash(_("Account %(name)s is deactivated: it cannot sign in.", name=user.username))
    return redirect(url_for(".index"), code=303)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@staff_required(Action.RESET_PASSWORDS)
@transactional
def reset_password(user_id: int):
    user = _user(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("staff/password_reset.html", user=user, form=form), status
    try:
        accounts.reset_password(db.session, web_actor(), user, form.password.data)
    except Invalid as refusal:
        form.password.errors = [password_refusal(refusal)]
        html = render_template("staff/password_reset.html", user=user, form=form)
        return html, 400
    flash(_("New password of %(name)s saved; tell it to them in person.", name=user.username))
    return redirect(url_for(".index"), code=303)


@bp.post("/users/<int:user_id>/role")
@staff_required(Action.MANAGE_ROLES)
@transactional
def change_role(user_id: int):
    """The secadmin gives an account another role: above all, splits a legacy admin."""
    user = _user(user_id)
    role = request.form.get("role", "")
    if user.id == current_user.id:
        flash(_("You cannot change your own role."))
        return _page(status=403)
    try:
        accounts.change_role(db.session, web_actor(), user, role)
    except Invalid as refusal:
        flash(_refusal_reasons().get(refusal.detail.get("reason"), refusal.message))
        return _page(status=400)
    flash(_("%(name)s is now: %(role)s.", name=user.username, role=role_label(role)))
    return redirect(url_for(".index"), code=303)
