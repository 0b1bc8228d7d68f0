"""民主评议党员测评汇总表: the member appraisal's results as the paper form lays them out --
a title row, one row per member with the count of each grade, the shares of 优秀 and 不合格
and the committee's final grade with its reason. Only for those allowed to read an
appraisal (access.Action.READ_APPRAISAL): the callers check it before calling."""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey import appraisal
from survey.files.export_words import choice_word, class_word, member_word
from survey.files.tables import Table, local_date, table_csv, title_rows, workbook
from survey.models import Campaign

WORDS = {
    "zh": {
        "form": "民主评议党员测评汇总表",
        "subject": "民主评议党员",
        "short_form": "测评汇总表",
        "sheet": "测评汇总",
        "number": "序号",
        "name": "姓名",
        "class": "类别",
        "answered": "参评人数",
        "excellent_share": "优秀率",
        "incompetent_share": "不合格率",
        "final": "评定等次",
        "reason": "评定理由",
        "handling": "需处置不合格党员",
        "hidden": "回收少于{n}份，不列出每名党员的票数（小样本规则）",
        "cast": "收回评议票{cast}张，发放{issued}张",
    },
    "en": {
        "form": "Member appraisal summary",
        "subject": "member appraisal",
        "short_form": "summary",
        "sheet": "Appraisal",
        "number": "No.",
        "name": "Name",
        "class": "Class",
        "answered": "Graded by",
        "excellent_share": "Excellent share",
        "incompetent_share": "Incompetent share",
        "final": "Final grade",
        "reason": "Reason",
        "handling": "Calls for handling as incompetent",
        "hidden": "fewer than {n} responses: no per-member counts (small-group rule)",
        "cast": "{cast} ballots cast of {issued} issued",
    },
}


def _form_name(title: str, w: dict) -> str:
    """民主评议党员测评汇总表, or 测评汇总表 after a title that already names it
    (第一党支部2025年度民主评议党员测评汇总表, not ……民主评议党员民主评议党员测评汇总表)."""
    return w["short_form"] if title.endswith(w["subject"]) else w["form"]


def appraisal_table(
    session: Session, campaign: Campaign, small_group: int, lang: str, timezone: str
) -> Table:
    w = WORDS["en" if lang == "en" else "zh"]
    snapshot = campaign.snapshot or {}
    title = title_rows(
        campaign.organisation.name,
        campaign.title,
        _form_name(campaign.title, w),
        local_date(campaign.closed_at, timezone, lang),
        lang,
    )
    grades = [choice_word(g, lang) for g in appraisal.GRADES]
    header = [w["number"], w["name"], w["class"], w["answered"], *grades]
    header += [w["excellent_share"], w["incompetent_share"], w["final"], w["reason"]]
    header += [w["handling"]]
    table = Table(
        w["sheet"],
        title,
        header,
        percent=(8, 9),
        widths=(8, 14, 12, 10, 8, 8, 10, 8, 10, 10, 12, 30, 14),
    )
    hidden = False
    for number, row in enumerate(appraisal.results(session, campaign), start=1):
        counts = row.counts
        hidden |= counts is None
        table.rows.append(
            [
                number,
                member_word(row.name, lang),
                class_word(row.member_class, lang),
                row.answered,
                *[counts[g] if counts else None for g in appraisal.GRADES],
                row.share("excellent"),
                row.share("incompetent"),
                choice_word(row.final_grade, lang) if row.final_grade else "",
                row.final_reason or "",
                "✔" if row.calls_for_handling else "",
            ]
        )
    notes = [w["cast"].format(cast=snapshot.get("cast", 0), issued=snapshot.get("issued", 0))]
    if hidden:
        notes.append(w["hidden"].format(n=small_group))
    table.note = "；".join(notes) if lang != "en" else "; ".join(notes)
    return table


def appraisal_xlsx(session, campaign, small_group=5, *, lang="zh", timezone="Asia/Shanghai"):
    return workbook([appraisal_table(session, campaign, small_group, lang, timezone)])


def appraisal_csv(session, campaign, small_group=5, *, lang="zh", timezone="Asia/Shanghai"):
    return table_csv(appraisal_table(session, campaign, small_group, lang, timezone))
