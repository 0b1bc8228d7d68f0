"""The public satisfaction poll, and the reviewer's and staff's poll forms."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forms.ballot import ballot_form_class
from survey.core.converters import FIRST_YEAR, LAST_YEAR

HONEYPOT = "website"


def poll_form_class(campaign) -> type[FlaskForm]:
    """The ballot form (headline ``choice``, ``q_<key>`` items, ``reason``) plus a honeypot,
    the signed issue stamp and the position the page may fill in. Built once per ballot form
    class (a class a request was a tenth of a poll answer's Python, bench/hotspots.py poll)."""
    return _poll_form_class(ballot_form_class(campaign))


@lru_cache(maxsize=512)
def _poll_form_class(ballot_form: type[FlaskForm]) -> type[FlaskForm]:
    class PollForm(ballot_form):
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


class DailyCeilingForm(FlaskForm):
    """The committee's ceiling of answers one address may give a poll in a day (blank: the
    service's default)."""

    ceiling = IntegerField(
        _l("Answers one address may give in a day"),
        validators=[Optional(), NumberRange(min=1, max=10_000)],
    )


class ClosingDateForm(FlaskForm):
    closes_on = DateField(_l("Closing date"), validators=[Optional()])


MAX_EXTRA_QUESTIONS = 10


class NewPollForm(FlaskForm):
    """A public satisfaction poll (群众满意度测评) of a branch."""

    organisation_id = SelectField(_l("Branch"), coerce=int, validators=[InputRequired()])
    year = IntegerField(
        _l("Year"), validators=[InputRequired(), NumberRange(FIRST_YEAR, LAST_YEAR)]
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    geofence = RadioField(
        _l("Service area check"),
        choices=[
            SelectChoice("off", _l("Off: positions are not asked for")),
            SelectChoice("flag", _l("Flag: answers from outside the area are counted apart")),
            SelectChoice("require", _l("Require: only answers from inside the area are taken")),
        ],
        default="flag",
        validators=[InputRequired()],
    )
    closes_on = DateField(_l("Closing date (last day open)"), validators=[Optional()])
    extra = TextAreaField(
        _l("Further questions (optional, one per line)"),
        validators=[Optional(), Length(max=2000)],
    )
    second = BooleanField(_l("I know there is one already: create a second one"))

    def extra_questions(self) -> list[tuple[str, str]]:
        lines = [line.strip() for line in (self.extra.data or "").splitlines() if line.strip()]
        return [(f"q{n}", line[:200]) for n, line in enumerate(lines, start=1)]

    def validate_extra(self, field) -> None:
        from wtforms.validators import ValidationError

        if len(self.extra_questions()) > MAX_EXTRA_QUESTIONS:
            raise ValidationError(_l("At most 10 further questions."))
