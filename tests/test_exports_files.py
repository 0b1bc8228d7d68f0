"""The files for Excel: a closed campaign's 测评汇总表 and a committee's rating summary, from
the pages, shaped like the paper forms (title row, headers in the reader's language, shares
as percentages, frozen header, widths; CSV one table per file with a BOM)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from helpers import cast, held_review
from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def closed_review(make, db, branch, choices, eligible_full=None):
    campaign = make.campaign(branch, eligible_full=eligible_full)
    for card, choice in zip(make.ballots(campaign, len(choices)), choices, strict=True):
        cast(db.session, card.id, {campaign.headline.id: choice})
    make.close(campaign)
    return campaign


CHOICES = ["excellent"] * 4 + ["competent", "incompetent"]


def book_of(answer):
    assert answer.status_code == 200, answer.text[:300]
    assert answer.mimetype == XLSX and "attachment" in answer.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(answer.data))


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_campaign_workbook_is_a_chinese_summary_form_with_percent_cells(
    auth, client, make, db, org
):
    campaign = closed_review(make, db, org["first"], CHOICES, eligible_full=8)
    auth.login("secretary")
    book = book_of(client.get(f"/staff/files/campaigns/{campaign.id}/summary.xlsx"))
    assert book.sheetnames == ["汇总"]  # counts only: no ballot-by-ballot sheet
    tally = book["汇总"]
    assert tally["A1"].value == "2026年度党员评议党支部工作测评汇总表"
    assert "A1:D1" in tally.merged_cells and tally["A1"].font.bold
    assert tally["A2"].value == "第一党支部"
    assert tally["D2"].value.endswith("日") and "年" in tally["D2"].value
    assert rows_of(tally)[2] == ["测评项目", "选项", "票数", "占比"]
    assert tally.freeze_panes == "A4" and tally.print_title_rows == "$1:$3"
    assert tally.column_dimensions["A"].width == 40
    assert tally.page_setup.fitToWidth == 1
    by_choice = {row[1].value: row for row in tally.iter_rows(min_row=4) if row[1].value}
    excellent = by_choice["优秀"]
    assert excellent[2].value == 4 and excellent[3].value == pytest.approx(4 / 6)
    assert excellent[3].number_format == "0.0%" and excellent[2].data_type == "n"
    assert set(by_choice) == {"优秀", "合格", "基本合格", "不合格"}
    eligible = next(r for r in rows_of(tally) if r[0] == "应到正式党员")
    assert eligible[2] == 8
    counted = {
        row[1]: row[2] for row in rows_of(tally) if row[0] == "您对本党支部本年度工作的评价是？"
    }
    assert counted == {"优秀": 4, "合格": 1, "基本合格": 0, "不合格": 1}


def test_the_english_page_gets_an_english_workbook(auth, client, make, db, org):
    campaign = closed_review(make, db, org["first"], CHOICES)
    auth.login("secretary")
    book = book_of(client.get(f"/staff/files/campaigns/{campaign.id}/summary.xlsx?lang=en"))
    assert book.sheetnames == ["Summary"]  # counts only: no ballot-by-ballot sheet
    assert rows_of(book["Summary"])[2] == ["Question", "Choice", "Count", "Share"]
    assert book["Summary"]["D2"].value.count("-") == 2  # 2026-11-27
    cells = [c for row in rows_of(book["Summary"])[3:] for c in row]
    assert "Excellent" in cells and "优秀" not in cells


def test_each_csv_is_one_table_with_a_bom(auth, client, make, db, org):
    campaign = closed_review(make, db, org["first"], CHOICES)
    auth.login("secretary")
    tally = client.get(f"/staff/files/campaigns/{campaign.id}/tally.csv")
    assert tally.status_code == 200 and tally.mimetype == "text/csv"
    assert tally.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(tally.data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["2026年度党员评议党支部工作测评汇总表"] and rows[1][0] == "第一党支部"
    assert rows[2] == ["测评项目", "选项", "票数", "占比"]
    assert all(row and len(row) <= 4 for row in rows)  # no blank line, no second table
    assert ["您对本党支部本年度工作的评价是？", "优秀", "4", "66.7%"] in rows


def test_the_ballot_by_ballot_file_is_gone_with_a_page_saying_why(auth, client, make, db, org):
    campaign = closed_review(make, db, org["first"], CHOICES)
    auth.login("secretary")
    gone = client.get(f"/staff/files/campaigns/{campaign.id}/responses.csv?lang=en")
    assert gone.status_code == 410 and gone.mimetype == "text/html"
    assert "keeps only its counts" in gone.text and "优秀" not in gone.text


def test_fewer_than_five_responses_export_the_threshold_verdict_not_counts(
    auth, client, make, db, org
):
    campaign = closed_review(make, db, org["first"], ["excellent"] * 3 + ["competent"])
    auth.login("secretary")
    tally = client.get(f"/staff/files/campaigns/{campaign.id}/tally.csv").data.decode("utf-8-sig")
    assert "回收少于5份" in tally and "优秀" not in tally and "75" not in tally


def test_an_open_or_foreign_campaign_is_not_exported(auth, client, make, db, org):
    open_one = make.campaign(org["first"])
    foreign = closed_review(make, db, org["foreign"], CHOICES)
    auth.login("secretary")
    assert client.get(f"/staff/files/campaigns/{open_one.id}/summary.xlsx").status_code == 409
    assert client.get(f"/staff/files/campaigns/{foreign.id}/tally.csv").status_code == 404
    assert client.get(f"/staff/files/campaigns/{open_one.id}/other.csv").status_code == 404


def test_the_closed_campaign_page_links_its_files(auth, client, make, db, org):
    campaign = closed_review(make, db, org["first"], CHOICES)
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{campaign.id}")
    assert f"/staff/files/campaigns/{campaign.id}/summary.xlsx" in page.text
    assert f"/staff/files/campaigns/{campaign.id}/tally.csv" in page.text
    assert "responses.csv" not in page.text  # no ballot-by-ballot file to offer


def test_the_date_is_the_organisations_day():
    from survey.files.exports import local_date

    late = datetime(2026, 12, 31, 16, 30)  # stored as naive UTC
    assert local_date(late, "Asia/Shanghai", "zh") == "2027年1月1日"
    assert local_date(late, "UTC", "en") == "2026-12-31"


def test_the_committee_summary_lists_verdicts_shares_and_failed_criteria(
    auth, client, make, db, org
):
    held_review(make, db, org["first"], 10, 0)
    held_review(make, db, org["second"], 5, 5)
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2026")
    link = f"/staff/files/committees/{org['committee'].id}/ratings.xlsx?year=2026"
    assert link in page.text.replace("&amp;", "&")
    book = book_of(client.get(link))
    sheet = book["评定汇总"]
    rows = rows_of(sheet)
    assert rows[1][0] == "机关党委" and "2026" in rows[0][0]
    assert rows[2] == [
        "序号",
        "党支部",
        "评定结果",
        "党员评议优秀率",
        "查证属实不满意率",
        "未达标项",
        "称号",
        "说明",
    ]
    second = next(r for r in rows[3:] if r[1] == "第二党支部")
    assert second[2] == "不符合条件" and second[3] == pytest.approx(0.5)
    assert "党员评议" in second[5]
    first = next(row for row in sheet.iter_rows(min_row=4) if row[1].value == "第一党支部")
    assert first[3].value == 1 and first[3].number_format == "0.0%"
    assert sheet.freeze_panes == "A4" and sheet.column_dimensions["F"].width == 36
    assert sheet.page_setup.orientation == "landscape"
    english = book_of(client.get(link + "&lang=en"))
    second_en = next(r for r in rows_of(english.active)[3:] if r[1] == "第二党支部")
    assert second_en[2] == "not eligible" and "Members' review" in second_en[5]
    summary_csv = client.get(link.replace(".xlsx", ".csv"))
    assert summary_csv.data.startswith("\ufeff".encode()) and "50.0%" in summary_csv.text


def test_only_reviewers_and_admins_export_the_committee_summary(auth, client, org):
    auth.login("secretary")
    url = f"/staff/files/committees/{org['committee'].id}/ratings.xlsx"
    assert client.get(url).status_code == 403


def test_downloads_are_named_by_branch_year_and_form_with_an_ascii_fallback():
    from urllib.parse import quote

    from survey.files import names

    name = names.download_name("第一党支部", 2026, "member_review", "xlsx", "zh")
    assert name == "第一党支部-2026-党员评议党支部测评汇总表.xlsx"
    disposition = names.attachment(name, "campaign-9.xlsx")
    assert disposition == (
        "attachment; filename=\"campaign-9.xlsx\"; filename*=UTF-8''" + quote(name, safe="")
    )
    assert disposition.isascii()
    odd = names.download_name('A/B"C', 2026, "ratings", "csv", "en")
    assert odd == "A_B_C-2026-rating summary.csv"


def test_the_campaign_workbook_downloads_under_its_branch_year_and_form(
    auth, client, make, db, org
):
    from urllib.parse import unquote

    campaign = closed_review(make, db, org["first"], CHOICES, eligible_full=8)
    auth.login("secretary")
    answer = client.get(f"/staff/files/campaigns/{campaign.id}/summary.xlsx?lang=zh")
    disposition = answer.headers["Content-Disposition"]
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    wanted = f"{org['first'].name}-{campaign.year}-党员评议党支部测评汇总表.xlsx"
    assert unquote(encoded) == wanted
    assert f'filename="campaign-{campaign.id}.xlsx"' in disposition
