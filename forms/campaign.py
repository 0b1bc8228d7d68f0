"""The secretary's forms: a member-review campaign, ballots, a lost card, state changes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from survey.ballotbox.ballots import MAX_BATCH
from survey.campaigns.meeting import INDICATORS
from survey.core.converters import FIRST_YEAR, LAST_YEAR
from survey.core.labels import REPRESENTATIVES

MAX_ROLL = 10_000
# The choices' labels in the reader's language (the ballot asks meeting.INDICATORS' words).
INDICATOR_LABELS = {
    "political": _l("Strong political function (政治功能强)"),
    "team": _l("Strong ranks of members (队伍建设强)"),
    "life": _l("Strong organisational life (组织生活强)"),
    "role": _l("Strong in playing its role (作用发挥强)"),
    "masses": _l("Strong work with the people (群众工作强)"),
}


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# The appraisal's settings, on its creation form and on its draft's (one definition).
ALL_ROWS_REQUIRED = BooleanField(_l("Every member must be graded"), default=True)
EXCELLENT_CAP = IntegerField(
    _l("Highest share of Excellent in the final grades, in percent (optional)"),
    validators=[Optional(), NumberRange(0, 100, message=_l("Type a whole number from 0 to 100."))],
)


class DraftBase(FlaskForm):
    """What any draft may still change: its title and the numbers expected."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    eligible_full = IntegerField(
        _l("Full members expected (应到正式党员)"),
        validators=[Optional(), NumberRange(0, MAX_ROLL)],
    )
    eligible_probationary = IntegerField(
        _l("Probationary members expected (应到预备党员)"),
        validators=[Optional(), NumberRange(0, MAX_ROLL)],
    )


class DraftForm(DraftBase):
    """A member review's draft: also its indicator items."""

    indicators = CheckboxesField(
        _l("Indicator items besides the overall grade"),
        choices=[SelectChoice(key, INDICATOR_LABELS[key]) for key in INDICATORS],
        validate_choice=True,
    )


class AppraisalDraftForm(DraftBase):
    """A member appraisal's draft: its settings, and its rows read again from the roll."""

    all_rows_required = ALL_ROWS_REQUIRED
    excellent_cap = EXCELLENT_CAP
    reread_roll = BooleanField(_l("Read the members again from the branch's current roll"))


class CampaignForm(DraftForm):
    kind = RadioField(
        _l("Kind"),
        choices=[
            SelectChoice("member_review", _l("Members' review of the branch (党员评议党支部)")),
            SelectChoice("member_appraisal", _l("Appraisal of members (民主评议党员)")),
            SelectChoice(
                "masses_meeting",
                _l("Representatives of the masses at the report meeting (群众代表测评)"),
            ),
        ],
        default="member_review",  # a form posted without it (the old page) makes a review
    )
    # 群众代表 at the report meeting only: who is invited (001 工作指南 §五(二)3, 003 §三(一)3)
    representatives = RadioField(
        _l("Who is invited"),
        choices=[SelectChoice(key, label) for key, label in REPRESENTATIVES.items()],
        default="masses",
    )
    organisation_id = SelectField(_l("Branch"), coerce=int, validators=[InputRequired()])
    year = IntegerField(
        _l("Year"), validators=[InputRequired(), NumberRange(FIRST_YEAR, LAST_YEAR)]
    )
    second = BooleanField(_l("I know there is one already: create a second one"))
    sealing = RadioField(
        _l("Who holds the key of the ballot box"),
        choices=[
            SelectChoice("scrutineers", _l("The scrutineers: 2 of 3 cards open it (监票人)")),
            SelectChoice("server", _l("The server (weaker: its operators could read the votes)")),
        ],
        default="scrutineers",  # a form posted without it (the old page) is sealed so
    )
    # Appraisal of members only
    all_rows_required = ALL_ROWS_REQUIRED
    excellent_cap = EXCELLENT_CAP


class BallotsForm(FlaskForm):
    count = IntegerField(
        _l("Number of cards"), validators=[InputRequired(), NumberRange(1, MAX_BATCH)]
    )
    ballot_class = SelectField(
        _l("Members"),
        choices=[
            SelectChoice("full", _l("Full members")),
            SelectChoice("probationary", _l("Probationary members")),
        ],
        validators=[InputRequired()],
    )


class LostCardForm(FlaskForm):
    code = StringField(
        _l("Short code of the lost card"), validators=[DataRequired(), Length(max=40)]
    )


class OpenForm(FlaskForm):
    printed = BooleanField(_l("The cards are printed"))


class CloseForm(FlaskForm):
    confirm = BooleanField(_l("I understand that closing cannot be undone"))
