"""The committee's final grades of an appraisal (民主评议党员): one table, one submit. The rows
are read as posted (``grade-<id>``, ``reason-<id>``), so that a 200-member appraisal is not a
400-field class; this form carries the CSRF token and the sort."""

from __future__ import annotations

from wtforms import HiddenField

from forms.i18n import Form


class FinalGradesForm(Form):
    sort = HiddenField()


def posted_decisions(form, appraisee_ids) -> dict[int, tuple[str, str]]:
    """{appraisee id: (grade, reason)} of the rows given a grade; rows left blank are not
    decided (yet)."""
    decisions = {}
    for appraisee_id in appraisee_ids:
        grade = (form.get(f"grade-{appraisee_id}") or "").strip()
        if grade:
            decisions[appraisee_id] = (grade, form.get(f"reason-{appraisee_id}") or "")
    return decisions
