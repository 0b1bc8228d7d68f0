"""Reviewer pages: committee summary, branch rating clause by clause, assessments, titles."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from forms.assessment import AssessmentForm, fill, to_data
from forms.notice import PublishForm
from survey import rating, rules
from survey.core import labels, replica
from survey.core.converters import year_arg
from survey.core.errors import DomainError
from survey.core.extensions import db
from survey.core.timezone import local_today
from survey.core.transactions import transactional
from survey.models import Assessment, Title
from survey.rating import assessments, figures, notice, schemes_store, titles
from survey.staff import access, audit, audit_words
from survey.staff.access import Action
from survey.views.guards import organisation_or_404, staff_required, web_actor

bp = Blueprint("ratings", __name__)


@bp.context_processor
def label_tables():
    return {
        "labels": labels,
        "threshold_text": figures.threshold_lines,
        "value_lines": figures.value_lines,
        "scheme_title": figures.scheme_title,
        "source_text": figures.source_text,
        "source_links": figures.source_links,
        "target_text": figures.target_text,
        "value_text": figures.value_text,
        "actor_name": audit_words.actor_name,
    }


def _year() -> int:
    return year_arg(request.args.get("year"), local_today().year)


def _scheme() -> str | None:
    return request.args.get("scheme") or None


@bp.get("/")
@staff_required()
def index():
    """A secretary goes to their branch; reviewers and admins choose a committee."""
    if current_user.role == "secretary":
        return redirect(url_for("ratings.branch", branch_id=current_user.organisation_id))
    query = access.visible_organisations(db.session, current_user, kind="committee")
    return render_template(
        "ratings/index.html", committees=db.session.scalars(query).all(), year=_year()
    )


@bp.get("/committees/<int:committee_id>")
@staff_required(Action.READ_SUMMARIES)
def committee(committee_id: int):
    org = organisation_or_404(committee_id)
    if org.kind != "committee":
        abort(404)
    year, scheme = _year(), _scheme()
    summary, fresh = replica.read(lambda s: rating.committee_summary(s, org, year, scheme))
    granted = titles.granted_for(db.session, rating.branch_selector(db.session, org), year)
    return render_template(
        "ratings/committee.html",
        committee=org,
        year=year,
        summary=summary,
        schemes=rules.SCHEMES,
        names={b["organisation_id"]: b["name"] for b in summary["branches"]},
        granted=granted,
        counted=titles.target_count(db.session, granted),
        notices=[n for n in notice.notices_of(db.session, [org.id]) if n.year == year],
        own_schemes=_own_schemes(org),
        publish_form=PublishForm(),
        fresh_note=replica.note(fresh),
    )


def _own_schemes(org) -> list:
    """The own schemes of the organisation's committees, for the scheme picker."""
    chain = access.ancestors_and_self(db.session, org.id)
    return [row for org_id in chain for row in schemes_store.own_keys(db.session, org_id)]


@bp.post("/committees/<int:committee_id>/approves-probationary")
@staff_required(Action.MANAGE_TITLES)
@transactional
def approves_probationary(committee_id: int):
    """The committee fact §三(三) reads: whether it approves probationary members."""
    org = organisation_or_404(committee_id)
    if org.kind != "committee":
        abort(404)
    org.approves_probationary = request.form.get("approves_probationary") == "y"
    audit.record(
        db.session,
        web_actor(),
        "organisation.approves_probationary",
        org,
        value=org.approves_probationary,
    )
    return redirect(url_for("ratings.committee", committee_id=org.id, year=_form_year()), code=303)


def _form_year() -> int:
    return year_arg(request.form.get("year"), local_today().year)


@bp.get("/branches/<int:branch_id>")
@staff_required(Action.READ_RATINGS)
def branch(branch_id: int):
    org = organisation_or_404(branch_id)
    if org.kind != "branch":
        abort(404)
    year, scheme = _year(), _scheme()
    compare = request.args.get("compare") or None

    def both(session):
        first = rating.rate_branch(session, org, year, scheme)
        return first, rating.rate_branch(session, org, year, compare) if compare else None

    (branch_rating, other), fresh = replica.read(both)
    return render_template(
        "ratings/branch.html",
        branch=org,
        year=year,
        rating=branch_rating,
        schemes=rules.SCHEMES,
        history=titles.history(db.session, org.id),
        seeds=rules.SEED_FILES,
        own_scheme=rating.scheme_for(db.session, org, None).key,
        objections=notice.branch_objections(db.session, org.id, year),
        other=other,
        own_schemes=_own_schemes(org),
        differences=differences(branch_rating, other) if other else [],
        fresh_note=replica.note(fresh),
    )


def differences(first, second) -> list[dict]:
    """The criteria whose threshold or outcome differ between two ratings of one branch."""
    ours = {c.key: c for c in first.criteria}
    theirs = {c.key: c for c in second.criteria}
    found = []
    for key in list(ours) + [k for k in theirs if k not in ours]:
        a, b = ours.get(key), theirs.get(key)
        pair = {"key": key, "first": a, "second": b}
        if a is None or b is None:
            found.append(pair)
        elif a.threshold != b.threshold or a.outcome != b.outcome:
            found.append(pair)
    return found


@bp.route("/branches/<int:branch_id>/assessment/<year:year>", methods=["GET", "POST"])
@staff_required(Action.ASSESS)
@transactional
def assessment(branch_id: int, year: int):
    org = organisation_or_404(branch_id)
    form = AssessmentForm()
    error = None
    if form.validate_on_submit():
        try:
            assessments.save_assessment(db.session, web_actor(), org, year, to_data(form))
            return redirect(url_for("ratings.branch", branch_id=org.id, year=year), code=303)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
    elif not form.is_submitted():
        saved = db.session.scalar(
            select(Assessment).where(Assessment.organisation_id == org.id, Assessment.year == year)
        )
        fill(form, assessments.assessment_json(saved))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "ratings/assessment.html", branch=org, year=year, form=form, error=error
    ), status


@bp.post("/branches/<int:branch_id>/titles/<year:year>")
@staff_required(Action.MANAGE_TITLES)
@transactional
def grant(branch_id: int, year: int):
    org = organisation_or_404(branch_id)
    try:
        titles.grant_title(db.session, web_actor(), org, year, request.form.get("scheme") or None)
    except notice.NoticeBlocks as blocked:
        db.session.rollback()
        html = render_template("ratings/blocked.html", branch=org, year=year, **blocked.detail)
        return html, blocked.status
    return redirect(url_for("ratings.branch", branch_id=org.id, year=year), code=303)


@bp.post("/titles/<int:title_id>/revoke")
@staff_required(Action.MANAGE_TITLES)
@transactional
def revoke(title_id: int):
    title = db.session.get(Title, title_id)
    if title is None:
        abort(404)
    organisation_or_404(title.organisation_id)
    titles.revoke_title(db.session, web_actor(), title, request.form.get("reason", ""))
    year = _form_year()
    committee_id = request.form.get("committee_id", type=int)
    if committee_id is not None:
        target = url_for("ratings.committee", committee_id=committee_id, year=year)
    else:
        target = url_for("ratings.branch", branch_id=title.organisation_id, year=year)
    return redirect(target, code=303)


@bp.get("/seeds/<number>")
@staff_required()
def seed(number: str):
    """The seed's text, the clause a rating cites marked at ``#clause`` (?clause=<source>)."""
    found, text = rating.seed_text(number)
    parts = figures.seed_parts(text, number, request.args.get("clause", "")[:200])
    return render_template("ratings/seed.html", seed=found, **parts)
