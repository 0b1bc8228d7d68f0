"""A roster as the branch office makes it, imported by the secretary in Chromium (zh, en): a merged
title row, 序号/性别/入党时间/联系电话 columns, 预备/正式, "李　明", and two 赵磊 who joined in
different years. One confirmation imports it; the page shows the new counts; the roll page
lists the members (320 px, JavaScript off); a new appraisal's ballot tells the 赵磊 apart."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook
from test_appraisal_in_chromium import create
from test_year_in_chromium import in_language

DESKTOP = {"width": 1280, "height": 860}
NARROW = {"width": 320, "height": 640}
WORDS = {
    "zh": {
        "roll": "党员名册",
        "import": "导入党员名册",
        "duplicates": "以下姓名有重名",
        "rows": "“赵磊”：第4、6行",
        "ignored": "序号、性别、联系电话",
        "imported": "已导入5行",
        "see": "查看名册",
        "joined": "2010年7月1日",
        "joined_later": "2024年7月1日",
        "same": "赵磊（同名）",
        "edit": "编辑",
        "saved": "已保存刘洋的信息",
        "homonym": "赵磊（{}年入党）",
    },
    "en": {
        "roll": "Member rolls",
        "import": "Import the member roll",
        "duplicates": "These names are held by more than one member",
        "rows": '"赵磊": rows 4, 6',
        "ignored": "序号, 性别, 联系电话",
        "imported": "Imported 5 rows",
        "see": "See the roll",
        "joined": "2010-07-01",
        "joined_later": "2024-07-01",
        "same": "赵磊 (same name)",
        "edit": "Edit",
        "saved": "刘洋 was saved",
        "homonym": "赵磊 (joined the Party in {})",
    },
}


def office_roster() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["第一党支部党员花名册"])
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "姓名", "性别", "类别", "入党时间", "联系电话"])
    sheet.append([1, "李　明", "男", "正式", datetime(2010, 7, 1), "13800000001"])
    sheet.append([2, "赵磊", "男", "正式", datetime(2015, 6, 30), "13800000002"])
    sheet.append([3, "王芳", "女", "预备", None, "13800000003"])
    sheet.append([4, "赵磊", "男", "正式", datetime(2023, 7, 1), "13800000004"])
    sheet.append([5, "刘洋", "男", "预备", "2024年7月", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_messy_roster_is_imported_after_one_confirmation(
    browser, signed_in, live_server, make, lang
):
    from playwright.sync_api import expect

    w = WORDS[lang]
    committee = make.organisation("机关党委", "committee")
    branch = make.organisation("第一党支部", parent=committee)
    make.user("secretary", "secretary", branch)
    desk, page = signed_in("secretary", lang)

    page.click(f"nav.staff-nav >> text={w['roll']}")
    page.click(f"main >> text={w['import']}")
    expect(page.locator("p.roll-counts")).to_have_attribute("data-full", "0")
    roster = {"name": "党员名册.xlsx", "mimeType": "application/octet-stream"}
    page.set_input_files("input[type=file]", {**roster, "buffer": office_roster()})
    page.click("form.stack button[type=submit]")
    main = page.locator("main")
    expect(main).to_contain_text(w["duplicates"])
    expect(page.locator("ul.duplicate-names")).to_contain_text(w["rows"])
    expect(page.locator("p.ignored-columns")).to_contain_text(w["ignored"])
    in_language(page, lang)
    page.set_viewport_size(NARROW)  # the question fits a phone too
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    page.set_viewport_size(DESKTOP)
    page.click("button[name=confirmed]")
    expect(page.locator("[data-done]")).to_contain_text(w["imported"])
    counts = page.locator("p.roll-counts")
    expect(counts).to_have_attribute("data-full", "3")
    expect(counts).to_have_attribute("data-probationary", "2")

    page.click(f"[data-done] >> text={w['see']}")
    rows = page.locator("table.roll tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_contain_text("李明")
    expect(rows.nth(0)).to_contain_text(w["joined"])
    expect(rows.nth(3)).to_contain_text(w["same"])
    expect(rows.nth(4)).to_contain_text(w["joined_later"])
    in_language(page, lang)
    roll_url = page.url

    narrow = browser.new_context(
        viewport=NARROW,
        java_script_enabled=False,
        storage_state=desk.storage_state(),
    )
    phone = narrow.new_page()
    phone.goto(roll_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    phone.locator("table.roll tbody tr").nth(4).locator(f"text={w['edit']}").click()
    phone.fill("#name", "刘　洋")
    phone.click("form.stack button[type=submit]")
    phone.wait_for_url(roll_url)
    expect(phone.locator("p.notice[role=status]")).to_contain_text(w["saved"])
    narrow.close()

    appraisal_url = create(page, live_server, "member_appraisal", "2026年度民主评议党员")
    page.goto(f"{appraisal_url}/preview")
    legends = page.locator("fieldset.member legend")  # names are data; the label is words
    expect(legends).to_have_count(5)
    expect(legends.nth(1)).to_contain_text(w["homonym"].format(2015))
    expect(legends.nth(3)).to_contain_text(w["homonym"].format(2023))
    expect(legends.nth(0)).to_contain_text("李明")
    assert w["homonym"].format(2015) in page.content()
