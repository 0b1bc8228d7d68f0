"""The criteria vocabulary: the few kinds of rule every scheme is written in.

A scheme file (schemes/*.toml) is a list of items of these kinds, each with its seed clause
(`source`), the seed's own phrase (`zh`), an English wording (`en`) and the branch domains it
applies to (`domains`; empty means every branch). Every bound is an integer or an integer pair
(`Ratio`), never a float: the engine compares by cross-multiplying, nothing is rounded.

| kind | rule |
|---|---|
| `vote_share` | a share of the member vote at or above (`min`) / above (`more_than`) a bound |
| `complaints` | verified 不满意: at most a rate (`rate_max`) and/or none at all (`any_verified`) |
| `grade` | the committee grade is within a set |
| `number` | number facts at/above/below a bound or within a range, optionally per another fact |
| `flag` | a yes/no fact has the required answer |
| `rank` | a rank fact within the first N |
| `exclusions` | none of the listed negative-list entries this year |
| `founded` | founded at least N years before the end of the rating year |
| `weak` | not marked 软弱涣散 for the rating year |
| `weak_last_year` | not 软弱涣散 the year before, unless the committee overrides (a reason) |
| `social` | no negative social feedback; organ branches without public functions may be exempt |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ratio:
    """A share as an integer pair; compare by cross-multiplying, never by dividing."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.denominator <= 0 or self.numerator < 0:
            raise ValueError(f"not a share: {self.numerator}/{self.denominator}")

    def to_dict(self) -> dict[str, int]:
        return {"numerator": self.numerator, "denominator": self.denominator}

    def __str__(self) -> str:
        if self.denominator == 1:
            return str(self.numerator)
        return f"{self.numerator}/{self.denominator}"


OPERATORS = ("min", "max", "more_than", "less_than")
"""min/max include the bound (以上/以下/不少于/不超过); more_than/less_than exclude it
(超过/不足)."""


@dataclass(frozen=True)
class Bound:
    op: str
    value: Ratio

    def holds(self, numerator: int, denominator: int = 1) -> bool:
        """Whether numerator/denominator satisfies the bound, on integers only."""
        left = numerator * self.value.denominator
        right = self.value.numerator * denominator
        if self.op == "min":
            return left >= right
        if self.op == "max":
            return left <= right
        if self.op == "more_than":
            return left > right
        return left < right

    def to_json(self) -> object:
        value = self.value
        return value.numerator if value.denominator == 1 else value.to_dict()


@dataclass(frozen=True)
class Check:
    """One test of the facts: `fact` (divided by `per` when given) within `bounds`, or
    `equals` a yes/no answer, or `includes` named members of a set; only when `when` holds."""

    fact: str
    per: str | None = None
    bounds: tuple[Bound, ...] = ()
    equals: bool | None = None
    includes: tuple[str, ...] = ()
    when: Check | None = None

    @property
    def facts(self) -> tuple[str, ...]:
        names = (self.fact,) + ((self.per,) if self.per else ())
        return names + (self.when.facts if self.when else ())


@dataclass(frozen=True, kw_only=True)
class Item:
    key: str
    kind: str
    source: str
    zh: str
    en: str
    label: str
    domains: frozenset[str] = frozenset()

    def applies_to(self, domain: str | None) -> bool:
        return not self.domains or domain in self.domains

    @property
    def facts(self) -> tuple[str, ...]:
        """The reviewer's facts this item reads (the assessment form shows these)."""
        return ()


@dataclass(frozen=True, kw_only=True)
class VoteShare(Item):
    figure: str  # "excellent": 优秀 among participants; "attendance": participants of the roll
    bound: Bound
    count_probationary: bool = True


@dataclass(frozen=True, kw_only=True)
class Complaints(Item):
    rate_max: Ratio | None = None
    any_verified: bool = False
    rate_source: str | None = None
    any_source: str | None = None

    @property
    def facts(self) -> tuple[str, ...]:
        """The reviewer's record of 公示 and 访谈, channels beside the polls."""
        return ("public_notice_held", "public_interviews", "public_channel_verified")


@dataclass(frozen=True, kw_only=True)
class GradeWithin(Item):
    within: tuple[str, ...]

    @property
    def facts(self) -> tuple[str, ...]:
        return ("organisation_grade",)


@dataclass(frozen=True, kw_only=True)
class FactChecks(Item):
    """`number`, `flag` and `rank` items: every check must hold."""

    checks: tuple[Check, ...]
    missing: str = "pending"  # the outcome while a fact is not entered

    @property
    def facts(self) -> tuple[str, ...]:
        names: list[str] = []
        for check in self.checks:
            names += [name for name in check.facts if name not in names]
        return tuple(names)


@dataclass(frozen=True, kw_only=True)
class Exclusions(Item):
    keys: tuple[str, ...]
    clauses: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Each entry's own clause where the document names it (002 §三(一)…(六)); an entry
    without one cites the item's `source`."""

    def clause(self, key: str) -> str:
        return self.clauses.get(key, self.source)


@dataclass(frozen=True, kw_only=True)
class Founded(Item):
    years: int = 1


@dataclass(frozen=True, kw_only=True)
class Weak(Item):
    @property
    def facts(self) -> tuple[str, ...]:
        return ("weak",)


@dataclass(frozen=True, kw_only=True)
class WeakLastYear(Item):
    """The year before's 软弱涣散 mark bars the branch "一般" (by default): the committee may
    override it with a written reason (fact `weak_override_reason`) entered for the year."""

    @property
    def facts(self) -> tuple[str, ...]:
        return ("weak_override_reason",)


@dataclass(frozen=True, kw_only=True)
class Social(Item):
    exempt_domains: frozenset[str] = field(default_factory=frozenset)


KINDS: dict[str, type[Item]] = {
    "vote_share": VoteShare,
    "complaints": Complaints,
    "grade": GradeWithin,
    "number": FactChecks,
    "flag": FactChecks,
    "rank": FactChecks,
    "exclusions": Exclusions,
    "founded": Founded,
    "weak": Weak,
    "weak_last_year": WeakLastYear,
    "social": Social,
}
