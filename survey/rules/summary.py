"""The committee summary: its branches' verdicts, the share rated eligible against the
scheme's target for the year, and the branches recommended upward, best first.

Recommendation order (好中选优, 000 §三(二), 001 4号方案 §三(二)2, 002 §四(三)) is the scheme's
`order`, each figure compared on integers. A vote figure counts only where its criterion
passed (so not where the scheme does not judge it); a branch without a figure ranks after
those with it. The figures:

- `organisation_grade`: the committee grade, excellent first;
- `overall_rank`: the rank in the committee's overall assessment (综合考评), 1 first;
- `excellent_share`: share of `excellent` among participating members, highest first;
- `verified_share`: verified dissatisfied share of public responses, lowest first;
- `score`: highest first;

then the organisation id, lowest first (a stable, arbitrary last resort). Pingdingshan judges
no vote share, so its order starts with the grade and the overall rank.

Only `eligible` branches are recommended, at most floor(branches × cap) where the scheme caps
it (002 §四(三): 不超过10%). Linear in the branches apart from the one sort (n log n), or
n log k when capped to k.
"""

from __future__ import annotations

import calendar
import heapq
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .results import Rating
from .schemes import Scheme, Target


@dataclass(frozen=True, slots=True)
class BranchVerdict:
    organisation_id: int
    verdict: str


Share = tuple[int, int]  # (numerator, denominator > 0)


def _sign(a: Share, b: Share) -> int:
    """Sign of a − b, by cross-multiplication."""
    difference = a[0] * b[1] - b[0] * a[1]
    return (difference > 0) - (difference < 0)


def _before(a: Share | None, b: Share | None, *, highest_first: bool) -> int:
    """Negative when a ranks before b, positive after, 0 when tied; missing ranks last."""
    if a is None or b is None:
        return (a is None) - (b is None)
    return -_sign(a, b) if highest_first else _sign(a, b)


HIGHEST_FIRST = {
    "organisation_grade": False,  # a grade's position in GRADES: 0 is excellent
    "overall_rank": False,
    "excellent_share": True,
    "verified_share": False,
    "score": True,
}


@dataclass(frozen=True, slots=True)
class _Rank:
    """Sort key: `x < y` when branch x is recommended before branch y."""

    organisation_id: int
    figures: tuple[tuple[Share | None, bool], ...]  # (figure, highest first) in scheme order

    def __lt__(self, other: _Rank) -> bool:
        for (mine, highest_first), (theirs, _) in zip(self.figures, other.figures, strict=True):
            order = _before(mine, theirs, highest_first=highest_first)
            if order:
                return order < 0
        return self.organisation_id < other.organisation_id


def _value(rating: Rating, key: str) -> dict[str, Any]:
    """The figures of a criterion that was judged and passed; a figure the scheme does not
    judge (say a score under 003, which forbids pass scores) does not rank either."""
    try:
        criterion = rating.criterion(key)
    except KeyError:
        return {}
    return (criterion.value or {}) if criterion.outcome == "pass" else {}


def _share(value: dict[str, Any], numerator: str, denominator: str) -> Share | None:
    if value.get(numerator) is None or not value.get(denominator):
        return None
    return value[numerator], value[denominator]


def _figure(rating: Rating, name: str) -> Share | None:
    if name in rating.ranking:
        return rating.ranking[name], 1
    if name == "excellent_share":
        return _share(_value(rating, "members"), "excellent", "participants")
    if name == "verified_share":
        return _share(_value(rating, "public"), "verified", "responses")
    if name == "score":
        score = _value(rating, "score").get("score")
        return None if score is None else (score, 1)
    return None


def _rank(rating: Rating, order: tuple[str, ...]) -> _Rank:
    return _Rank(
        rating.organisation_id,
        tuple((_figure(rating, name), HIGHEST_FIRST[name]) for name in order),
    )


def _percent(part: int, whole: int) -> str | None:
    """part/whole as a percentage with one decimal, rounded half up on integers: "83.3%"."""
    if whole == 0:
        return None
    tenths = (2000 * part + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


@dataclass(frozen=True, slots=True)
class CommitteeSummary:
    scheme: str
    year: int
    branches: tuple[BranchVerdict, ...]
    eligible: int
    target: Target | None
    meets_target: bool | None
    recommended: tuple[int, ...]
    recommendation_limit: int | None
    recommendation_source: str | None

    @property
    def eligible_share(self) -> dict[str, Any]:
        total = len(self.branches)
        return {
            "eligible": self.eligible,
            "branches": total,
            "percent": _percent(self.eligible, total),
        }

    def to_dict(self) -> dict[str, Any]:
        target = self.target
        return {
            "scheme": self.scheme,
            "year": self.year,
            "branches": [
                {"organisation_id": branch.organisation_id, "verdict": branch.verdict}
                for branch in self.branches
            ],
            "eligible_share": self.eligible_share,
            "target": None if target is None or target.share is None else target.share.to_dict(),
            "target_count": None if target is None else target.count,
            "target_by": None if target is None else target.by,
            "target_year": None if target is None else target.year,
            "target_source": None if target is None else target.source,
            "meets_target": self.meets_target,
            "recommended": list(self.recommended),
            "recommendation_limit": self.recommendation_limit,
            "recommendation_source": self.recommendation_source,
        }


@dataclass(frozen=True, slots=True)
class PhaseCheck:
    """A count target (Haimen's 第一阶段 建成5个, then 10, then 15: 004 §三) compared on its own
    date: the model organisations built by its deadline."""

    target: Target
    deadline: date
    built: int

    @property
    def met(self) -> bool:
        return self.built >= (self.target.count or 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.target.count,
            "by": self.target.by,
            "deadline": self.deadline.isoformat(),
            "built": self.built,
            "met": self.met,
            "source": self.target.source,
        }


def deadline_of(target: Target) -> date:
    """The last day of the target's `by` month ("2020-01" -> 31 January 2020), else 31 December
    of its year."""
    if not target.by:
        return date(target.year, 12, 31)
    year, month = (int(part) for part in target.by.split("-")[:2])
    return date(year, month, calendar.monthrange(year, month)[1])


def phase_checks(
    scheme: Scheme, year: int, titles: Iterable[tuple[int, date, date | None]]
) -> tuple[PhaseCheck, ...]:
    """Every count target of `year`, each on its own deadline. `titles` are (branch, granted
    on, revoked on or None): a branch counts as built at a deadline when one of its titles was
    granted on or before it and not revoked by then; a branch counts once."""
    listed = list(titles)
    checks = []
    for target in scheme.targets:
        if target.year != year or target.count is None:
            continue
        deadline = deadline_of(target)
        built = {
            branch
            for branch, granted, revoked in listed
            if granted <= deadline and (revoked is None or revoked > deadline)
        }
        checks.append(PhaseCheck(target, deadline, len(built)))
    return tuple(checks)


def _check(ratings: Sequence[Rating], scheme: Scheme, year: int) -> None:
    seen: set[int] = set()
    for rating in ratings:
        if rating.scheme != scheme.key or rating.year != year:
            raise ValueError(
                f"rating of branch {rating.organisation_id} is for {rating.scheme} {rating.year},"
                f" not {scheme.key} {year}"
            )
        if rating.organisation_id in seen:
            raise ValueError(f"branch {rating.organisation_id} is rated twice")
        seen.add(rating.organisation_id)


def _meets(target: Target, eligible: int, branches: int) -> bool:
    if target.share is None:
        return eligible >= (target.count or 0)
    return eligible * target.share.denominator >= target.share.numerator * branches


def summarise(
    ratings: Sequence[Rating], scheme: Scheme, year: int, not_reentered: Collection[int] = ()
) -> CommitteeSummary:
    """Summarise one committee's ratings for `year`, all made under `scheme`.

    Branches in `not_reentered` already hold the title: they are re-checked (their verdict
    stays in the list) but not recommended again (002 §四(三)), so the next best take their
    places within the cap, which still counts every branch.
    Raises ValueError if a rating is for another scheme or year, or a branch is rated twice.
    The eligible share meets the target when eligible × d ≥ n × branches (a count target:
    eligible ≥ count); with no target for the year, or no branches, `meets_target` is None.
    """
    _check(ratings, scheme, year)
    eligible = [rating for rating in ratings if rating.verdict == "eligible"]
    target = scheme.target_for(year)
    meets = None
    if target is not None and ratings:
        meets = _meets(target, len(eligible), len(ratings))
    limit = scheme.recommendation_limit(len(ratings))
    held = set(not_reentered)
    ranks = [_rank(r, scheme.order) for r in eligible if r.organisation_id not in held]
    best = sorted(ranks) if limit is None else heapq.nsmallest(limit, ranks)
    return CommitteeSummary(
        scheme=scheme.key,
        year=year,
        branches=tuple(BranchVerdict(r.organisation_id, r.verdict) for r in ratings),
        eligible=len(eligible),
        target=target,
        meets_target=meets,
        recommended=tuple(rank.organisation_id for rank in best),
        recommendation_limit=limit,
        recommendation_source=scheme.recommendation_source,
    )
