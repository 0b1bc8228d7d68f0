"""The reviewer's assessment form: grade, social feedback, negative list, domain data, and the
further facts of facts.toml. The page shows only what the branch's scheme and domain need
(``needs``); every fact's label is the data file's wording in the reader's language."""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (
    BooleanField,
    DateField,
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

from survey import rules
from survey.core.labels import DOMAINS, EXCLUSIONS, GRADES, STARS

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


class Bilingual:
    """A label in the reader's language when the page is rendered: the data files carry
    their own Chinese and English wording, so they need no entry in the catalogue."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        locale = get_locale() if has_request_context() else None
        return self.zh if str(locale or "zh").startswith("zh") else self.en

    def __html__(self) -> str:
        return str(escape(str(self)))


def Wording(fact: rules.Fact) -> Bilingual:  # noqa: N802 (reads as the label it makes)
    return Bilingual(fact.zh, fact.en)


FACT_FIELDS = {name: fact for name, fact in rules.FACTS.items() if not fact.column}
YES_NO = [
    SelectChoice("", "—"),
    SelectChoice("yes", Bilingual("是", "Yes")),
    SelectChoice("no", Bilingual("否", "No")),
]


def _fact_field(fact: rules.Fact):
    if fact.type == "bool":
        return SelectField(Wording(fact), choices=YES_NO, validators=[Optional()])
    if fact.type == "date":
        return DateField(Wording(fact), validators=[Optional()])
    if fact.type == "text":
        return TextAreaField(Wording(fact), validators=[Optional(), Length(max=fact.high)])
    high = fact.high if fact.high is not None else 1_000_000
    return IntegerField(Wording(fact), validators=[Optional(), NumberRange(fact.low, high)])


for _name, _fact in FACT_FIELDS.items():
    setattr(AssessmentForm, f"fact_{_name}", _fact_field(_fact))

ALWAYS = ("term_ends_on",)  # the title's life reads it whatever the scheme (001 工作指南 §七(四))


def fact_domains(scheme, domain: str | None) -> dict[str, str | None]:
    """Each fact the scheme asks of a branch of ``domain`` -> the domain whose standard reads
    it (None: a fact every branch is asked), in the order of the scheme's file."""
    found: dict[str, str | None] = {name: None for name in ALWAYS}
    for item in scheme.criteria:
        if not item.applies_to(domain):
            continue
        group = domain if item.domains else None
        for name in item.facts:
            found.setdefault(name, group)
    for name in scheme.facts_for(domain):
        found.setdefault(name, None)
    return found


def _branch_needs():
    """(facts, sections) the branch of this request's page needs, or None outside a page."""
    from survey import rating
    from survey.core.extensions import db
    from survey.models import Organisation

    branch_id = (request.view_args or {}).get("branch_id") if has_request_context() else None
    branch = db.session.get(Organisation, branch_id) if branch_id is not None else None
    if branch is None:
        return None
    scheme = rating.scheme_for(db.session, branch, None)
    sections = {key for key in ("social", "exclusions") if scheme.item(key) is not None}
    return fact_domains(scheme, branch.domain), sections


def needs(form, name: str) -> bool:
    """Whether the page shows ``name`` (a fact, or the sections "social" and "exclusions")."""
    if not hasattr(form, "_needs"):
        form._needs = _branch_needs()
    if form._needs is None:
        return True
    facts, sections = form._needs
    return name in facts or name in sections


AssessmentForm.needs = needs


def fact_fields(form) -> list:
    return [getattr(form, f"fact_{name}") for name in FACT_FIELDS if form.needs(name)]


def fact_groups(form) -> list[tuple[str | None, object, list]]:
    """(domain, legend, fields): the facts every branch is asked first, then those of the
    branch's own domain's standards (001 附件2 by domain), so a reviewer sees the standards of
    that domain together and no other domain's."""
    if not hasattr(form, "_needs"):
        form._needs = _branch_needs()
    if form._needs is None:
        return [(None, _l("Further facts"), fact_fields(form))]
    groups: dict[str | None, list] = {None: []}
    for name, domain in form._needs[0].items():
        groups.setdefault(domain, [])
        if name in FACT_FIELDS:
            groups[domain].append(getattr(form, f"fact_{name}"))
    return [
        (domain, _legend(domain), fields)
        for domain, fields in groups.items()
        if fields or domain is not None
    ]


def _legend(domain: str | None):
    if domain is None:
        return _l("Further facts")
    return _l("Standards for %(domain)s", domain=DOMAINS.get(domain, domain))


AssessmentForm.fact_fields = fact_fields
AssessmentForm.fact_groups = fact_groups


def _fact_data(form: AssessmentForm) -> dict:
    facts = {}
    for name, fact in FACT_FIELDS.items():
        value = getattr(form, f"fact_{name}").data
        if fact.type == "bool":
            value = {"yes": True, "no": False}.get(value or "")
        elif fact.type == "date" and value is not None:
            value = value.isoformat()
        elif fact.type == "text":
            value = (value or "").strip() or None
        if value is not None and form.needs(name):
            facts[name] = value
    return facts


def _fill_facts(form: AssessmentForm, facts: dict) -> None:
    from datetime import date

    for name, value in facts.items():
        fact = FACT_FIELDS.get(name)
        if fact is None:
            continue
        if fact.type == "bool":
            value = "yes" if value else "no"
        elif fact.type == "date":
            value = date.fromisoformat(value)
        getattr(form, f"fact_{name}").data = value


for _key, _label in EXCLUSIONS.items():
    setattr(AssessmentForm, f"ex_{_key}", BooleanField(_label))
    setattr(
        AssessmentForm,
        f"ex_{_key}_note",
        TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)]),
    )


def to_data(form: AssessmentForm) -> dict:
    """The form as the JSON-like dict ``survey.rating.assessments`` validates."""
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
    data["facts"] = _fact_data(form)
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
    _fill_facts(form, saved.get("facts") or {})
