"""Rating schemes (评定方案): each seed document as a data file in schemes/*.toml.

A scheme is a named list of criteria in the vocabulary of `vocabulary.py`, its targets, and
how it recommends upward. The presets are read and validated when the package is imported
(`presets.SCHEMES`, built by `loader.load_scheme`); a file with a mistake stops the import
with the file, key and reason.
A criterion a scheme does not list does not apply under it; `absent` names the clause that
says so, where a seed says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .vocabulary import FactChecks, Item, Ratio, VoteShare

ORDER_FIGURES = (
    "organisation_grade",
    "overall_rank",
    "excellent_share",
    "verified_share",
    "score",
)
"""What recommendation (好中选优) may order by: the committee grade (best first), the rank in
the committee's overall assessment (综合考评, 1 first), the members' excellent share (highest
first), the verified 不满意 share (lowest first), the score (highest first)."""


@dataclass(frozen=True)
class Target:
    """What is aimed at by the end of `year`: a share of the branches or a count (`by` says
    when within the year, e.g. "2020-01")."""

    year: int
    share: Ratio | None
    source: str
    count: int | None = None
    by: str | None = None


@dataclass(frozen=True)
class Scheme:
    key: str
    title: str
    source: str  # the clause listing the scheme's criteria
    criteria: tuple[Item, ...]
    targets: tuple[Target, ...] = ()  # ascending years
    recommendation_cap: Ratio | None = None
    recommendation_source: str | None = None
    order: tuple[str, ...] = ("excellent_share", "verified_share", "score")
    order_source: str | None = None
    file: str = ""
    absent: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def item(self, key: str) -> Item | None:
        """The criterion named `key`, or None when this scheme does not use it."""
        for item in self.criteria:
            if item.key == key:
                return item
        return None

    def with_item(self, key: str, **changes) -> Scheme:
        """A copy with criterion `key` changed (a committee's variant of a preset)."""
        if self.item(key) is None:
            raise KeyError(key)
        items = tuple(replace(i, **changes) if i.key == key else i for i in self.criteria)
        return replace(self, criteria=items)

    def without(self, key: str) -> Scheme:
        return replace(self, criteria=tuple(i for i in self.criteria if i.key != key))

    @property
    def members(self) -> VoteShare | None:
        found = self.item("members")
        return found if isinstance(found, VoteShare) else None

    @property
    def score_min(self) -> int | None:
        found = self.item("score")
        if not isinstance(found, FactChecks):
            return None
        return found.checks[0].bounds[0].value.numerator

    def facts_for(self, domain: str | None) -> tuple[str, ...]:
        """The reviewer's facts this scheme reads for a branch of `domain`."""
        names: list[str] = []
        for item in self.criteria:
            if item.applies_to(domain):
                names += [name for name in item.facts if name not in names]
        if "overall_rank" in self.order and "overall_rank" not in names:
            names.append("overall_rank")
        return tuple(names)

    def source_when_absent(self, key: str) -> str:
        """The clause to cite for a criterion this scheme does not use."""
        return self.absent.get(key, self.source)

    def target_for(self, year: int) -> Target | None:
        """The latest target at or before `year` (the last listed of a year); None before."""
        reached = [target for target in self.targets if target.year <= year]
        return reached[-1] if reached else None

    def recommendation_limit(self, branches: int) -> int | None:
        """How many branches may be recommended upward: floor(branches × cap), or None."""
        cap = self.recommendation_cap
        return None if cap is None else branches * cap.numerator // cap.denominator


DEFAULT_SCHEME = "nmg-2020"
