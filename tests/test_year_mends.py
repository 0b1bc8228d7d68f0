"""Dead ends the whole-year browser test (tests/browser/test_year_in_chromium.py) found, each
held here without a browser: a roll's row without a name is named as 姓名 (a member's name),
not 名称 (an organisation's); the new campaign's indicator items read in English on the
English page and in Chinese on the Chinese one."""

import re

from helpers import sign_in

from survey.files.roster import check_members


def test_a_roll_row_without_a_name_says_the_member_s_name_is_empty():
    checked = check_members([["姓名", "类别"], ["", "正式党员"], ["张" * 101, "预备党员"]])
    assert checked.report("zh") == ["第2行：姓名为空", "第3行：姓名超过100个字"]
    assert checked.report("en")[0] == "row 2: the member's name is empty"


def test_the_indicator_items_follow_the_page_language(client, org):
    sign_in(client, "secretary")
    chinese = client.get("/staff/campaigns/new").get_data(as_text=True)
    assert "政治功能强" in chinese and "Strong political function" not in chinese
    english = client.get("/staff/campaigns/new?lang=en").get_data(as_text=True)
    assert "Strong political function (政治功能强)" in english
    assert "Strong work with the people (群众工作强)" in english


def _export_chinese():
    from survey.files import export_words

    yield from export_words.WORDS["zh"].values()
    for table in (export_words.CHOICES, export_words.CLASSES, export_words.VERDICTS):
        yield from (entry["zh"] for entry in table.values())


def test_the_exported_files_use_the_glossary_s_terms():
    """The XLSX said 可评定 where the page says 符合条件: the files speak as the pages do."""
    from test_glossary import GLOSSARY

    found = [
        (text, variant)
        for text in _export_chinese()
        for _term, variants in GLOSSARY.values()
        for variant in variants
        if variant in text
    ]
    assert not found


def test_the_summary_xlsx_says_which_titles_were_granted(auth, client, make, db, org):
    """The page's 称号 column said 已评定为2025年度最强党支部; the file kept 推荐（第1位）."""
    from io import BytesIO

    from notice_helpers import eligible
    from openpyxl import load_workbook

    from survey.rating import titles

    eligible(make, db, org["first"], year=2025)
    titles.grant_title(db.session, "t", org["first"], 2025)
    db.session.commit()
    auth.login("reviewer")
    url = f"/staff/files/committees/{org['committee'].id}/ratings.xlsx?year=2025"
    for lang, said in (("zh", "已评定为2025年度最强党支部"), ("en", "granted for 2025")):
        sheet = load_workbook(BytesIO(client.get(f"{url}&lang={lang}").data)).active
        rows = sheet.iter_rows(min_row=4, values_only=True)
        first = next(r for r in rows if r[1] == "第一党支部")
        assert first[6] == said


def test_the_workbooks_are_ruled_as_the_paper_form(make, db, org):
    """LibreOffice printed the forms without a single line (docs/screenshots/xlsx-*.png):
    every cell of the header and the rows is bordered, the header bold and centred."""
    from io import BytesIO

    from openpyxl import load_workbook

    from survey.files import exports, imports

    campaign = make.campaign(org["first"])
    make.close(campaign)
    for content, header_row in (
        (exports.campaign_xlsx(db.session, campaign), 3),
        (exports.summary_xlsx(db.session, org["committee"], 2026), 3),
        (imports.template_xlsx("organisations"), 1),
    ):
        sheet = load_workbook(BytesIO(content)).worksheets[0]
        for row in sheet.iter_rows(min_row=header_row, max_col=sheet.max_column):
            for cell in row:
                sides = (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
                assert all(side.style == "thin" for side in sides), cell.coordinate
        header = sheet.cell(header_row, 1)
        assert header.font.bold and header.alignment.horizontal == "center"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.orientation == "landscape"


HALF_WIDTH_COLON = re.compile(r"[\u4e00-\u9fff）]: ")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_the_reviewer_s_chinese_pages_use_full_width_colons_and_chinese_dates(
    auth, client, make, db, org
):
    """The committee page read 评定方案: …, 推荐名单（好中选优）: … and its notice
    2026-11-21至2026-11-25公示 · 1: now 评定方案：…, 2026年11月21日至… · 列入1个党支部."""
    from notice_helpers import eligible, published

    eligible(make, db, org["first"])
    published(db, org["committee"], [org["first"]])
    auth.login("reviewer")
    committee = f"/ratings/committees/{org['committee'].id}?year=2026"
    for url in (committee, f"/ratings/branches/{org['first'].id}?year=2026"):
        text = _visible(client.get(url).get_data(as_text=True))
        assert not HALF_WIDTH_COLON.findall(text), url
        assert not ISO_DAY.findall(text), url
    text = _visible(client.get(committee).get_data(as_text=True))
    assert "评定方案：" in text and "列入1个党支部" in text
    english = _visible(client.get(committee + "&lang=en").get_data(as_text=True))
    assert "Scheme: " in english and "Recommended, best first: " in english


def test_the_english_chart_leaves_room_for_its_longest_label(auth, client, make, db, org):
    """ "Basically competent" ran over its figure on the English results page."""
    from helpers import held_review

    campaign = held_review(make, db, org["first"], 3, 3)
    auth.login("secretary")
    url = f"/staff/campaigns/{campaign.id}/results"
    english = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'viewBox="0 0 350 ' in english and '<rect x="140" ' in english
    chinese = client.get(url + "?lang=zh").get_data(as_text=True)
    assert 'viewBox="0 0 320 ' in chinese and '<rect x="110" ' in chinese


def test_the_minutes_name_the_year_in_full_width_brackets(auth, client, make, db, org):
    """The minutes read 2026年度党员评议党支部工作大会 (2026): now （2026年度） in Chinese."""
    from helpers import held_review

    campaign = held_review(make, db, org["first"], 3, 3)
    auth.login("secretary")
    url = f"/staff/campaigns/{campaign.id}/minutes"
    assert "（2026年度）" in client.get(url + "?lang=zh").get_data(as_text=True)
    assert "党支部工作 (2026)" in client.get(url + "?lang=en").get_data(as_text=True)
