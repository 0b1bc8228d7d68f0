"""The rating engine: a pure function of one branch's evidence and a scheme."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import entries, votes
from .evidence import GRADES, Evidence
from .presets import get_scheme
from .results import CRITERION_KEYS, Criterion, Rating, verdict_of
from .schemes import DEFAULT_SCHEME, Scheme
from .vocabulary import Item

Judge = Callable[[Any, Evidence, Scheme], Criterion]

JUDGES: dict[str, Judge] = {
    "vote_share": votes.vote_share,
    "complaints": votes.complaints,
    "grade": entries.grade,
    "social": entries.social,
    "exclusions": entries.exclusions,
    "founded": entries.founded,
    "weak": entries.weak,
    "weak_last_year": entries.weak_last_year,
    "number": entries.fact_checks,
    "flag": entries.fact_checks,
    "rank": entries.fact_checks,
}
"""How each kind of the vocabulary is judged (vocabulary.py)."""

CRITERIA = CRITERION_KEYS
Plan = tuple[tuple[str, "Item | None"], ...]
Steps = tuple[tuple["Judge | None", Any], ...]


def _plan(scheme: Scheme) -> Plan:
    """The criteria a rating under `scheme` lists: the core keys in their fixed order (RULES §1:
    the four evaluations first), then the scheme's own criteria in the order of its file."""
    core = tuple((key, scheme.item(key)) for key in CRITERION_KEYS)
    own = tuple((item.key, item) for item in scheme.criteria if item.key not in CRITERION_KEYS)
    return core + own


def _compile(scheme: Scheme) -> Steps:
    """The plan as steps made once per scheme: (judge, item) for a criterion the scheme
    has, (None, the criterion) for one it has not, the same for every branch."""
    return tuple(
        (None, _unused(key, scheme)) if item is None else (JUDGES[item.kind], item)
        for key, item in _plan(scheme)
    )


_PLANS: dict[int, tuple[Scheme, Steps]] = {}  # by id: hashing a scheme per branch costs more


def judge(key: str, item: Item | None, evidence: Evidence, scheme: Scheme) -> Criterion:
    if item is None:
        return _unused(key, scheme)
    return JUDGES[item.kind](item, evidence, scheme)


_UNUSED: dict[tuple[int, str], tuple[Scheme, Criterion]] = {}


def _unused(key: str, scheme: Scheme) -> Criterion:
    """The same not_applicable criterion for every branch (frozen, read only): made once per
    scheme and key, as a committee of 10,000 branches would otherwise make it 10,000 times."""
    cached = _UNUSED.get((id(scheme), key))
    if cached is None or cached[0] is not scheme:
        cached = _UNUSED[(id(scheme), key)] = (scheme, votes.not_in_scheme(key, scheme))
    return cached[1]


def rate(evidence: Evidence, scheme: Scheme | str = DEFAULT_SCHEME) -> Rating:
    """Rate one branch for `evidence.year` under `scheme` (a Scheme or a preset key).

    Every criterion is listed whatever its outcome, so a reader sees why. Raises
    UnknownScheme for an unknown key.
    """
    chosen = get_scheme(scheme) if isinstance(scheme, str) else scheme
    cached = _PLANS.get(id(chosen))
    if cached is None or cached[0] is not chosen:
        if len(_PLANS) >= 256:  # own schemes may be loaded afresh per request
            _PLANS.clear()
        cached = _PLANS[id(chosen)] = (chosen, _compile(chosen))
    criteria = tuple(
        made if step is None else step(made, evidence, chosen) for step, made in cached[1]
    )
    return Rating(
        verdict=verdict_of([criterion.outcome for criterion in criteria]),
        scheme=chosen.key,
        year=evidence.year,
        organisation_id=evidence.organisation.id,
        criteria=criteria,
        ranking=_ranking(evidence, chosen),
    )


def _ranking(evidence: Evidence, scheme: Scheme) -> dict[str, int]:
    """Facts the recommendation order reads that no criterion carries: the committee grade
    (as its position, 0 best) and the overall assessment rank (综合考评)."""
    assessment = evidence.assessment
    if assessment is None:
        return {}
    found = {}
    if "organisation_grade" in scheme.order and assessment.organisation_grade is not None:
        found["organisation_grade"] = GRADES.index(assessment.organisation_grade)
    if "overall_rank" in scheme.order and assessment.fact("overall_rank") is not None:
        found["overall_rank"] = assessment.fact("overall_rank")
    return found
