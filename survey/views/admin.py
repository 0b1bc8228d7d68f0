"""The admin's pages: organisations and staff accounts (the CLI stays for the server)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from forms.admin import NONE, OrganisationForm, UserForm
from survey import access, accounts
from survey.access import Action
from survey.database import transactional
from survey.extensions import db
from survey.models import Organisation, User
from survey.views.guards import staff_required, web_actor

bp = Blueprint("admin", __name__)


def _organisations() -> list[Organisation]:
    return list(db.session.scalars(access.visible_organisations(db.session, current_user)))


def _forms(org_form=None, user_form=None):
    organisations = _organisations()
    org_form = org_form or OrganisationForm(prefix="org")
    user_form = user_form or UserForm(prefix="user")
    none = SelectChoice(NONE, _("(none)"))
    committees = [SelectChoice(o.id, o.name) for o in organisations if o.kind == "committee"]
    org_form.parent_id.choices = [none, *committees]
    user_form.organisation_id.choices = [none] + [SelectChoice(o.id, o.name) for o in organisations]
    return organisations, org_form, user_form


def _page(org_form=None, user_form=None, status=200):
    organisations, org_form, user_form = _forms(org_form, user_form)
    users = db.session.scalars(select(User).order_by(User.id)).all()
    return render_template(
        "staff/admin.html",
        organisations=organisations,
        users=users,
        org_form=org_form,
        user_form=user_form,
    ), status


@bp.get("/")
@staff_required(Action.MANAGE_ORGANISATIONS)
def index():
    return _page()


@bp.post("/organisations")
@staff_required(Action.MANAGE_ORGANISATIONS)
@transactional
def create_organisation():
    form = _forms(org_form=OrganisationForm(prefix="org"))[1]
    if not form.validate():
        return _page(org_form=form, status=400)
    parent = db.session.get(Organisation, form.parent_id.data) if form.parent_id.data else None
    organisation = accounts.create_organisation(
        db.session,
        web_actor(),
        name=form.name.data,
        kind=form.kind.data,
        parent=parent,
    )
    flash(_("Organisation %(name)s created.", name=organisation.name))
    return redirect(url_for(".index"), code=303)


@bp.post("/users")
@staff_required(Action.MANAGE_USERS)
@transactional
def create_user():
    form = _forms(user_form=UserForm(prefix="user"))[2]
    if not form.validate():
        return _page(user_form=form, status=400)
    organisation_id = form.organisation_id.data
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    user = accounts.create_user(
        db.session,
        web_actor(),
        username=form.username.data,
        role=form.role.data,
        organisation=organisation,
        password=form.password.data,
    )
    flash(_("Account %(name)s created.", name=user.username))
    return redirect(url_for(".index"), code=303)
