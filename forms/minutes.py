"""The meeting's own facts for the minutes (会议记录): place, time and attendance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forms.i18n import Form
from survey.campaigns.minutes import MAX_NAMES, MAX_PEOPLE, MAX_PLACE

WHOLE = _l("Type a whole number.")


class MeetingRecordForm(Form):
    place = StringField(
        _l("Place of the meeting"),
        validators=[
            DataRequired(message=_l("Give the place of the meeting.")),
            Length(max=MAX_PLACE),
        ],
    )
    held_at = DateTimeLocalField(
        _l("Time of the meeting"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    expected = IntegerField(
        _l("Expected (members on the roll)"),
        validators=[Optional(), NumberRange(1, MAX_PEOPLE, message=WHOLE)],
    )
    present = IntegerField(
        _l("Present"),
        validators=[
            InputRequired(message=_l("Give how many members were present.")),
            NumberRange(0, MAX_PEOPLE, message=WHOLE),
        ],
    )
    absent = TextAreaField(
        _l("Absent, with the reason (optional)"), validators=[Length(max=MAX_NAMES)]
    )
    guests = StringField(_l("Sitting in (optional)"), validators=[Length(max=MAX_NAMES)])
