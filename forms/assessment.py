"""The reviewer's assessment form: grade, social feedback, negative list, domain data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Length, NumberRange, Optional

from survey.labels import EXCLUSIONS, GRADES, STARS

SOCIAL_ROWS = 5


class SocialRow(Form):
    department = StringField(_l("Department"), validators=[Optional(), Length(max=100)])
    negative = BooleanField(_l("Says the branch falls short"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _count(label, high):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=high)])


class AssessmentForm(FlaskForm):
    organisation_grade = SelectField(
        _l("Committee grade"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in GRADES.items()],
        validators=[Optional()],
    )
    score = _count(_l("Score (where a score is kept)"), 100)
    social = FieldList(FormField(SocialRow), min_entries=SOCIAL_ROWS, max_entries=30)
    volunteers = _count(_l("Members registered as volunteers"), 1_000_000)
    serving_members = _count(_l("Serving members"), 1_000_000)
    volunteer_activities = _count(_l("Volunteer activities this year"), 1_000)
    stars = _count(_l("Stars in the ten-star rating"), 10)
    named_stars = CheckboxesField(
        _l("Named stars held"), choices=[SelectChoice(k, v) for k, v in STARS.items()]
    )


for _key, _label in EXCLUSIONS.items():
    setattr(AssessmentForm, f"ex_{_key}", BooleanField(_label))
    setattr(
        AssessmentForm,
        f"ex_{_key}_note",
        TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)]),
    )


def to_data(form: AssessmentForm) -> dict:
    """The form as the JSON-like dict ``survey.assessments`` validates."""
    data = {
        name: getattr(form, name).data
        for name in ("score", "volunteers", "serving_members", "volunteer_activities", "stars")
    }
    data["organisation_grade"] = form.organisation_grade.data or None
    data["named_stars"] = list(form.named_stars.data or [])
    data["social"] = [
        {
            "department": row.department.data.strip(),
            "negative": bool(row.negative.data),
            "note": row.note.data or "",
        }
        for row in form.social
        if (row.department.data or "").strip()
    ]
    data["exclusions"] = [
        {"key": key, "note": getattr(form, f"ex_{key}_note").data or ""}
        for key in EXCLUSIONS
        if getattr(form, f"ex_{key}").data
    ]
    return data


def fill(form: AssessmentForm, saved: dict | None) -> None:
    """Show a saved assessment in the form."""
    if not saved:
        return
    for name in ("score", "volunteers", "serving_members", "volunteer_activities", "stars"):
        getattr(form, name).data = saved[name]
    form.organisation_grade.data = saved["organisation_grade"] or ""
    form.named_stars.data = saved["named_stars"]
    for row, entry in zip(form.social, saved["social"], strict=False):
        row.department.data, row.negative.data, row.note.data = (
            entry["department"],
            entry["negative"],
            entry["note"],
        )
    for entry in saved["exclusions"]:
        getattr(form, f"ex_{entry['key']}").data = True
        getattr(form, f"ex_{entry['key']}_note").data = entry["note"]
