"""The committee's form to publish the recommended list for public notice (公示): the period
in working days and the contact for objections, each refused beside its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from survey.rating import notice


class PublishForm(FlaskForm):
    year = HiddenField()
    days = IntegerField(
        _l("Notice period (working days)"),
        default=notice.DEFAULT_DAYS,
        validators=[
            InputRequired(message=_l("Enter the number of working days.")),
            NumberRange(
                notice.MIN_DAYS,
                notice.MAX_DAYS,
                message=_l("The notice runs 1 to 30 working days."),
            ),
        ],
    )
    contact_person = StringField(
        _l("Contact person for objections"),
        validators=[
            DataRequired(message=_l("Enter who takes objections.")),
            Length(max=notice.MAX_PERSON),
        ],
    )
    contact_phone = StringField(
        _l("Contact telephone"),
        validators=[
            DataRequired(message=_l("Enter a telephone number.")),
            Regexp(notice.PHONE, message=_l("Enter a telephone number, e.g. 0477-8581234.")),
        ],
    )
    contact_address = StringField(
        _l("Address for objections"),
        validators=[
            DataRequired(message=_l("Enter where objections may be brought.")),
            Length(max=notice.MAX_ADDRESS),
        ],
    )

    def contact(self) -> notice.Contact:
        return notice.Contact(
            self.contact_person.data or "",
            self.contact_phone.data or "",
            self.contact_address.data or "",
        )
