"""The committee's final grade of one appraised member (民主评议党员)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from survey.appraisal.operations import GRADES, MAX_REASON
from survey.core.labels import choice_label


class FinalGradeForm(FlaskForm):
    appraisee = IntegerField(validators=[InputRequired()])
    grade = SelectField(
        _l("Final grade"),
        choices=[SelectChoice(g, choice_label(g)) for g in GRADES],
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason for the final grade.")),
            Length(max=MAX_REASON, message=_l("Please keep the reason under 500 characters.")),
        ],
    )
    sort = HiddenField()
