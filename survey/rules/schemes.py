"""Rating schemes (评定方案): each seed document as data.

A scheme is a named set of criteria with their thresholds. Every threshold is an integer or an
integer pair (`Ratio`), never a float, and carries the seed clause it comes from (see
`sources.py` for the citation format). A criterion whose rule is None does not apply under
that scheme; `absent` names the clause that says so, where a seed says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class UnknownScheme(KeyError, ValueError):
    """No scheme has that key. Both a KeyError (a lookup) and a ValueError (bad input)."""

    def __str__(self) -> str:
        return f"unknown rating scheme {self.args[0]!r}; known: {', '.join(sorted(SCHEMES))}"


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
        return f"{self.numerator}/{self.denominator}"


@dataclass(frozen=True)
class MembersRule:
    """党员评议: the share of `excellent` among members who took part must reach `minimum`."""

    minimum: Ratio  # inclusive: "90%以上" includes 90 % itself
    count_probationary: bool  # whether probationary members' grades enter the share
    source: str


@dataclass(frozen=True)
class QuorumRule:
    """Participants must be more than `more_than` of the roll (应到会人数), else pending."""

    more_than: Ratio
    source: str


@dataclass(frozen=True)
class PublicRule:
    """群众评判. kind "rate": the verified dissatisfied share must not exceed `maximum`;
    kind "any_verified": a single verified dissatisfied answer excludes."""

    kind: str
    maximum: Ratio | None
    source: str

    def __post_init__(self) -> None:
        if (self.kind == "rate") != (self.maximum is not None) or self.kind not in (
            "rate",
            "any_verified",
        ):
            raise ValueError(f"bad public rule {self.kind!r} with maximum {self.maximum}")


@dataclass(frozen=True)
class OrganisationRule:
    """组织评定: the committee grade must be one of `passing`."""

    passing: frozenset[str]
    source: str


@dataclass(frozen=True)
class SocialRule:
    """社会评价: any negative feedback excludes; branches without public-facing functions
    may be exempt (可不开展) where the scheme says so."""

    exempt_non_public_facing: bool
    source: str


@dataclass(frozen=True)
class Rule:
    """A yes/no standing rule (founded, weak, exclusions) that only needs its clause."""

    source: str


@dataclass(frozen=True)
class ScoreRule:
    """量化积分: where a score is kept it must reach `minimum`."""

    minimum: int
    source: str


@dataclass(frozen=True)
class VolunteerStandard:
    """Domain standard for organs (机关): volunteer share and yearly volunteer activities."""

    minimum: Ratio
    activities_min: int
    source: str
    domain: str = "organ"


@dataclass(frozen=True)
class StarStandard:
    """Domain standard for villages (嘎查村): stars in the ten-star rating (十星级)."""

    stars_min: int
    named: frozenset[str]
    source: str
    domain: str = "village"


@dataclass(frozen=True)
class Target:
    """The share of branches rated "strongest" aimed at by the end of `year`."""

    year: int
    share: Ratio
    source: str


@dataclass(frozen=True)
class Scheme:
    key: str
    title: str
    source: str  # the clause listing the scheme's criteria
    members: MembersRule | None
    quorum: QuorumRule | None
    public: PublicRule | None
    organisation: OrganisationRule
    social: SocialRule | None
    exclusions: Rule
    founded: Rule | None
    weak: Rule | None
    score: ScoreRule | None
    volunteers: VolunteerStandard | None
    stars: StarStandard | None
    targets: tuple[Target, ...]  # ascending years
    recommendation_cap: Ratio | None
    recommendation_source: str | None
    absent: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def score_min(self) -> int | None:
        return self.score.minimum if self.score else None

    def source_when_absent(self, key: str) -> str:
        """The clause to cite for a criterion this scheme does not use."""
        return self.absent.get(key, self.source)

    def target_for(self, year: int) -> Target | None:
        """The latest target at or before `year`; None before the first one."""
        reached = [target for target in self.targets if target.year <= year]
        return max(reached, key=lambda target: target.year) if reached else None

    def recommendation_limit(self, branches: int) -> int | None:
        """How many branches may be recommended upward: floor(branches × cap), or None."""
        cap = self.recommendation_cap
        return None if cap is None else branches * cap.numerator // cap.denominator


ALL_NAMED_STARS = frozenset({"strong_leadership", "harmony_stability", "public_satisfaction"})
NINETY_PERCENT = Ratio(9, 10)
MORE_THAN_HALF = Ratio(1, 2)
# The >1/2 quorum is no seed's rule: the seeds call the whole membership (全体党员) to the
# annual meeting, and DESIGN.md ("Eligible roll and quorum") flags a half-empty meeting.
QUORUM_NOTE = "DESIGN.md 应到会人数"

# 001 附件2 §八6 and 000 §二(二)6: 党员志愿者人数不少于在职党员的80%，全年开展志愿活动不少于2次.
ORGAN_VOLUNTEERS = VolunteerStandard(Ratio(80, 100), 2, "001 附件2 §八6")


NMG_2020 = Scheme(
    key="nmg-2020",
    title="内蒙古自治区“最强党支部”（内组通字〔2020〕4号及工作指南）",
    source="001 工作指南 §五(二)",
    # 工作指南 §五(二)2: "优秀"等次所占比例应达到参加评议党员总数的90%以上 (全体党员 take part).
    members=MembersRule(NINETY_PERCENT, True, "001 工作指南 §五(二)2"),
    quorum=QuorumRule(MORE_THAN_HALF, f"001 工作指南 §五(二)2; {QUORUM_NOTE}"),
    # 工作指南 §五(二)3: 群众评价为"不满意"且经查证情况属实的，不得评定 (whatever its share).
    public=PublicRule("any_verified", None, "001 工作指南 §五(二)3"),
    # 工作指南 §五(二)1: 基层党(工)委的评价等次必须为"优秀".
    organisation=OrganisationRule(frozenset({"excellent"}), "001 工作指南 §五(二)1"),
    # 工作指南 §五(二)4: 无直接面向社会职能和涉密单位等机关党支部，可不开展社会评价.
    social=SocialRule(True, "001 工作指南 §五(二)4"),
    exclusions=Rule("001 工作指南 §四(三)"),
    # 工作指南 §七(四): 新组建不满一年的党支部一般不得评定；软弱涣散党支部一般不能直接越级评定.
    founded=Rule("001 工作指南 §七(四)"),
    weak=Rule("001 工作指南 §七(四)"),
    # 工作指南 §五(三)1: 实行党支部量化积分管理的地区，可将90分以上的列为评定范围.
    score=ScoreRule(90, "001 工作指南 §五(三)1"),
    volunteers=ORGAN_VOLUNTEERS,
    # 附件2 §一1: "十星级"评定中获得8星以上，且必须获得班子坚强星、和谐稳定星、群众满意星.
    stars=StarStandard(8, ALL_NAMED_STARS, "001 附件2 §一1"),
    # 4号方案 §一(三): 到2021年…比例力争达到30%以上；到2023年，全区一半以上. The guide's
    # 20 % (2020) and 40 % (2022) are examples (工作指南 §三(二) "比如"), not targets.
    targets=(
        Target(2021, Ratio(30, 100), "001 4号方案 §一(三)"),
        Target(2023, Ratio(50, 100), "001 4号方案 §一(三)"),
    ),
    recommendation_cap=None,
    recommendation_source=None,
)

ORDOS_AMR_2020 = Scheme(
    key="ordos-amr-2020",
    title="鄂尔多斯市市场监督管理局“最强党支部”建设工作实施方案",
    source="000 §四",
    # §四(二): 党员对本党支部的评价"优秀"等次所占比例达到参加评议党员总数的90%以上.
    members=MembersRule(NINETY_PERCENT, True, "000 §四(二)"),
    quorum=QuorumRule(MORE_THAN_HALF, f"000 §四(二); {QUORUM_NOTE}"),
    # §四(三): 群众评价"不满意"率超过10%的，且经查核情况属实的，不得评定. The negative list
    # of §二(二) words it as any verified 不满意; the method section's rate is the specific rule.
    public=PublicRule("rate", Ratio(1, 10), "000 §四(三)"),
    # §四(一) and §二(二): 在年度述职评议考核中评价等级达不到优秀的 cannot be rated.
    organisation=OrganisationRule(frozenset({"excellent"}), "000 §四(一)"),
    social=SocialRule(True, "000 §四(四)"),
    exclusions=Rule("000 §二(二)"),
    # 000 is silent; it implements 鄂党组通字〔2020〕19号 under 001, whose standing rules hold.
    founded=Rule("001 工作指南 §七(四)"),
    weak=Rule("001 工作指南 §七(四)"),
    score=None,
    volunteers=VolunteerStandard(Ratio(80, 100), 2, "000 §二(二)6"),
    stars=None,
    # §一: 2020年底…20%以上，2021年底30%以上，2022年底40%以上，2023年底50%以上.
    targets=tuple(
        Target(year, Ratio(percent, 100), "000 §一")
        for year, percent in ((2020, 20), (2021, 30), (2022, 40), (2023, 50))
    ),
    recommendation_cap=None,
    recommendation_source=None,
    absent={"score": "000 §四", "stars": "000 §二(二)"},
)

PINGDINGSHAN_2024 = Scheme(
    key="pingdingshan-2024",
    title="创建平顶山市机关“四强”党支部实施方案",
    source="002 §三",
    members=None,
    quorum=None,
    public=None,  # 查实的投诉、信访举报 are an exclusion (§三(五)), not a public criterion
    # §三(二): 述职评议考核结果为"一般"或者"差"等次的 cannot take part.
    organisation=OrganisationRule(frozenset({"excellent", "good"}), "002 §三(二)"),
    social=None,
    exclusions=Rule("002 §三"),
    founded=None,  # no such rule in 002; a committee records it as exclusion "other" (§三(六))
    weak=None,
    score=None,
    volunteers=None,
    stars=None,
    targets=(),
    # §四(三): 按照不超过10%比例向平顶山市直工委推荐"四强"党支部候选单位.
    recommendation_cap=Ratio(1, 10),
    recommendation_source="002 §四(三)",
    absent={
        "members": "002 §四(二)",
        "quorum": "002 §四(二)",
        "public": "002 §三(五)",
        "social": "002 §四(二)",
        "founded": "002 §三(六)",
        "weak": "002 §三(六)",
    },
)

CHIFENG_COLLEGE_2020 = Scheme(
    key="chifeng-college-2020",
    title="赤峰工业职业技术学院建设“最强党支部”工作方案",
    source="003 §三(一)",
    # 003 §三(一) names the four evaluations and leaves their bars to the 4号方案 it implements
    # (preamble), whose §三(一) sets the same bars as nmg-2020.
    members=MembersRule(NINETY_PERCENT, True, "003 §三(一)2; 001 4号方案 §三(一)2"),
    quorum=QuorumRule(MORE_THAN_HALF, f"003 §三(一)2; {QUORUM_NOTE}"),
    public=PublicRule("any_verified", None, "003 §三(一)3; 001 4号方案 §三(一)3"),
    organisation=OrganisationRule(frozenset({"excellent"}), "003 §三(一)1; 001 4号方案 §三(一)1"),
    # §三(一)4 consults the education bureau, other schools, parents and partner units for
    # every branch; it does not carry 001's 可不开展 exemption.
    social=SocialRule(False, "003 §三(一)4"),
    exclusions=Rule("003 §四(四); 001 工作指南 §四(三)"),
    founded=Rule("001 工作指南 §七(四)"),
    weak=Rule("001 工作指南 §七(四)"),
    score=None,  # §五(三): 不确定"达标分"
    volunteers=None,
    stars=None,
    # §一(三): 到2021年…比例达到30%以上；到2023年，全院一半党支部达到.
    targets=(
        Target(2021, Ratio(30, 100), "003 §一(三)"),
        Target(2023, Ratio(1, 2), "003 §一(三)"),
    ),
    recommendation_cap=None,
    recommendation_source=None,
    absent={"score": "003 §五(三)", "volunteers": "003 §三(一)", "stars": "003 §三(一)"},
)

SCHEMES: dict[str, Scheme] = {
    scheme.key: scheme
    for scheme in (NMG_2020, ORDOS_AMR_2020, PINGDINGSHAN_2024, CHIFENG_COLLEGE_2020)
}
DEFAULT_SCHEME = "nmg-2020"


def get_scheme(key: str) -> Scheme:
    """The preset named `key`; raises UnknownScheme (a KeyError and a ValueError)."""
    try:
        return SCHEMES[key]
    except KeyError:
        raise UnknownScheme(key) from None
