"""What the engine answers: one `Criterion` per rule, and the `Rating` that sums them up.

JSON shape of a criterion (all of it serialisable as is):

- `value`: None when nothing was read, else a flat object of the figures read, e.g.
  `{"excellent": 26, "participants": 29, "excellent_share": "26/29"}`. Counts are ints, shares
  are "numerator/denominator" strings (never rounded), dates ISO strings.
- `threshold`: None when the criterion does not apply, else an object keyed by the figure
  it bounds, each with one operator: `min` / `max` (inclusive), `more_than`, `in`,
  `includes`, `equals`, `on_or_before`. A `{"numerator", "denominator"}` bound compares a
  share, an int bound a count or a score. E.g. `{"excellent_share": {"min": {"numerator": 9,
  "denominator": 10}}}`.
- `evidence`: what the value was read from (campaign ids, entries and who made them) and,
  unless the outcome is `pass`, a `reason` in plain English.
- `source`: the seed clause, see `sources.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("pass", "fail", "pending", "exempt", "not_applicable")
VERDICTS = ("eligible", "not_eligible", "pending")

# The criteria every rating lists, whatever its scheme (not_applicable where it has none).
CRITERION_KEYS = (
    "members",
    "quorum",
    "public",
    "organisation",
    "social",
    "exclusions",
    "founded",
    "weak",
    "score",
    "volunteers",
    "stars",
)

LABELS: Mapping[str, str] = {
    "members": "党员评议",
    "quorum": "到会人数",
    "public": "群众评判",
    "organisation": "组织评定",
    "social": "社会评价",
    "exclusions": "负面清单",
    "founded": "新组建不满一年",
    "weak": "软弱涣散",
    "score": "量化积分",
    "volunteers": "党员志愿服务（机关）",
    "stars": "十星级评定（嘎查村）",
}


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    label: str
    outcome: str
    value: Any
    threshold: Any
    evidence: dict[str, Any]
    source: str

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "outcome": self.outcome,
            "value": self.value,
            "threshold": self.threshold,
            "evidence": self.evidence,
            "source": self.source,
        }


def make_criterion(
    key: str,
    outcome: str,
    *,
    source: str,
    value: Any = None,
    threshold: Any = None,
    evidence: dict[str, Any] | None = None,
    reason: str | None = None,
    label: str | None = None,
) -> Criterion:
    """A criterion labelled `label` (else from `LABELS`), with `reason` added to its
    evidence when given."""
    read = {} if evidence is None else evidence  # each judge builds its own dict: add to it
    if reason is not None:
        read["reason"] = reason
    return Criterion(key, label or LABELS[key], outcome, value, threshold, read, source)


_MADE: dict[tuple[int, object], tuple[object, Any]] = {}
MADE_MAX = 4096  # entries; own schemes may be loaded afresh per request: never a leak


def once(item: object, name: object, make: Callable[[], Any]) -> Any:
    """``make()`` made once per ``item`` (a scheme item, frozen) and ``name``, then shared:
    the parts of a criterion that are the same for every branch (a threshold, a not-applicable
    criterion) are made once per summary, not 10,000 times. Shared values are read only
    (criteria are frozen; their dicts are never changed after they are made). Keyed by id,
    the item kept beside it: hashing a frozen item per branch costs more than making it."""
    found = _MADE.get((id(item), name))
    if found is None or found[0] is not item:
        if len(_MADE) >= MADE_MAX:
            _MADE.clear()
        found = _MADE[(id(item), name)] = (item, make())
    return found[1]


def share(numerator: int, denominator: int) -> str:
    """A share for display and JSON, unrounded: "26/29"."""
    return f"{numerator}/{denominator}"


def verdict_of(outcomes: Collection[str]) -> str:
    """RULES §7: any fail → not_eligible (final even while evidence is pending); else any
    pending → pending; else eligible. exempt and not_applicable count as passed."""
    if "fail" in outcomes:
        return "not_eligible"
    if "pending" in outcomes:
        return "pending"
    return "eligible"


@dataclass(frozen=True, slots=True)
class Rating:
    verdict: str
    scheme: str
    year: int
    organisation_id: int
    criteria: tuple[Criterion, ...]
    ranking: Mapping[str, int] = field(default_factory=dict, compare=False)
    """Figures the recommendation order reads that no criterion carries (engine._ranking);
    not part of the answer's JSON."""

    def criterion(self, key: str) -> Criterion:
        """The criterion named `key`; KeyError if the rating has none."""
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "scheme": self.scheme,
            "year": self.year,
            "organisation_id": self.organisation_id,
            "criteria": [criterion.to_dict() for criterion in self.criteria],
        }
