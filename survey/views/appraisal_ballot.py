"""The member appraisal's ballot page (民主评议党员): one row per member, four grades each.

Kept apart from survey/views/public.py, which hands an appraisal's ballot to these two
functions: the page, and the cast after the ballot was spent. A page sent with rows left
blank (when the campaign wants every row) comes back with those rows marked and the chosen
grades kept; nothing is stored and the ballot stays unused.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from wtforms import HiddenField

from forms.i18n import Form
from survey import appraisal
from survey.ballotbox import ballots
from survey.core.errors import Invalid
from survey.core.extensions import db


class AppraisalForm(Form):
    """The CSRF token and the signed one-time nonce; the rows are read from the form as
    posted (``m_<id>``), so that a 200-member ballot is not a 200-field form class."""

    nonce = HiddenField()


def page(ballot, token: str, nonce: str, *, chosen=None, missing=(), status=200, form=None):
    campaign = ballot.campaign
    form = form or AppraisalForm(formdata=None)
    form.nonce.data = nonce
    chosen = chosen or {}
    rows = appraisal.ballot_rows(db.session, campaign)
    html = render_template(
        "public/appraisal.html",
        ballot=ballot,
        campaign=campaign,
        token=token,
        form=form,
        rows=rows,
        grades=appraisal.GRADES,
        chosen=chosen,
        missing=set(missing),
        left=sum(1 for q in campaign.questions if q.key not in chosen),
        required=appraisal.must_answer_all(campaign),
    )
    return html, status


def cast(token: str, ballot_id: str, campaign, ballot_class: str, retry, receipt, rerender):
    """Store the spent ballot's grades, or roll the spend back and show the page again
    (``rerender(chosen, missing, form)``) with the blank rows marked (400)."""
    form = AppraisalForm()
    if not form.validate():  # an expired page (CSRF): the grades come back, to send again
        db.session.rollback()
        return rerender(_given(campaign), (), form)
    if not retry:
        raise Invalid("stale or forged form nonce", field="nonce")
    answers, missing = appraisal.read_rows(campaign, request.form)
    if not answers or (missing and campaign.all_rows_required):
        db.session.rollback()
        return rerender(_given(campaign), missing, form)
    receipt = ballots.store_cast(
        db.session, ballot_id, campaign, ballot_class, answers, {}, receipt
    )
    return redirect(url_for("public.receipt", code=receipt), code=303)


def _given(campaign) -> dict[str, str]:
    """The rows the posted form graded with one of the four grades, to show them again."""
    given = {q.key: request.form.get(q.key) for q in campaign.questions}
    return {key: grade for key, grade in given.items() if grade in appraisal.GRADES}
