"""The member's ballot and the short-code entry form."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.i18n import Form
from survey.core.labels import choice_label, prompt_label
from survey.core.scales import SATISFACTION, SCALES

HEADLINE_FIELD = "choice"
MAX_REASON = 500


def reason_field() -> TextAreaField:
    """The optional reason for 不满意 (a ``textarea`` named ``reason``, docs/design.md)."""
    return TextAreaField(
        _l("If you are dissatisfied, tell us why (optional)"),
        validators=[
            Optional(),
            Length(max=MAX_REASON, message=_l("Please keep the reason under 500 characters.")),
        ],
    )


def field_name(question) -> str:
    """The headline question posts as ``choice``; indicator items as ``q_<key>``."""
    return HEADLINE_FIELD if question.position == 0 else f"q_{question.key}"


def ballot_form_class(campaign) -> type[FlaskForm]:
    """A form with one radio group per question, in the campaign's order. Built once per
    campaign and question set (a class a request cost 7 % of the page, bench/): the labels
    are lazy strings, translated when each request renders them."""
    key = tuple((q.position, q.key, q.prompt, q.scale) for q in campaign.questions)
    return _form_class(campaign.id, key)


@lru_cache(maxsize=512)
def _form_class(_campaign_id: int, questions: tuple) -> type[FlaskForm]:
    class BallotForm(Form):
        nonce = HiddenField()  # signed one-time nonce: the same form sent again finds its receipt

    for position, key, prompt, scale in questions:
        field = RadioField(
            prompt_label(prompt),
            choices=[SelectChoice(k, choice_label(k)) for k in SCALES[scale]],
            validators=[InputRequired(message=_l("Please choose one answer."))],
        )
        setattr(BallotForm, HEADLINE_FIELD if position == 0 else f"q_{key}", field)
    if questions and questions[0][3] == SATISFACTION:
        BallotForm.reason = reason_field()
    return BallotForm


def submitted_answers(form, campaign) -> dict[str, str | None]:
    """Question key -> chosen value, as the domain service expects them."""
    return {q.key: getattr(form, field_name(q)).data for q in campaign.questions}


class CodeForm(Form):
    code = StringField(
        _l("Short code"),
        validators=[DataRequired(message=_l("Please type the code on your card.")), Length(max=40)],
    )
