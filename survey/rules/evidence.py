"""What the rating engine reads: one branch's evidence for one year.

These frozen dataclasses are the contract with the database layer, which fills them from
campaigns, verified public answers and the reviewer's assessment. They hold counts and
entries only, never an identity (ballots are secret), and validate themselves on creation so
that an impossible count is refused where it is made, not half-way through a rating.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

GRADES = ("excellent", "good", "fair", "poor")
"""The committee grade (组织评定): 优秀 / 良好 / 一般 / 差."""

EXCLUSION_KEYS = (
    "accountability",
    "negative_publicity",
    "leader_disciplined",
    "leader_investigated",
    "directive_failure",
    "member_disciplined",
    "staff_criminal",
    "other",
)
"""The negative list (负面清单), docs/rules.md §3: 000 §二(二), 001 工作指南 §四(三), 002 §三.
002 §三(三) names, besides the leaders, any member dealt with (`member_disciplined`: 党员有违规
违纪违法问题受到处理) and other staff of the unit held criminally liable (`staff_criminal`:
设立党支部的基层单位有其他人员被追究刑事责任)."""

STAR_NAMES = ("strong_leadership", "harmony_stability", "public_satisfaction")
"""The three named stars of the village ten-star rating: 班子坚强星、和谐稳定星、群众满意星."""

DOMAINS = (
    "organ",
    "village",
    "community",
    "enterprise",
    "state_enterprise",
    "private_enterprise",
    "social_organisation",
    "school",
    "mobile",
    "university",
    "hospital",
    "institution",
    "other",
)
"""Usual values of `OrganisationFacts.domain` (001 附件2's domains: 机关 §八, 嘎查村 §一, 社区 §二,
国有企业 §三, 高等学校 `university` §四, 非公有制企业 §五, 社会组织 §六, 事业单位 §七: 公立医院
`hospital` (一), 中小学校 `school` (二), 其他事业单位 `institution` (三); 流动党员 §九); other
strings are accepted and match no standard."""


COLUMN_FACTS = frozenset(
    {
        "organisation_grade",
        "score",
        "volunteers",
        "serving_members",
        "volunteer_activities",
        "stars",
        "named_stars",
    }
)
"""Facts with a field of their own in `Assessment` (and a column of their own in the database)."""


class InvalidEvidence(ValueError):
    """Evidence that cannot be true (negative counts, more verified than dissatisfied, …)."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidEvidence(message)


def _non_negative(**counts: int | None) -> None:
    for name, count in counts.items():
        if count is not None and count < 0:  # the message is built only when it is needed
            raise InvalidEvidence(f"{name} must not be negative, got {count}")


@dataclass(frozen=True, slots=True)
class OrganisationFacts:
    """Standing facts about the branch, as kept on the organisation record."""

    id: int
    name: str = ""
    domain: str | None = None
    founded_on: date | None = None
    public_facing: bool = True
    """False for branches without public-facing functions or in classified units (001 工作指南
    §五(二)4 无直接面向社会职能和涉密单位)."""
    weak: bool = False
    """The organisation record's old standing mark (软弱涣散), read only where the year's
    assessment says nothing about it: the mark belongs to a year (`Assessment.weak`)."""


@dataclass(frozen=True, slots=True)
class MemberEvidence:
    """Tallies of the year's member-review campaigns (党员评议), by ballot class.

    `eligible_*` is the roll (应到会人数); None means the campaign was created without one.
    `*_merged`: votes whose classes were merged at close because a class had fewer than the
    small-group threshold (a split would show the few probationary members' grades).
    """

    campaign_ids: tuple[int, ...] = ()
    eligible_full: int | None = None
    eligible_probationary: int | None = None
    participants_full: int = 0
    participants_probationary: int = 0
    excellent_full: int = 0
    excellent_probationary: int = 0
    participants_merged: int = 0
    excellent_merged: int = 0

    def __post_init__(self) -> None:
        _non_negative(
            eligible_full=self.eligible_full,
            eligible_probationary=self.eligible_probationary,
            participants_full=self.participants_full,
            participants_probationary=self.participants_probationary,
            excellent_full=self.excellent_full,
            excellent_probationary=self.excellent_probationary,
            participants_merged=self.participants_merged,
            excellent_merged=self.excellent_merged,
        )
        _require(
            self.excellent_full <= self.participants_full, "excellent_full > participants_full"
        )
        _require(
            self.excellent_probationary <= self.participants_probationary,
            "excellent_probationary > participants_probationary",
        )
        _require(
            self.excellent_merged <= self.participants_merged,
            "excellent_merged > participants_merged",
        )


@dataclass(frozen=True, slots=True)
class PublicEvidence:
    """Tallies of the year's public-satisfaction polls (群众评判) and their verification."""

    campaign_ids: tuple[int, ...] = ()
    responses: int = 0
    dissatisfied: int = 0
    verified: int = 0
    unfounded: int = 0
    open_polls: tuple[int, ...] = ()
    """Polls of the year still open: their answers are neither counted nor shown until
    they close, so the criterion waits for them."""
    meeting_campaign_ids: tuple[int, ...] = ()
    """Of the campaigns above (closed or open), those of 群众代表 invited to the 述职评议
    meeting (000 §二(三), 001 工作指南 §五(二)3, 003 §三(一)3): a channel of its own."""
    meeting_responses: int = 0
    """Of ``responses``, the representatives' answers at the meeting."""
    meeting_dissatisfied: int = 0
    """Of ``dissatisfied``, the representatives' 不满意 at the meeting."""

    def __post_init__(self) -> None:
        _non_negative(
            responses=self.responses,
            dissatisfied=self.dissatisfied,
            verified=self.verified,
            unfounded=self.unfounded,
            meeting_responses=self.meeting_responses,
            meeting_dissatisfied=self.meeting_dissatisfied,
        )
        _require(self.dissatisfied <= self.responses, "dissatisfied > responses")
        _require(self.verified + self.unfounded <= self.dissatisfied, "checked > dissatisfied")
        _require(self.meeting_responses <= self.responses, "meeting_responses > responses")
        _require(
            self.meeting_dissatisfied <= min(self.dissatisfied, self.meeting_responses),
            "meeting_dissatisfied > dissatisfied or meeting_responses",
        )

    @property
    def channels(self) -> tuple[str, ...]:
        """``poll`` where a public poll was answered or is open, ``meeting`` where 群众代表
        voted at the meeting or its campaign is open."""
        meetings = set(self.meeting_campaign_ids)
        found = []
        polls_open = any(c not in meetings for c in self.open_polls)
        if self.responses > self.meeting_responses or polls_open:
            found.append("poll")
        if self.meeting_responses or any(c in meetings for c in self.open_polls):
            found.append("meeting")
        return tuple(found)

    @property
    def unchecked(self) -> int:
        """Dissatisfied answers a reviewer has not yet marked verified or unfounded."""
        return self.dissatisfied - self.verified - self.unfounded


@dataclass(frozen=True, slots=True)
class SocialFeedback:
    """One department's answer in the social evaluation (社会评价)."""

    department: str
    negative: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One entry of the negative list (负面清单) recorded for the year."""

    key: str
    note: str = ""

    def __post_init__(self) -> None:
        _require(self.key in EXCLUSION_KEYS, f"unknown exclusion key {self.key!r}")


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the reviewer entered for the branch and year."""

    organisation_grade: str | None = None
    score: int | None = None
    social: tuple[SocialFeedback, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    volunteers: int | None = None
    serving_members: int | None = None
    volunteer_activities: int | None = None
    stars: int | None = None
    named_stars: frozenset[str] = field(default_factory=frozenset)
    entered_by: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    """The reviewer's further facts (facts.toml): ints, yes/no answers, dates."""

    @property
    def weak(self) -> bool | None:
        """软弱涣散 for this year: True, False, or None when the reviewer said nothing."""
        return self.facts.get("weak")

    @property
    def term_ends_on(self) -> date | None:
        return self.facts.get("term_ends_on")

    def fact(self, name: str) -> Any:
        """A fact by name, from its own field or from `facts`; None when not entered."""
        if name in COLUMN_FACTS:
            return getattr(self, name)
        return self.facts.get(name)

    def __post_init__(self) -> None:
        if self.organisation_grade is not None and self.organisation_grade not in GRADES:
            raise InvalidEvidence(f"unknown organisation grade {self.organisation_grade!r}")
        _non_negative(
            volunteers=self.volunteers,
            serving_members=self.serving_members,
            volunteer_activities=self.volunteer_activities,
            stars=self.stars,
        )
        _require(self.stars is None or self.stars <= 10, "the ten-star rating has at most 10 stars")
        if self.named_stars and not set(self.named_stars) <= set(STAR_NAMES):
            unknown = sorted(set(self.named_stars) - set(STAR_NAMES))
            raise InvalidEvidence(f"unknown named stars {unknown}")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything known about one branch for one rating year."""

    year: int
    organisation: OrganisationFacts
    members: MemberEvidence | None = None
    public: PublicEvidence | None = None
    assessment: Assessment | None = None
    weak_last_year: bool = False
    """软弱涣散 marked on the assessment of the year before (`year - 1`)."""
