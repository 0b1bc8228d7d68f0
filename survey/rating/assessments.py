"""The reviewer's assessment of a branch for a year (组织评定, 社会评价, 负面清单, domain data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import rules
from survey.core.converters import check_year
from survey.core.database import lock
from survey.core.errors import Invalid
from survey.models import Assessment, Organisation
from survey.rating import titles
from survey.staff import audit

MAX_NOTE = 1000
MAX_ITEMS = 30
OVERRIDE = "weak_override_reason"
COUNT_FIELDS = ("volunteers", "serving_members", "volunteer_activities")


def _count(data: dict, field: str, high: int) -> int | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise Invalid(f"{field} must be a whole number from 0 to {high}", field=field)
    return value


def _note(item: dict, field: str) -> str:
    note = item.get("note", "")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise Invalid(f"a note is text of at most {MAX_NOTE} characters", field=field)
    return note.strip()


def _items(data: dict, field: str) -> list[dict]:
    items = data.get(field) or []
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise Invalid(f"{field} must be a list of at most {MAX_ITEMS} entries", field=field)
    if not all(isinstance(item, dict) for item in items):
        raise Invalid(f"each entry of {field} is an object", field=field)
    return items


def _social(data: dict) -> list[dict]:
    entries = []
    for item in _items(data, "social"):
        department = item.get("department")
        if not isinstance(department, str) or not department.strip() or len(department) > 100:
            raise Invalid("each social feedback names its department", field="social")
        if not isinstance(item.get("negative"), bool):
            raise Invalid("each social feedback says negative: true or false", field="social")
        entries.append(
            {
                "department": department.strip(),
                "negative": item["negative"],
                "note": _note(item, "social"),
            }
        )
    return entries


def _exclusions(data: dict) -> list[dict]:
    entries = []
    for item in _items(data, "exclusions"):
        key = item.get("key")
        if key not in rules.EXCLUSION_KEYS:
            known = ", ".join(rules.EXCLUSION_KEYS)
            raise Invalid(f"an exclusion key is one of: {known}", field="exclusions")
        note = _note(item, "exclusions")
        if key == "other" and not note:
            raise Invalid("an 'other' exclusion needs a written reason", field="exclusions")
        entries.append({"key": key, "note": note})
    return entries


def _fact_value(fact: rules.Fact, value: Any) -> Any:
    """One further fact checked against facts.toml; raises Invalid naming it."""
    field = f"facts.{fact.name}"
    if fact.type == "bool":
        if not isinstance(value, bool):
            raise Invalid(f"{fact.name} is true or false", field=field)
        return value
    if fact.type == "text":
        if not isinstance(value, str) or len(value.strip()) > (fact.high or MAX_NOTE):
            raise Invalid(
                f"{fact.name} is text of at most {fact.high or MAX_NOTE} characters", field=field
            )
        return value.strip() or None
    if fact.type == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise Invalid(f"{fact.name} is a date (YYYY-MM-DD)", field=field) from None
    high = fact.high if fact.high is not None else 1_000_000
    if isinstance(value, bool) or not isinstance(value, int) or not fact.low <= value <= high:
        raise Invalid(f"{fact.name} must be a whole number from {fact.low} to {high}", field=field)
    return value


def _facts(data: dict) -> dict[str, Any]:
    """The further facts (``{"weak": true, "term_ends_on": "2026-06-30", …}``): every key a
    fact of facts.toml kept outside the columns; a null value leaves the fact unentered."""
    given = data.get("facts") or {}
    if not isinstance(given, dict):
        raise Invalid("facts is an object of fact names and values", field="facts")
    found = {}
    for name, value in given.items():
        fact = rules.FACTS.get(name)
        if fact is None or fact.column:
            raise Invalid(f"{name!r} is not a fact an assessment records", field="facts")
        if value is not None and (value := _fact_value(fact, value)) is not None:
            found[name] = value
    if found.get("public_channel_verified") and not (
        found.get("public_notice_held") or found.get("public_interviews")
    ):
        raise Invalid(
            "verified opinions come from a channel: record the public notice or the interviews",
            field="facts.public_channel_verified",
        )
    return dict(sorted(found.items()))


def parse(data: dict[str, Any]) -> dict[str, Any]:
    """Validated assessment fields from a JSON-like dict; raises Invalid naming the field."""
    grade = data.get("organisation_grade")
    if grade is not None and grade not in rules.GRADES:
        raise Invalid(
            f"organisation_grade is one of: {', '.join(rules.GRADES)}", field="organisation_grade"
        )
    stars = data.get("named_stars") or []
    if (
        not isinstance(stars, list)
        or not all(isinstance(star, str) for star in stars)
        or not set(stars) <= set(rules.STAR_NAMES)
    ):
        raise Invalid(f"named_stars are among: {', '.join(rules.STAR_NAMES)}", field="named_stars")
    fields = {
        "organisation_grade": grade,
        "score": _count(data, "score", 100),
        "social": _social(data),
        "exclusions": _exclusions(data),
        "stars": _count(data, "stars", 10),
        "named_stars": sorted(set(stars)),
        **{name: _count(data, name, 1_000_000) for name in COUNT_FIELDS},
        "facts": _facts(data),
    }
    if fields["volunteers"] is not None and fields["serving_members"] is not None:
        if fields["volunteers"] > fields["serving_members"]:
            raise Invalid("volunteers cannot exceed serving members", field="volunteers")
    return fields


def save_assessment(
    session: Session, actor: str, branch: Organisation, year: int, data: dict[str, Any]
) -> Assessment:
    """Create or replace the branch's assessment for ``year``; an exclusion revokes titles."""
    if branch.kind != "branch":
        raise Invalid("assessments are entered for a branch", field="organisation_id")
    check_year(year)
    fields = parse(data)
    lock(session, Organisation, branch.id)  # two reviewers saving at once: one after the other
    assessment = session.scalar(
        select(Assessment).where(Assessment.organisation_id == branch.id, Assessment.year == year)
    )
    overridden = ((assessment.facts or {}) if assessment else {}).get(OVERRIDE)
    if assessment is None:
        assessment = Assessment(organisation_id=branch.id, year=year)
        session.add(assessment)
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.entered_by = actor
    session.flush()
    audit.record(session, actor, "assessment.save", assessment, year=year, **fields)
    if fields["facts"].get(OVERRIDE) != overridden:
        _record_override(session, actor, assessment, year, fields["facts"].get(OVERRIDE))
    titles.revoke_on_exclusion(session, actor, assessment)
    return assessment


def _record_override(
    session: Session, actor: str, assessment: Assessment, year: int, reason: str | None
) -> None:
    """The committee's override of last year's 软弱涣散 mark (001 工作指南 §七(四) "一般不能直接
    越级评定"), given, changed or withdrawn: an audit entry of its own, with its reason."""
    action = "rating.weak_override" if reason else "rating.weak_override_withdrawn"
    audit.record(session, actor, action, assessment, year=year, reason=reason)


def assessment_json(assessment: Assessment | None) -> dict | None:
    if assessment is None:
        return None
    return {
        "organisation_id": assessment.organisation_id,
        "year": assessment.year,
        "organisation_grade": assessment.organisation_grade,
        "score": assessment.score,
        "social": assessment.social,
        "exclusions": assessment.exclusions,
        "volunteers": assessment.volunteers,
        "serving_members": assessment.serving_members,
        "volunteer_activities": assessment.volunteer_activities,
        "stars": assessment.stars,
        "named_stars": assessment.named_stars,
        "facts": assessment.facts or {},
        "entered_by": assessment.entered_by,
    }
