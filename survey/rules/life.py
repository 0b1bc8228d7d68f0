"""The title's life: the yearly re-check of holders, the end of term, and what counts toward
the target share. Pure functions; revoking stays an act of a reviewer with a reason.

- 002 复查 (§四 末段), 000 §六(四), 001 工作指南 §七(四): each year a holder is re-checked under
  its scheme; every criterion that now fails (an exclusion, 软弱涣散 for the year, negative
  social feedback, a verified 不满意, a grade below the bar, …) puts the title up for
  revocation (取消评定) with that criterion and its clause. Nothing is revoked here.
- 001 工作指南 §七(四), 000 §六(四): a title lasts to the end of the branch committee's term
  (任期届满); from then the branch is due for a new rating.
- 001 工作指南 §三(三): only titles granted by a committee that approves probationary members
  (具有审批预备党员权限的基层党(工)委) count toward the target share, and a branch rated at
  several levels counts once, at the highest (以最高层级计入，但不得重复计算).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .results import Rating

TERM_SOURCE = "001 工作指南 §七(四); 000 §六(四)"
COUNTING_SOURCE = "001 工作指南 §三(三)"


@dataclass(frozen=True, slots=True)
class HeldTitle:
    """A live (unrevoked) title granted for `year`, and the term it lasts to."""

    title_id: int
    organisation_id: int
    year: int
    scheme: str
    term_ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class UpForRevocation:
    organisation_id: int
    title_id: int
    criterion: str
    source: str
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "organisation_id": self.organisation_id,
            "title_id": self.title_id,
            "criterion": self.criterion,
            "source": self.source,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class DueForRating:
    organisation_id: int
    title_id: int
    term_ended_on: date
    source: str = TERM_SOURCE

    def to_dict(self) -> dict[str, Any]:
        return {
            "organisation_id": self.organisation_id,
            "title_id": self.title_id,
            "term_ended_on": self.term_ended_on.isoformat(),
            "source": self.source,
        }


def term_over(held: HeldTitle, year: int) -> bool:
    """Whether the term has ended by the end of `year` (the year's rating is made at its end:
    a term ending on 31 December of `year` is over for that rating, one ending on 1 January
    of the next year is not)."""
    return held.term_ends_on is not None and held.term_ends_on <= date(year, 12, 31)


def up_for_revocation(
    held: Iterable[HeldTitle], ratings: Mapping[int, Rating]
) -> list[UpForRevocation]:
    """Every failing criterion of every holder's re-check, each with its clause.

    `ratings` maps a branch to its rating for the year under the title's scheme; a holder
    without one (no evidence read) is not listed.
    """
    found = []
    for title in held:
        rating = ratings.get(title.organisation_id)
        if rating is None:
            continue
        for criterion in rating.criteria:
            if criterion.outcome == "fail":
                found.append(
                    UpForRevocation(
                        title.organisation_id,
                        title.title_id,
                        criterion.key,
                        criterion.source,
                        criterion.evidence.get("reason"),
                    )
                )
    return found


def in_term(held: Iterable[HeldTitle], year: int) -> set[int]:
    """Branches holding a title whose term is not over by the end of `year` (an unknown term
    end is not over): they are re-checked, not re-entered (002 §四(三)). A holder whose term
    has ended is rated again like any branch (001 工作指南 §七(四) "可到任期届满后再重新评定")
    and enters the year's recommendation pool."""
    return {title.organisation_id for title in held if not term_over(title, year)}


def due_for_rating(held: Iterable[HeldTitle], year: int) -> list[DueForRating]:
    """Holders whose branch committee's term is over by the end of `year`."""
    return [
        DueForRating(title.organisation_id, title.title_id, title.term_ends_on)
        for title in held
        if term_over(title, year) and title.term_ends_on is not None
    ]


@dataclass(frozen=True, slots=True)
class GrantedTitle:
    """A title of the year as §三(三) reads it: who granted it, at which level (1 the basic
    committee, higher numbers higher levels), and whether that committee approves
    probationary members."""

    organisation_id: int
    level: int
    approves_probationary: bool


@dataclass(frozen=True)
class TargetCount:
    branches: int
    by_level: Mapping[int, int] = field(default_factory=dict)
    not_counted: tuple[int, ...] = ()
    source: str = COUNTING_SOURCE


def count_toward_target(titles: Iterable[GrantedTitle]) -> TargetCount:
    """Branches counted toward the target share (001 工作指南 §三(三)).

    A branch counts when at least one of its titles was granted by a committee that approves
    probationary members; it counts once, at the highest level that rated it (a higher
    level rates on the basic committee's rating, so its title is the one reported).
    """
    highest: dict[int, int] = {}
    authorised: set[int] = set()
    for title in titles:
        highest[title.organisation_id] = max(highest.get(title.organisation_id, 0), title.level)
        if title.approves_probationary:
            authorised.add(title.organisation_id)
    by_level: dict[int, int] = {}
    for branch in authorised:
        by_level[highest[branch]] = by_level.get(highest[branch], 0) + 1
    return TargetCount(
        branches=len(authorised),
        by_level=dict(sorted(by_level.items())),
        not_counted=tuple(sorted(set(highest) - authorised)),
    )
