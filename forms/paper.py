"""The teller's form for one paper ballot: the short code; the marks are read as posted
(one radio group per question key), so that a 200-member appraisal is not a 200-field class."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from forms.i18n import Form


class PaperBallotForm(Form):
    code = StringField(
        _l("Short code on the paper ballot"),
        validators=[
            DataRequired(message=_l("Type the short code printed on the paper ballot.")),
            Length(max=40),
        ],
    )
