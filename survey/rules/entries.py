"""Criteria read from the reviewer's assessment and the organisation record."""

from __future__ import annotations

from datetime import date
from typing import Any

from .evidence import STAR_NAMES, Assessment, Evidence
from .results import Criterion, make_criterion, once, share
from .schemes import Scheme
from .vocabulary import (
    Check,
    Exclusions,
    FactChecks,
    Founded,
    GradeWithin,
    Item,
    Social,
    Weak,
    WeakLastYear,
)

SYMBOLS = {"min": "≥", "max": "≤", "more_than": ">", "less_than": "<"}


def _entered_by(assessment: Assessment | None) -> dict[str, object]:
    return {"entered_by": assessment.entered_by if assessment else None}


def grade(item: GradeWithin, evidence: Evidence, scheme: Scheme) -> Criterion:
    """组织评定: the committee grade is one of the scheme's passing grades."""
    assessment = evidence.assessment
    found = assessment.organisation_grade if assessment else None
    if found is None:
        outcome, reason = "pending", "no committee grade entered"
    elif found in item.within:
        outcome, reason = "pass", None
    else:
        outcome, reason = "fail", f"grade {found} is not one of {', '.join(item.within)}"
    return make_criterion(
        item.key,
        outcome,
        source=item.source,
        value=None if found is None else {"grade": found},
        threshold=once(item, "threshold", lambda: {"grade": {"in": list(item.within)}}),
        evidence=_entered_by(assessment),
        reason=reason,
        label=item.label,
    )


def social(item: Social, evidence: Evidence, scheme: Scheme) -> Criterion:
    """社会评价: any negative feedback fails, even for a branch that could have been exempt
    (the feedback was given). Only a branch of an exempt domain (organs: 无直接面向社会职能和涉密
    单位等机关党支部) without public-facing functions is exempt; every other branch waits for
    its feedback."""
    assessment = evidence.assessment
    feedback = assessment.social if assessment else ()
    negative = [entry.department for entry in feedback if entry.negative]
    org = evidence.organisation
    exempt = not org.public_facing and org.domain in item.exempt_domains
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
        item.key,
        outcome,
        source=item.source,
        value={"feedback": len(feedback), "negative": len(negative)} if assessment else None,
        threshold={"negative": {"max": 0}},
        evidence={"feedback": entries, **_entered_by(assessment)},
        reason=reason,
        label=item.label,
    )


def exclusions(item: Exclusions, evidence: Evidence, scheme: Scheme) -> Criterion:
    """负面情形: any listed exclusion recorded for the year fails; pending until an
    assessment exists."""
    assessment = evidence.assessment
    found = [e for e in (assessment.exclusions if assessment else ()) if e.key in item.keys]
    keys = [exclusion.key for exclusion in found]
    if assessment is None:
        outcome, reason = "pending", "no assessment entered"
    elif keys:
        outcome, reason = "fail", f"excluded: {', '.join(keys)}"
    else:
        outcome, reason = "pass", None
    clauses = list(dict.fromkeys(item.clause(key) for key in keys))
    return make_criterion(
        item.key,
        outcome,
        source="; ".join(clauses) if clauses else item.source,  # a failure cites its own clause
        value={"exclusions": len(keys), "keys": keys} if assessment else None,
        threshold={"exclusions": {"max": 0}},
        evidence={
            "exclusions": [
                {"key": e.key, "note": e.note, "source": item.clause(e.key)} for e in found
            ],
            **_entered_by(assessment),
        },
        reason=reason,
        label=item.label,
    )


def founded(item: Founded, evidence: Evidence, scheme: Scheme) -> Criterion:
    """新组建不满一年: founded on or before 31 Dec, `years` before the rating year. An unknown
    date passes: the rule is about new branches, whose date the record has; an old one may
    lack it."""
    latest, threshold = once(item, evidence.year, lambda: _latest(item, evidence.year))
    founded_on = evidence.organisation.founded_on
    if founded_on is None:
        outcome, reason, read = "pass", None, {"note": "founding date unknown"}
    elif founded_on <= latest:
        outcome, reason, read = "pass", None, {}
    else:
        outcome, reason, read = "fail", "founded less than one year before the year's end", {}
    return make_criterion(
        item.key,
        outcome,
        source=item.source,
        value={"founded_on": founded_on.isoformat() if founded_on else None},
        threshold=threshold,
        evidence=read,
        reason=reason,
        label=item.label,
    )


def _latest(item: Founded, year: int) -> tuple[date, dict[str, Any]]:
    latest = date(year - item.years, 12, 31)
    return latest, {"founded_on": {"on_or_before": latest.isoformat()}}


def weak(item: Weak, evidence: Evidence, scheme: Scheme) -> Criterion:
    """软弱涣散 for the rating year (不能直接越级评定 in that year). The year's assessment says
    so; where it says nothing, the organisation record's old standing mark is read."""
    assessment = evidence.assessment
    this_year = assessment.weak if assessment is not None else None
    is_weak = evidence.organisation.weak if this_year is None else this_year
    return make_criterion(
        item.key,
        "fail" if is_weak else "pass",
        source=item.source,
        value={"weak": is_weak, "read_from": "organisation" if this_year is None else "assessment"},
        threshold={"weak": {"equals": False}},
        evidence=_entered_by(assessment),
        reason="marked weak and lax (软弱涣散)" if is_weak else None,
        label=item.label,
    )


def weak_last_year(item: WeakLastYear, evidence: Evidence, scheme: Scheme) -> Criterion:
    """软弱涣散 the year before: "一般不能直接越级评定" bars the branch by default; "一般" leaves
    the committee room to let it be rated, with a written reason shown on the rating."""
    assessment = evidence.assessment
    override = assessment.fact("weak_override_reason") if assessment else None
    value: dict[str, Any] = {"weak_last_year": evidence.weak_last_year}
    if not evidence.weak_last_year:
        outcome, reason = "pass", None
    elif override:
        outcome, reason = "pass", None
        value["weak_override_reason"] = override
    else:
        outcome, reason = "fail", "marked weak and lax (软弱涣散) the year before"
    return make_criterion(
        item.key,
        outcome,
        source=item.source,
        value=value,
        threshold=once(item, "threshold", lambda: {"weak_last_year": {"equals": False}}),
        evidence={"year_before": evidence.year - 1, **_entered_by(assessment)},
        reason=reason,
        label=item.label,
    )


def _figure(check: Check) -> str:
    return f"{check.fact}/{check.per}" if check.per else check.fact


def _bound_text(check: Check) -> str:
    return " and ".join(f"{SYMBOLS[b.op]} {b.value}" for b in check.bounds)


def _run(check: Check, assessment: Assessment | None, value: dict[str, Any]) -> str:
    """ "pass", "fail", "skip" (its condition does not hold) or "missing"; records the
    figures read in `value`."""
    if check.when is not None:
        condition = _run(check.when, assessment, value)
        if condition != "pass":
            return "skip" if condition in ("fail", "skip") else "missing"
    found = assessment.fact(check.fact) if assessment else None
    if found is None:
        return "missing"
    if check.includes:
        value[check.fact] = [name for name in STAR_NAMES if name in found] or sorted(found)
        return "pass" if set(check.includes) <= set(found) else "fail"
    value[check.fact] = found
    if check.equals is not None:
        return "pass" if found is check.equals else "fail"
    per = 1
    if check.per:
        per = assessment.fact(check.per)
        if not per:  # not entered, or zero: no share can be judged yet
            return "missing"
        value[check.per] = per
        value[_figure(check)] = share(found, per)
    return "pass" if all(bound.holds(found, per) for bound in check.bounds) else "fail"


def _threshold(checks: tuple[Check, ...]) -> dict[str, Any]:
    threshold: dict[str, Any] = {}
    for check in checks:
        if check.includes:
            threshold[check.fact] = {"includes": list(check.includes)}
        elif check.equals is not None:
            threshold[check.fact] = {"equals": check.equals}
        else:
            threshold[_figure(check)] = {b.op: b.to_json() for b in check.bounds}
    return threshold


def _problem(check: Check) -> str:
    if check.includes:
        return f"{check.fact} must include {', '.join(check.includes)}"
    if check.equals is not None:
        return f"{check.fact} must be {'yes' if check.equals else 'no'}"
    return f"{_figure(check)} must be {_bound_text(check)}"


def _other_domain(item: Item) -> Criterion:
    return once(item, "other_domain", lambda: _not_this_domain(item))


def _not_this_domain(item: Item) -> Criterion:
    domains = ", ".join(sorted(item.domains))
    return make_criterion(
        item.key,
        "not_applicable",
        source=item.source,
        reason=f"a standard for {domains} branches only",
        label=item.label,
    )


def fact_checks(item: FactChecks, evidence: Evidence, scheme: Scheme) -> Criterion:
    """`number`, `flag` and `rank` items: every check holds. A missing fact keeps the
    criterion `item.missing` (pending, or not_applicable for a score that is not kept)."""
    if not item.applies_to(evidence.organisation.domain):
        return _other_domain(item)
    assessment, value = evidence.assessment, {}
    results = [(check, _run(check, assessment, value)) for check in item.checks]
    failed = [_problem(check) for check, result in results if result == "fail"]
    missing = [check.fact for check, result in results if result == "missing"]
    if failed:
        outcome, reason = "fail", "; ".join(failed)
    elif missing:
        outcome = item.missing
        kept = "kept" if item.missing == "not_applicable" else "entered"
        reason = f"no {', '.join(missing)} {kept}"
    else:
        outcome, reason = "pass", None
    return make_criterion(
        item.key,
        outcome,
        source=item.source,
        value=value or None,
        threshold=once(item, "threshold", lambda: _threshold(item.checks)),
        evidence=_entered_by(assessment),
        reason=reason,
        label=item.label,
    )
