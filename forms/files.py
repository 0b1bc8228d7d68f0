"""The upload forms of the imports (organisations, a branch's member roll) and the roll's
own forms (one member edited or removed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from survey.files.imports import MAX_NAME


class UploadForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx) or CSV"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Only check the file, import nothing"))


class RosterUploadForm(UploadForm):
    append = BooleanField(_l("Add these members to the current roll instead of replacing it"))


class ConfirmRosterForm(FlaskForm):
    """The second POST of a roster with names held twice: the checked file's digest, and
    its checked rows signed by the server (so the confirmed file is the one imported)."""

    confirm = HiddenField(validators=[DataRequired()])
    roster = HiddenField(validators=[DataRequired()])


class MemberForm(FlaskForm):
    name = StringField(
        _l("Member's name"),
        validators=[
            DataRequired(message=_l("Give the member's name.")),
            Length(max=MAX_NAME, message=_l("Please keep the name under 100 characters.")),
        ],
    )
    member_class = RadioField(
        _l("Class"),
        choices=[
            SelectChoice("full", _l("Full member")),
            SelectChoice("probationary", _l("Probationary member")),
        ],
        validators=[InputRequired(message=_l("Choose the member's class."))],
    )
    joined_on = DateField(_l("Joined the Party on"), validators=[Optional()])


class RemoveMemberForm(FlaskForm):
    """The confirmation of a removal: a plain POST with its CSRF token."""
