"""The admin's forms: organisations and staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from survey.accounts import MIN_PASSWORD

NONE = 0


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("branch", _l("Branch (党支部)")),
            SelectChoice("committee", _l("Committee (党委)")),
        ],
        validators=[InputRequired()],
    )
    parent_id = SelectField(_l("Above it"), coerce=int, validators=[InputRequired()])


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("secretary", _l("Branch secretary")),
            SelectChoice("reviewer", _l("Reviewer")),
            SelectChoice("admin", _l("Admin")),
        ],
        validators=[InputRequired()],
    )
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[InputRequired()])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)]
    )
