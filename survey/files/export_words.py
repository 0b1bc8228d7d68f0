"""The words of the exported files in both languages: the paper forms' own vocabulary
(测评汇总表), kept here so that a file reads the same from a page, the API or the CLI."""

from __future__ import annotations

from survey.core import names
from survey.rules import citations

LANGS = ("zh", "en")

WORDS = {
    "zh": {
        "review_form": "测评汇总表",
        "summary_form": "评定汇总表",
        "tally_sheet": "汇总",
        "summary_sheet": "评定汇总",
        "question": "测评项目",
        "choice": "选项",
        "count": "票数",
        "share": "占比",
        "issued": "发放评议票",
        "cast": "收回评议票",
        "void": "作废评议票",
        "eligible_full": "应到正式党员",
        "eligible_probationary": "应到预备党员",
        "hidden": "回收少于{n}份，不分项列出",
        "number": "序号",
        "class": "类别",
        "branch": "党支部",
        "verdict": "评定结果",
        "excellent_share": "党员评议优秀率",
        "verified_share": "查证属实不满意率",
        "failing": "未达标项",
        "title": "称号",
        "notes": "说明",
        "phase": "截至{date}：已建成{built}个示范党组织，目标{count}个，{met}（{source}）",
        "reached": "已达到",
        "not_reached": "未达到",
        "weak_override": "上年度被列为软弱涣散，党（工）委准予参评：{reason}",
        "meeting_channel": "群众评判含群众代表测评（述职评议会）{n}票，其中不满意{dissatisfied}票",
        "summary_subject": "{year}年度“最强党支部”",
        "held_since": "{year}年起保持称号（复查）",
        "recommended": "推荐（第{n}位）",
        "granted": "已评定为{year}年度最强党支部",
        "separator": "、",
    },
    "en": {
        "review_form": "Review summary",
        "summary_form": "Rating summary",
        "tally_sheet": "Summary",
        "summary_sheet": "Ratings",
        "question": "Question",
        "choice": "Choice",
        "count": "Count",
        "share": "Share",
        "issued": "Ballots issued",
        "cast": "Ballots cast",
        "void": "Ballots void",
        "eligible_full": "Full members on the roll",
        "eligible_probationary": "Probationary members on the roll",
        "hidden": "fewer than {n} responses: no breakdown",
        "number": "No.",
        "class": "Class",
        "branch": "Branch",
        "verdict": "Verdict",
        "excellent_share": "Members' excellent share",
        "verified_share": "Verified dissatisfied share",
        "failing": "Criteria failed",
        "title": "Title",
        "notes": "Notes",
        "phase": "by {date}: {built} model organisations built, {count} aimed at, {met} ({source})",
        "reached": "reached",
        "not_reached": "not reached",
        "weak_override": "weak and lax the year before; the committee lets it be rated: {reason}",
        "meeting_channel": "public judgement includes the representatives' vote at the report "
        "meeting: {n} answers, {dissatisfied} dissatisfied",
        "summary_subject": "{year} strongest-branch rating",
        "held_since": "held since {year}, re-checked",
        "recommended": "recommended (#{n})",
        "granted": "granted for {year}",
        "separator": "; ",
    },
}

CHOICES = {
    "excellent": {"zh": "优秀", "en": "Excellent"},
    "competent": {"zh": "合格", "en": "Competent"},
    "basically_competent": {"zh": "基本合格", "en": "Basically competent"},
    "incompetent": {"zh": "不合格", "en": "Incompetent"},
    "satisfied": {"zh": "满意", "en": "Satisfied"},
    "basically_satisfied": {"zh": "基本满意", "en": "Basically satisfied"},
    "dissatisfied": {"zh": "不满意", "en": "Dissatisfied"},
}

CLASSES = {
    "full": {"zh": "正式党员", "en": "Full member"},
    "probationary": {"zh": "预备党员", "en": "Probationary member"},
    "resident": {"zh": "群众", "en": "Resident"},
}

VERDICTS = {
    "eligible": {"zh": "符合条件", "en": "eligible"},  # the pages' words (tests/test_glossary.py)
    "not_eligible": {"zh": "不符合条件", "en": "not eligible"},
    "pending": {"zh": "待定", "en": "pending"},
}

PROMPTS = {
    "How do you rate the work of this branch this year?": {
        "zh": "您对本党支部本年度工作的评价是？",
        "en": "How do you rate the work of this branch this year?",
    },
    "How satisfied are you with this branch's service?": {
        "zh": "您对本党支部的服务是否满意？",
        "en": "How satisfied are you with this branch's service?",
    },
}

# The engine labels its criteria in Chinese (survey/rules LABELS); these are the English.
CRITERIA_EN = {
    "members": "Members' review",
    "quorum": "Attendance against the roll",
    "public": "Public judgement",
    "organisation": "Committee grade",
    "social": "Social evaluation",
    "exclusions": "Negative list",
    "founded": "Founded at least a year",
    "weak": "Not weak and lax",
    "weak_last_year": "Not weak and lax the year before",
    "score": "Quantitative score",
    "volunteers": "Volunteer service (organs)",
    "stars": "Ten-star rating (villages)",
}


def lang_of(locale) -> str:
    """``zh`` or ``en`` from a Babel locale (or its name); Chinese for anything else."""
    name = str(locale or "").split("_")[0]
    return name if name in LANGS else "zh"


def words(lang: str) -> dict[str, str]:
    return WORDS[lang_of(lang)]


def choice_word(choice: str, lang: str) -> str:
    return CHOICES.get(choice, {}).get(lang_of(lang), choice)


def member_word(frozen: str, lang: str) -> str:
    """A member's name as an appraisal froze it (survey.core.names), told apart in ``lang``;
    the Chinese file keeps the frozen text."""
    if lang_of(lang) != "en":
        return frozen
    found = names.parse(frozen)
    if found.erased is not None:
        return f"Erased member #{found.erased}"
    if found.year is not None:
        return f"{found.name} (joined the Party in {found.year})"
    if found.number is not None:
        return f"{found.name} ({found.number})"
    return frozen


def class_word(key: str, lang: str) -> str:
    return CLASSES.get(key, {}).get(lang_of(lang), key)


def verdict_word(key: str, lang: str) -> str:
    return VERDICTS.get(key, {}).get(lang_of(lang), key)


def criterion_notes(criteria, lang: str) -> list[str]:
    """What the committee decided on a rating's criteria, in words: an override of the year
    before's 软弱涣散 mark with its reason (001 工作指南 §七(四)); and 群众评判's channel at the
    述职评议 meeting with its answers, where it counted."""
    notes = []
    for criterion in criteria:
        value = criterion.value or {}
        reason = value.get("weak_override_reason")
        if reason:
            notes.append(words(lang)["weak_override"].format(reason=reason))
        if value.get("meeting_responses"):  # 群众评判's channel at the 述职评议 meeting
            notes.append(
                words(lang)["meeting_channel"].format(
                    n=value["meeting_responses"], dissatisfied=value["meeting_dissatisfied"]
                )
            )
    return notes


def phase_word(phase, lang: str) -> str:
    """A count target on its own date in words (rules.PhaseCheck)."""
    w = words(lang)
    day = phase.deadline
    zh = lang_of(lang) == "zh"
    return w["phase"].format(
        date=f"{day.year}年{day.month}月{day.day}日" if zh else day.isoformat(),
        built=phase.built,
        count=phase.target.count,
        met=w["reached"] if phase.met else w["not_reached"],
        source=citations.cite_text(phase.target.source, zh),
    )


def criterion_word(criterion, lang: str) -> str:
    """The engine's own label (a scheme may word it) in Chinese; the English name otherwise."""
    if lang_of(lang) == "zh":
        return criterion.label
    return CRITERIA_EN.get(criterion.key, criterion.label)
