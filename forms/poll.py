"""The public satisfaction poll, and the reviewer's and staff's poll forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forms.ballot import ballot_form_class

HONEYPOT = "website"


def poll_form_class(campaign) -> type[FlaskForm]:
    """The ballot form (headline ``choice``, ``q_<key>`` items, ``reason``) plus a honeypot,
    the signed issue stamp and the position the page may fill in."""

    class PollForm(ballot_form_class(campaign)):
        website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])
        issued = HiddenField()  # the signed fill stamp carries this form's one-time nonce
        nonce = None
        lat = HiddenField()
        lon = HiddenField()

    return PollForm


def coordinate(value: str | None) -> float | None:
    """A number from the hidden position inputs, or None (refused, no JS, garbled)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


class VerificationForm(FlaskForm):
    result = RadioField(
        _l("Finding"),
        choices=[
            SelectChoice("verified", _l("Verified true")),
            SelectChoice("unfounded", _l("Unfounded")),
        ],
        validators=[InputRequired(message=_l("Please choose a finding."))],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[
            DataRequired(message=_l("Please write what was checked.")),
            Length(max=1000),
        ],
    )


class ResidentCodesForm(FlaskForm):
    count = IntegerField(
        _l("Number of codes"),
        validators=[InputRequired(), NumberRange(min=1, max=500)],
        default=20,
    )


class ClosingDateForm(FlaskForm):
    closes_on = DateField(_l("Closing date"), validators=[Optional()])
