"""Answer scales (docs/rules.md §1), in the order a ballot shows them."""

from __future__ import annotations

MEMBER_REVIEW = "member_review"
SATISFACTION = "satisfaction"
MEMBER_APPRAISAL = "member_appraisal"  # 民主评议党员: the kind; its rows use the four grades
# 群众代表 invited to the 述职评议 meeting (000 §二(三), 001 工作指南 §五(二)3, 003 §三(一)3):
# one-time cards on the satisfaction scale, counted as 群众评判 (docs/rules.md)
MASSES_MEETING = "masses_meeting"

SCALES: dict[str, tuple[str, ...]] = {
    # 优秀 / 合格 / 基本合格 / 不合格
    MEMBER_REVIEW: ("excellent", "competent", "basically_competent", "incompetent"),
    # 满意 / 基本满意 / 不满意
    SATISFACTION: ("satisfied", "basically_satisfied", "dissatisfied"),
}

# Campaign kind -> the scale of its questions. A member appraisal asks one question per
# member of the roll, each on the four grades (docs/rules.md §1).
CAMPAIGN_KINDS = {
    "member_review": MEMBER_REVIEW,
    "public_satisfaction": SATISFACTION,
    MEMBER_APPRAISAL: MEMBER_REVIEW,
    MASSES_MEETING: SATISFACTION,
}
# The kinds whose ballots are printed on cards for a branch meeting (full / probationary).
MEETING_KINDS = ("member_review", MEMBER_APPRAISAL)
# The kinds voted with one-time cards handed out at a meeting: sealed by the scrutineers by
# default, opened only with cards generated (the member kinds above, and 群众代表's).
CARD_KINDS = (*MEETING_KINDS, MASSES_MEETING)
# Who the invited representatives are, chosen when the campaign is made (001 工作指南
# §五(二)3 and 003 §三(一)3: 教师代表 in a college, 服务对象 in an organ, 群众代表 elsewhere).
REPRESENTATIVES = ("masses", "teachers", "service_users")
REPRESENTATIVE_CLASS = "representative"  # the cards' respondent class
