"""Criteria read from the reviewer's assessment and the organisation record."""

from __future__ import annotations

from datetime import date
from typing import Any

from .evidence import GRADES, STAR_NAMES, Assessment, Evidence
from .results import Criterion, make_criterion, share
from .schemes import Scheme, StarStandard, VolunteerStandard
from .votes import not_in_scheme


def _entered_by(assessment: Assessment | None) -> dict[str, object]:
    return {"entered_by": assessment.entered_by if assessment else None}


def organisation(evidence: Evidence, scheme: Scheme) -> Criterion:
    """组织评定: the committee grade is one of the scheme's passing grades."""
    rule, assessment = scheme.organisation, evidence.assessment
    grade = assessment.organisation_grade if assessment else None
    passing = [g for g in GRADES if g in rule.passing]
    if grade is None:
        outcome, reason = "pending", "no committee grade entered"
    elif grade in rule.passing:
        outcome, reason = "pass", None
    else:
        outcome, reason = "fail", f"grade {grade} is not one of {', '.join(passing)}"
    return make_criterion(
        "organisation",
        outcome,
        source=rule.source,
        value=None if grade is None else {"grade": grade},
        threshold={"grade": {"in": passing}},
        evidence=_entered_by(assessment),
        reason=reason,
    )


def social(evidence: Evidence, scheme: Scheme) -> Criterion:
    """社会评价: any negative feedback fails, even for a branch that could have been exempt
    (the feedback was given); otherwise branches without public-facing functions are exempt
    where the scheme allows (可不开展), and the rest are pending until feedback is recorded."""
    rule, assessment = scheme.social, evidence.assessment
    if rule is None:
        return not_in_scheme("social", scheme)
    feedback = assessment.social if assessment else ()
    negative = [entry.department for entry in feedback if entry.negative]
    exempt = rule.exempt_non_public_facing and not evidence.organisation.public_facing
    if negative:
        outcome, reason = "fail", f"negative feedback from {', '.join(negative)}"
    elif exempt:
        outcome, reason = "exempt", "branch has no public-facing functions"
    elif not feedback:
        outcome, reason = "pending", "no social feedback recorded"
    else:
        outcome, reason = "pass", None
    entries = [
        {"department": entry.department, "negative": entry.negative, "note": entry.note}
        for entry in feedback
    ]
    return make_criterion(
        "social",
        outcome,
        source=rule.source,
        value={"feedback": len(feedback), "negative": len(negative)} if assessment else None,
        threshold={"negative": {"max": 0}},
        evidence={"feedback": entries, **_entered_by(assessment)},
        reason=reason,
    )


def exclusions(evidence: Evidence, scheme: Scheme) -> Criterion:
    """负面情形: any exclusion recorded for the year fails; pending until an assessment exists."""
    assessment = evidence.assessment
    found = assessment.exclusions if assessment else ()
    keys = [exclusion.key for exclusion in found]
    if assessment is None:
        outcome, reason = "pending", "no assessment entered"
    elif keys:
        outcome, reason = "fail", f"excluded: {', '.join(keys)}"
    else:
        outcome, reason = "pass", None
    return make_criterion(
        "exclusions",
        outcome,
        source=scheme.exclusions.source,
        value={"exclusions": len(keys), "keys": keys} if assessment else None,
        threshold={"exclusions": {"max": 0}},
        evidence={
            "exclusions": [{"key": item.key, "note": item.note} for item in found],
            **_entered_by(assessment),
        },
        reason=reason,
    )


def founded(evidence: Evidence, scheme: Scheme) -> Criterion:
    """新组建不满一年: founded on or before 31 Dec of the year before, i.e. at least one
    calendar year before the end of the rating year. An unknown date passes: the rule is
    about new branches, whose date the organisation record has; an old one may lack it."""
    if scheme.founded is None:
        return not_in_scheme("founded", scheme)
    latest = date(evidence.year - 1, 12, 31)
    founded_on = evidence.organisation.founded_on
    if founded_on is None:
        outcome, reason, read = "pass", None, {"note": "founding date unknown"}
    elif founded_on <= latest:
        outcome, reason, read = "pass", None, {}
    else:
        outcome, reason, read = "fail", "founded less than one year before the year's end", {}
    return make_criterion(
        "founded",
        outcome,
        source=scheme.founded.source,
        value={"founded_on": founded_on.isoformat() if founded_on else None},
        threshold={"founded_on": {"on_or_before": latest.isoformat()}},
        evidence=read,
        reason=reason,
    )


def weak(evidence: Evidence, scheme: Scheme) -> Criterion:
    """软弱涣散: a branch marked weak and lax cannot be rated that year."""
    if scheme.weak is None:
        return not_in_scheme("weak", scheme)
    is_weak = evidence.organisation.weak
    return make_criterion(
        "weak",
        "fail" if is_weak else "pass",
        source=scheme.weak.source,
        value={"weak": is_weak},
        threshold={"weak": {"equals": False}},
        reason="marked weak and lax (软弱涣散)" if is_weak else None,
    )


def score(evidence: Evidence, scheme: Scheme) -> Criterion:
    """量化积分: where the scheme has a minimum and a score is kept, it must be reached."""
    assessment = evidence.assessment
    points = assessment.score if assessment else None
    value = None if points is None else {"score": points}
    rule = scheme.score
    if rule is None:
        return make_criterion(
            "score",
            "not_applicable",
            source=scheme.source_when_absent("score"),
            value=value,
            evidence=_entered_by(assessment),
            reason=f"scheme {scheme.key} has no score rule",
        )
    if points is None:
        outcome, reason = "not_applicable", "no score kept"
    elif points >= rule.minimum:
        outcome, reason = "pass", None
    else:
        outcome, reason = "fail", f"score below {rule.minimum}"
    return make_criterion(
        "score",
        outcome,
        source=rule.source,
        value=value,
        threshold={"score": {"min": rule.minimum}},
        evidence=_entered_by(assessment),
        reason=reason,
    )


def _other_domain(key: str, domain: str, source: str) -> Criterion:
    return make_criterion(
        key, "not_applicable", source=source, reason=f"a standard for {domain} branches only"
    )


def _volunteer_value(assessment: Assessment | None) -> dict[str, Any] | None:
    """The figures entered, or None while any of them is missing."""
    if (
        assessment is None
        or assessment.volunteers is None
        or assessment.serving_members is None
        or assessment.volunteer_activities is None
    ):
        return None
    return {
        "volunteers": assessment.volunteers,
        "serving_members": assessment.serving_members,
        "volunteer_share": share(assessment.volunteers, assessment.serving_members),
        "activities": assessment.volunteer_activities,
    }


def _volunteer_problems(standard: VolunteerStandard, value: dict[str, Any]) -> list[str]:
    minimum, problems = standard.minimum, []
    if value["volunteers"] * minimum.denominator < minimum.numerator * value["serving_members"]:
        problems.append(f"volunteers below {minimum} of serving members")
    if value["activities"] < standard.activities_min:
        problems.append(f"fewer than {standard.activities_min} volunteer activities")
    return problems


def volunteers(evidence: Evidence, scheme: Scheme) -> Criterion:
    """Organs (机关): volunteers ≥ 80 % of serving members and ≥ 2 activities a year."""
    standard = scheme.volunteers
    if standard is None:
        return not_in_scheme("volunteers", scheme)
    if evidence.organisation.domain != standard.domain:
        return _other_domain("volunteers", standard.domain, standard.source)
    value = _volunteer_value(evidence.assessment)
    if value is None:
        outcome, reason = "pending", "volunteer figures not entered"
    else:
        problems = _volunteer_problems(standard, value)
        outcome, reason = ("fail" if problems else "pass"), "; ".join(problems) or None
    return make_criterion(
        "volunteers",
        outcome,
        source=standard.source,
        value=value,
        threshold={
            "volunteer_share": {"min": standard.minimum.to_dict()},
            "activities": {"min": standard.activities_min},
        },
        evidence=_entered_by(evidence.assessment),
        reason=reason,
    )


def _star_problems(standard: StarStandard, stars: int, named: frozenset[str]) -> list[str]:
    problems = [f"fewer than {standard.stars_min} stars"] if stars < standard.stars_min else []
    missing = [name for name in STAR_NAMES if name in standard.named - named]
    if missing:
        problems.append(f"missing named stars: {', '.join(missing)}")
    return problems


def stars(evidence: Evidence, scheme: Scheme) -> Criterion:
    """Villages (嘎查村): ≥ 8 stars in the ten-star rating, including the three named stars."""
    standard = scheme.stars
    if standard is None:
        return not_in_scheme("stars", scheme)
    if evidence.organisation.domain != standard.domain:
        return _other_domain("stars", standard.domain, standard.source)
    assessment = evidence.assessment
    value = None
    if assessment is None or assessment.stars is None:
        outcome, reason = "pending", "star rating not entered"
    else:
        got = assessment.named_stars
        value = {"stars": assessment.stars, "named_stars": [n for n in STAR_NAMES if n in got]}
        problems = _star_problems(standard, assessment.stars, got)
        outcome, reason = ("fail" if problems else "pass"), "; ".join(problems) or None
    return make_criterion(
        "stars",
        outcome,
        source=standard.source,
        value=value,
        threshold={
            "stars": {"min": standard.stars_min},
            "named_stars": {"includes": [n for n in STAR_NAMES if n in standard.named]},
        },
        evidence=_entered_by(assessment),
        reason=reason,
    )
