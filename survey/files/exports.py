"""Exports of a closed campaign and of a committee's summary, shaped like the paper forms
(测评汇总表): a title row, headers and values in the reader's language, counts with their
share as a percentage, never a ballot. Each table is one sheet of a workbook or one CSV.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey import campaigns
from survey.core.errors import Conflict, NoBallotRows
from survey.core.scales import MEMBER_APPRAISAL
from survey.files.appraisal_export import appraisal_table
from survey.files.export_words import (
    PROMPTS,
    choice_word,
    criterion_notes,
    criterion_word,
    phase_word,
    verdict_word,
    words,
)
from survey.files.tables import Table, local_date, table_csv, title_rows, workbook
from survey.models import Campaign, CampaignStatus

TABLES = ("tally",)
NO_BALLOT_ROWS = (
    "there is no ballot-by-ballot file: a closed campaign keeps counts only, so that no "
    "stored row and no file row is one person's ballot (docs/secrecy.md); the tally "
    "(tally.csv, or the workbook) has every count"
)


def _share(n: int, total: int) -> float | None:
    return n / total if total else None


def tally_table(
    session: Session, campaign: Campaign, small_group: int, lang: str, timezone: str
) -> Table:
    if campaign.kind == MEMBER_APPRAISAL:  # its 测评汇总表 is one row per member
        return appraisal_table(session, campaign, small_group, lang, timezone)
    w = words(lang)
    tally = campaigns.tally(session, campaign, reveal=True, small_group=small_group)
    title = title_rows(
        campaign.organisation.name,
        campaign.title,
        w["review_form"],
        local_date(campaign.closed_at, timezone, lang),
        lang,
    )
    table = Table(
        w["tally_sheet"],
        title,
        [w["question"], w["choice"], w["count"], w["share"]],
        percent=(3,),
        widths=(40, 14, 10, 16),
    )
    table.rows.append([w["issued"], "", tally["issued"], None])
    table.rows.append([w["cast"], "", tally["cast"], _share(tally["cast"], tally["issued"])])
    table.rows.append([w["void"], "", tally["void"], None])
    for key in ("eligible_full", "eligible_probationary"):
        if tally.get(key) is not None:
            table.rows.append([w[key], "", tally[key], None])
    below = tally["responses"] < small_group  # the threshold verdict, never the counts
    for question in tally["questions"]:
        prompt = _prompt(question["prompt"], lang)
        counts = None if below else question["counts"]
        if counts is None:
            table.rows.append([prompt, w["hidden"].format(n=small_group), None, None])
            continue
        total = sum(counts.values())
        for choice, n in counts.items():
            table.rows.append([prompt, choice_word(choice, lang), n, _share(n, total)])
    return table


def _prompt(prompt: str, lang: str) -> str:
    """A built-in prompt in the reader's language; a committee's own text as written."""
    return PROMPTS.get(prompt, {}).get(lang, prompt)


def require_closed(campaign: Campaign) -> None:
    """Results leave the service once the campaign is closed (its box opened and sealed)."""
    if campaign.status != CampaignStatus.CLOSED:
        raise Conflict("results are exported once the campaign is closed")


def campaign_csv(
    session: Session,
    campaign: Campaign,
    small_group: int = 5,
    *,
    table: str = "tally",
    lang: str = "zh",
    timezone: str = "Asia/Shanghai",
) -> str:
    """The tally as CSV, UTF-8 with a BOM for Excel. ``responses`` (the ballot-by-ballot
    sheet of old) is refused with NoBallotRows, saying why."""
    if table not in TABLES:
        raise NoBallotRows(NO_BALLOT_ROWS)
    require_closed(campaign)
    return table_csv(tally_table(session, campaign, small_group, lang, timezone))


def campaign_xlsx(
    session: Session,
    campaign: Campaign,
    small_group: int = 5,
    *,
    lang: str = "zh",
    timezone: str = "Asia/Shanghai",
) -> bytes:
    """The tally (汇总): counts only, no ballot-by-ballot sheet (no stored row is a ballot)."""
    require_closed(campaign)
    return workbook([tally_table(session, campaign, small_group, lang, timezone)])


def summary_table(
    session: Session, committee, year: int, scheme_key: str | None, lang: str, timezone: str
) -> Table:
    """Each branch below ``committee`` with its verdict in words, the members' excellent
    share, the verified dissatisfied share, the criteria it failed, its title and the
    committee's notes on its criteria (an override and its reason)."""
    w = words(lang)
    ratings, summary, names, holders, granted, phases = _rated(session, committee, year, scheme_key)
    title = title_rows(
        committee.name,
        w["summary_subject"].format(year=year),
        w["summary_form"],
        local_date(None, timezone, lang),
        lang,
    )
    header = [w[k] for k in ("number", "branch", "verdict", "excellent_share", "verified_share")]
    table = Table(
        w["summary_sheet"],
        title,
        [*header, w["failing"], w["title"], w["notes"]],
        percent=(3, 4),
        widths=(8, 30, 12, 16, 18, 36, 24, 40),
    )
    rank = {org_id: n for n, org_id in enumerate(summary.recommended, start=1)}
    for number, branch in enumerate(ratings, start=1):
        org_id = branch.organisation_id
        failing = [criterion_word(c, lang) for c in branch.criteria if c.outcome == "fail"]
        held = w["held_since"].format(year=holders[org_id]) if org_id in holders else ""
        recommended = w["recommended"].format(n=rank[org_id]) if org_id in rank else ""
        if org_id in granted:  # as the page's 称号 column: the year's title once granted
            held = recommended = w["granted"].format(year=year)
        table.rows.append(
            [
                number,
                names[org_id],
                verdict_word(branch.verdict, lang),
                _criterion_share(branch, "members", "excellent", "participants"),
                _criterion_share(branch, "public", "verified", "responses"),
                w["separator"].join(failing),
                held or recommended,
                w["separator"].join(criterion_notes(branch.criteria, lang)),
            ]
        )
    for phase in phases:  # Haimen's phases (004 §三), each on its own date, under the branches
        table.rows.append(["", phase_word(phase, lang), "", None, None, "", "", ""])
    return table


def _rated(session: Session, committee, year: int, scheme_key: str | None):
    """The ratings of every branch below ``committee`` and their summary (the same reading
    as survey.rating.ratings.committee_summary, keeping each rating's criteria), and the titles
    granted for ``year``."""
    from survey import rating, rules
    from survey.rating import titles

    scheme = rating.scheme_for(session, committee, scheme_key)
    selector = rating.branch_selector(session, committee)
    branches = rating.branches_under(session, selector)
    evidence = rating.evidence_for(session, year, branches, selector)
    _, _, holders = rating.not_reentered(session, selector, year, evidence)
    ratings = [rules.rate(evidence[b.id], scheme) for b in branches]
    summary = rules.summarise(ratings, scheme, year, not_reentered=holders)
    granted = titles.granted_for(session, selector, year)
    phases = rating.phases(session, selector, scheme, year)
    return ratings, summary, {b.id: b.name for b in branches}, holders, granted, phases


def _criterion_share(branch, key: str, part: str, whole: str) -> float | None:
    try:
        value = branch.criterion(key).value or {}
    except KeyError:
        return None
    if value.get(part) is None or not value.get(whole):
        return None
    return value[part] / value[whole]


def summary_xlsx(session, committee, year, scheme_key=None, *, lang="zh", timezone="Asia/Shanghai"):
    return workbook([summary_table(session, committee, year, scheme_key, lang, timezone)])


def summary_csv(session, committee, year, scheme_key=None, *, lang="zh", timezone="Asia/Shanghai"):
    return table_csv(summary_table(session, committee, year, scheme_key, lang, timezone))
