"""The admin's forms: organisations and staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forms.assessment import Bilingual
from survey.core import coordinates
from survey.core.errors import Invalid
from survey.rules import DOMAINS, SCHEMES

NONE = 0
LINK_REFUSALS = {
    "short_link": _l(
        "A short link (surl.amap.com, url.cn) cannot be read here: open it in a browser, "
        "then paste the long address from the address bar, or the latitude and longitude."
    ),
    "no_point": _l(
        "No point found: paste a 高德 or 腾讯 map link with the point in it, "
        "or “latitude,longitude” such as 39.909,116.397."
    ),
    "out_of_range": _l("The latitude is -90 to 90 and the longitude -180 to 180."),
}


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
    # the roles the signed-in administrator may give, from the role table (set by the view)
    role = SelectField(_l("Role"), choices=[], validators=[InputRequired()])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


DOMAIN_LABELS = {
    "organ": Bilingual("机关", "Government organ"),
    "village": Bilingual("农村", "Village"),
    "community": Bilingual("社区", "Community"),
    "enterprise": Bilingual("企业", "Enterprise"),
    "state_enterprise": Bilingual("国有企业和集体企业", "State or collective enterprise"),
    "private_enterprise": Bilingual("非公有制企业", "Private enterprise"),
    "social_organisation": Bilingual("社会组织", "Social organisation"),
    "school": Bilingual("中小学校", "Primary or secondary school"),
    "mobile": Bilingual("流动党员", "Mobile members"),
    "university": Bilingual("高等学校", "University or college"),
    "hospital": Bilingual("公立医院", "Public hospital"),
    "institution": Bilingual("其他事业单位", "Other public institution"),
    "other": Bilingual("其他", "Other"),
}


class OrganisationEditForm(FlaskForm):
    """Every field of an organisation; the service area in WGS-84 unless ``gcj02`` is ticked."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    parent_id = SelectField(_l("Above it"), coerce=int, validators=[InputRequired()])
    domain = SelectField(
        _l("Domain"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(d, DOMAIN_LABELS.get(d, d)) for d in DOMAINS],
        validators=[Optional()],
    )
    founded_on = DateField(_l("Founded on"), validators=[Optional()])
    public_facing = BooleanField(_l("Has public-facing functions (a public poll is needed)"))
    weak = BooleanField(_l("Weak and lax (软弱涣散)"))
    service_link = StringField(
        _l("Service area: a 高德 or 腾讯 map link, or “latitude,longitude”"),
        validators=[Optional(), Length(max=2000)],
    )
    service_lat = FloatField(
        _l("Service area: latitude"), validators=[Optional(), NumberRange(-90, 90)]
    )
    service_lon = FloatField(
        _l("Service area: longitude"), validators=[Optional(), NumberRange(-180, 180)]
    )
    service_radius_m = IntegerField(
        _l("Service area: radius in metres"), validators=[Optional(), NumberRange(1, 1_000_000)]
    )
    gcj02 = BooleanField(_l("These coordinates come from 高德 / 腾讯 maps (GCJ-02): convert them"))
    scheme = SelectField(
        _l("Rating scheme (committees)"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, s.title) for k, s in SCHEMES.items()],
        validators=[Optional()],
    )
    active = BooleanField(_l("Active (untick to deactivate)"))

    def pasted_point(self) -> coordinates.Point | None:
        """The point of the pasted 高德 / 腾讯 link or "lat,lng", None when nothing is pasted;
        refused (Invalid) beside the field, in words, when it names no point."""
        if not (self.service_link.data or "").strip():
            return None
        try:
            return coordinates.read_point(self.service_link.data)
        except coordinates.Unreadable as refused:
            raise Invalid(str(LINK_REFUSALS[refused.reason]), field="service_link") from None


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
