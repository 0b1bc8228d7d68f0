"""The committee summary: its branches' verdicts, the share rated eligible against the
scheme's target for the year, and the branches recommended upward, best first.

Recommendation order (好中选优, 000 §三(二), 001 4号方案 §三(二)2, 002 §四(三)), each key
compared on integers. A figure counts only where its criterion passed (so not where the
scheme does not judge it); a branch without the figure ranks after those with it:

1. share of `excellent` among participating members, highest first (cross-multiplied);
2. verified dissatisfied share of public responses, lowest first (cross-multiplied);
3. score, highest first;
4. organisation id, lowest first (a stable, arbitrary last resort).

Only `eligible` branches are recommended, at most floor(branches × cap) where the scheme caps
it (002 §四(三): 不超过10%). Linear in the branches apart from the one sort (n log n), or
n log k when capped to k.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class _Rank:
    """Sort key: `x < y` when branch x is recommended before branch y."""

    organisation_id: int
    excellent: Share | None
    dissatisfied: Share | None
    score: Share | None

    def __lt__(self, other: _Rank) -> bool:
        for order in (
            _before(self.excellent, other.excellent, highest_first=True),
            _before(self.dissatisfied, other.dissatisfied, highest_first=False),
            _before(self.score, other.score, highest_first=True),
        ):
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


def _rank(rating: Rating) -> _Rank:
    score = _value(rating, "score").get("score")
    return _Rank(
        organisation_id=rating.organisation_id,
        excellent=_share(_value(rating, "members"), "excellent", "participants"),
        dissatisfied=_share(_value(rating, "public"), "verified", "responses"),
        score=None if score is None else (score, 1),
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
            "target": None if target is None else target.share.to_dict(),
            "target_year": None if target is None else target.year,
            "target_source": None if target is None else target.source,
            "meets_target": self.meets_target,
            "recommended": list(self.recommended),
            "recommendation_limit": self.recommendation_limit,
            "recommendation_source": self.recommendation_source,
        }


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


def summarise(
    ratings: Sequence[Rating], scheme: Scheme, year: int, not_reentered: Collection[int] = ()
) -> CommitteeSummary:
    """Summarise one committee's ratings for `year`, all made under `scheme`.

    Branches in `not_reentered` already hold the title: they are re-checked (their verdict
    stays in the list) but not recommended again (002 §四(三)), so the next best take their
    places within the cap, which still counts every branch.
    Raises ValueError if a rating is for another scheme or year, or a branch is rated twice.
    The eligible share meets the target when eligible × d ≥ n × branches; with no target
    for the year, or no branches, `meets_target` is None.
    """
    _check(ratings, scheme, year)
    eligible = [rating for rating in ratings if rating.verdict == "eligible"]
    target = scheme.target_for(year)
    meets = None
    if target is not None and ratings:
        meets = len(eligible) * target.share.denominator >= target.share.numerator * len(ratings)
    limit = scheme.recommendation_limit(len(ratings))
    held = set(not_reentered)
    ranks = [_rank(rating) for rating in eligible if rating.organisation_id not in held]
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
