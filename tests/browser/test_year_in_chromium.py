"""A secretary's and a reviewer's whole year in real Chromium, from the demo as `make run`
loads it, clicking only the links and buttons a person sees: the only addresses typed are the
sign-in page and the card links read (by zbarimg) from the printed sheet.

The secretary imports the member roll (a bad file first), creates the year's review with the
roll's numbers, previews it, prints the cards, opens voting, members vote on phones, the
projector counts them, the secretary closes and seals, reads the minutes and downloads the
XLSX and CSV. The reviewer verifies a complaint, enters an assessment, publishes the proposed
list, grants a title after the notice period and downloads the committee summary. Each in
Chinese; the secretary's year once more in English through the language switch."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from scrutineer_cards import shown_scrutineer_codes, type_scrutineer_codes
from test_meeting_in_chromium import decode_qr_codes

from survey.core.transactions import run_in_transaction
from survey.demo import LOGINS, load_demo

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 740}
A4_AT_96DPI = {"width": 794, "height": 1123}
PASSWORDS = {username: password for username, _r, _o, password in LOGINS}
ROLL_FULL, ROLL_PROBATIONARY = 12, 2

WORDS = {
    "zh": {
        "lang": "zh",
        "roll": "党员名册",
        "import": "导入党员名册",
        "refused": "未导入任何数据",
        "row": "第{n}行：",
        "imported": "已导入14行",
        "new": "新建评议活动",
        "title": "2026年度党员评议党支部工作大会",
        "preview": "预览票面",
        "back": "返回",
        "generate": "生成评议票",
        "cards": "打印评议票",
        "open": "开始投票",
        "projector": "投影显示",
        "turnout": "应到14人，已投票3人",
        "close": "结束投票并封存结果",
        "minutes": "会议记录",
        "quorum": "参评人数未过半数",
        "xlsx": "测评汇总表（.xlsx）",
        "csv": "汇总（.csv）",
        "form": "测评汇总表",
        "headers": ["测评项目", "选项", "票数", "占比"],
        "campaigns": "评议活动",
    },
    "en": {
        "lang": "en",
        "roll": "Member rolls",
        "import": "Import the member roll",
        "refused": "Nothing was imported",
        "row": "row {n}: ",
        "imported": "Imported 14 rows",
        "new": "New campaign",
        "title": "2026 annual review meeting",
        "preview": "Preview",
        "back": "Back",
        "generate": "Generate cards",
        "cards": "Print the cards",
        "open": "Open voting",
        "projector": "Projector",
        "turnout": "Voted 3 / expected 14",
        "close": "Close voting and seal",
        "minutes": "Minutes",
        "quorum": "No quorum",
        "xlsx": "(.xlsx)",
        "csv": "(.csv)",
        "form": "Review summary",
        "headers": ["Question", "Choice", "Count", "Share"],
        "campaigns": "Campaigns",
    },
}


def roll_xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "类别"])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROLL = [[f"党员{n:02d}", "正式党员"] for n in range(1, ROLL_FULL + 1)]
GOOD_ROLL += [[f"预备{n}", "预备党员"] for n in range(1, ROLL_PROBATIONARY + 1)]
BAD_ROLL = [["张三", "正式党员"], ["", "正式党员"], ["李四", "群众"]]


def sign_in(browser, base: str, username: str, lang: str):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/staff/")
    if lang == "en":
        page.click("a[hreflang=en], a:text-is('English')")
        page.wait_for_load_state()
    return context, page


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# the roll's columns as the file has them, and a term glossed in brackets: Full members (应到…)
FILE_WORDS = re.compile(r"姓名|类别|正式党员|预备党员|入党时间|\([^)]*\)")
CHROME = "button, label, nav a, th, legend, .hint"  # the page's own words, not the data


# each element's text without the options of a select inside it (the titles of the official
# documents a scheme comes from are data, as names are)
OWN_WORDS = """selector => [...document.querySelectorAll(selector)].map(element => {
    const copy = element.cloneNode(true);
    copy.querySelectorAll("select").forEach(select => select.remove());
    return copy.textContent;
})"""


def in_language(page, lang: str) -> None:
    """On an English page no button, label, link of the menu, header or hint is Chinese
    (an untranslated word); on a Chinese page the html says zh-CN."""
    assert page.get_attribute("html", "lang") == ("en" if lang == "en" else "zh-CN"), page.url
    if lang == "en":
        texts = page.evaluate(OWN_WORDS, CHROME)
        chinese = [t for t in texts if CJK.search(FILE_WORDS.sub("", t)) and t.strip() != "中文"]
        assert not chinese, f"untranslated on {page.url}: {chinese}"


def nav(page, text: str) -> None:
    page.locator("nav a", has_text=text).first.click()
    page.wait_for_load_state()


def upload(page, name: str, content: bytes) -> None:
    page.set_input_files(
        "input[type=file]",
        {"name": name, "mimeType": "application/octet-stream", "buffer": content},
    )
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()


def import_the_roll(page, w, artefact) -> None:
    from playwright.sync_api import expect

    nav(page, w["roll"])
    page.locator("main a", has_text=w["import"]).first.click()
    upload(page, "roll-bad.xlsx", roll_xlsx(BAD_ROLL))
    refusal = page.locator("section.refusal")
    expect(refusal).to_contain_text(w["refused"])
    in_language(page, w["lang"])
    problems = page.locator("ul.problems li").all_inner_texts()
    assert [p.split("：" if "：" in p else ":")[0] for p in problems] == [
        w["row"].format(n=n).rstrip("：: ") for n in (3, 4)
    ], problems
    shot = artefact(f"roll-refused-{w['lang']}.png", keep=w["lang"] == "zh")
    page.screenshot(path=str(shot), full_page=True)
    upload(page, "roll.xlsx", roll_xlsx(GOOD_ROLL))
    expect(page.locator("section.card[data-done]")).to_contain_text(w["imported"])


def create_the_review(page, w) -> str:
    page.locator("nav a", has_text=w["new"]).first.click()
    in_language(page, w["lang"])
    assert page.input_value("#eligible_full") == str(ROLL_FULL), "the roll fills the form"
    assert page.input_value("#eligible_probationary") == str(ROLL_PROBATIONARY)
    page.fill("#title", w["title"])
    page.check("input[name=indicators] >> nth=0")
    page.click("form.card button[type=submit]")
    # the demo has a 2026 review of this branch already: the page asks before a second one
    in_language(page, w["lang"])
    page.check("input[name=second]")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/campaigns/\d+$"))
    return page.url


def preview(page, w) -> None:
    page.locator("main a", has_text=w["preview"]).first.click()
    assert page.locator("fieldset").count() >= 2  # the overall grade and the ticked item
    # the items are asked in the words the campaign stores (政治功能强): data, not the page's
    assert page.get_attribute("html", "lang") == ("en" if w["lang"] == "en" else "zh-CN")
    page.go_back()


def print_cards(page, artefact) -> set[str]:
    """Click the sheet's link, render it as printed on A4 and decode its first page."""
    page.fill("#count", str(ROLL_FULL))
    page.select_option("#ballot_class", "full")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    with page.context.expect_page() as opened:
        page.locator("main a[href$='/cards']").first.click()  # opens in a new tab
    sheet = opened.value
    sheet.wait_for_load_state()
    sheet.set_viewport_size(A4_AT_96DPI)
    assert sheet.locator(".ballot-card").count() == ROLL_FULL
    sheet.emulate_media(media="print")
    first_page = artefact("year-cards-a4.png")
    sheet.locator(".sheet").first.screenshot(path=str(first_page))
    sheet.close()
    return decode_qr_codes(first_page)


def vote_from_phones(browser, links) -> None:
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    for link in links:
        ballot = phone.new_page()
        ballot.goto(link)
        for fieldset in ballot.locator("form.card fieldset").all():
            fieldset.locator("input[value=excellent]").check()
        assert ballot.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        ballot.click("form.card button[type=submit]")
        ballot.wait_for_url(re.compile(r"/receipt/"))
        ballot.close()
    phone.close()


def check_xlsx(content: bytes, w) -> None:
    book = load_workbook(BytesIO(content))
    sheet = book.worksheets[0]
    assert w["form"] in sheet["A1"].value
    assert [c.value for c in sheet[3]][:4] == w["headers"]
    assert sheet.freeze_panes == "A4"
    shares = [row[3] for row in sheet.iter_rows(min_row=4) if row[3].value is not None]
    assert shares and all(cell.number_format == "0.0%" for cell in shares)


def check_csv(content: bytes, w) -> None:
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert w["form"] in rows[0][0]
    assert rows[2][:4] == w["headers"]
    assert any(re.fullmatch(r"\d+\.\d%", row[3]) for row in rows[3:] if len(row) > 3)


def download(page, text: str) -> bytes:
    with page.expect_download() as started:
        page.locator("main a", has_text=text).first.click()
    return Path(started.value.path()).read_bytes()


def open_and_watch_the_projector(browser, page, links, w) -> list[str]:
    """Voting opens (the scrutineer cards are shown this once: returned); three members vote
    from phones while the projector, in its own tab, counts them without a reload."""
    from playwright.sync_api import expect

    campaign_url = page.url
    page.locator("main a", has_text=w["open"]).last.click()
    page.wait_for_load_state()
    page.locator("main button", has_text=w["open"]).last.click()  # 评议票已打印，开始投票
    page.wait_for_load_state()
    codes = shown_scrutineer_codes(page)
    assert len(codes) == 3, "opening shows the scrutineer cards not printed before"
    page.goto(campaign_url)
    with page.context.expect_page() as opened:
        page.locator("main a", has_text=w["projector"]).first.click()  # a new tab
    projector = opened.value
    in_language(projector, w["lang"])
    expect(projector.locator("#cast")).to_have_text("0")
    projector.evaluate("window.notReloaded = true")
    vote_from_phones(browser, sorted(links)[:3])
    expect(projector.locator("#cast")).to_have_text("3", timeout=15_000)
    expect(projector.locator(".projector-figure")).to_contain_text(w["turnout"])
    assert projector.evaluate("window.notReloaded") is True, "turnout is polled, not reloaded"
    projector.close()
    page.reload()
    return codes


def close_seal_and_read_the_minutes(page, campaign_url, w, artefact, codes) -> None:
    from playwright.sync_api import expect

    lang = w["lang"]
    in_language(page, lang)
    page.locator("main a", has_text=w["close"]).first.click()  # the confirmation page
    in_language(page, lang)
    type_scrutineer_codes(page, codes[1:])
    page.click("button.danger")
    page.wait_for_url(f"{campaign_url}/results")
    in_language(page, lang)
    shot = artefact(f"results-{lang}.png", keep=lang == "en")
    page.screenshot(path=str(shot), full_page=True)
    page.locator("main a", has_text=w["minutes"]).first.click()
    expect(page.locator("h1")).to_contain_text(w["minutes"])
    expect(page.locator("p.quorum")).to_contain_text(w["quorum"])
    in_language(page, lang)
    page.go_back()


def secretary_year(browser, base, lang, artefact) -> None:
    w = WORDS[lang]
    context, page = sign_in(browser, base, "secretary", lang)
    import_the_roll(page, w, artefact)
    campaign_url = create_the_review(page, w)
    preview(page, w)
    links = print_cards(page, artefact)
    assert len(links) == 8, "every QR code of the first printed page decodes"
    assert all(link.startswith(f"{base}/b/") for link in links)
    in_language(page, lang)
    codes = open_and_watch_the_projector(browser, page, links, w)
    close_seal_and_read_the_minutes(page, campaign_url, w, artefact, codes)
    page.locator("nav a", has_text=w["campaigns"]).first.click()
    page.locator("main a", has_text=w["title"]).first.click()
    in_language(page, lang)
    check_xlsx(download(page, w["xlsx"]), w)
    check_csv(download(page, w["csv"]), w)
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_secretary_s_whole_year_from_the_demo(browser, live_server, db, artefact, lang):
    run_in_transaction(db.session, lambda: load_demo(db.session, base_url=live_server))
    secretary_year(browser, live_server, lang, artefact)


REVIEWER_WORDS = {
    "zh": {
        "lang": "zh",
        "complaints": "不满意意见",
        "unchecked": "尚未查证",
        "ratings": "评定",
        "heading": "评定 2025",
        "assess": "录入或修改2025年度的组织评定",
        "save": "保存",
        "grade": "组织评定等次：优秀",
        "verdicts": {"符合条件", "不符合条件", "待定"},
        "recommended": r"推荐名单（好中选优）：\s*第一党支部",
        "publish": "将推荐名单进行公示",
        "grant": "授予2025年度称号",
        "history": "称号记录",
        "xlsx": "评定汇总表（.xlsx）",
        "form": "评定汇总表",
        "header": ["序号", "党支部", "评定结果", "党员评议优秀率"],
        "eligible": "符合条件",
        "granted": "已评定为2025年度最强党支部",
    },
    "en": {
        "lang": "en",
        "complaints": "Complaints",
        "unchecked": "Not checked yet",
        "ratings": "Ratings",
        "heading": "Ratings 2025",
        "assess": "Enter or change the assessment for 2025",
        "save": "Save",
        "grade": "Committee grade: Excellent",
        "verdicts": {"eligible", "not eligible", "pending"},
        "recommended": r"Recommended, best first:\s*第一党支部",
        "publish": "Publish the recommended list for public notice",
        "grant": "Grant the title for 2025",
        "history": "Title history",
        "xlsx": "Rating summary (.xlsx)",
        "form": "Rating summary",
        "header": ["No.", "Branch", "Verdict", "Members' excellent share"],
        "eligible": "eligible",
        "granted": "granted for 2025",
    },
}


def verify_the_complaint(page, w) -> None:
    """群众评判: the 2025 poll of 社区党支部 has one complaint still unchecked."""
    nav(page, w["complaints"])
    in_language(page, w["lang"])
    page.locator("main a", has_text="社区党支部2025年度群众满意度测评").first.click()
    in_language(page, w["lang"])
    unchecked = page.locator(".card", has_text=w["unchecked"]).first
    unchecked.locator("input[value=unfounded]").check()
    unchecked.locator("textarea[name=note]").fill("经走访核实，路灯已于当月修复")
    unchecked.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"text={w['unchecked']}").count() == 0


def the_committee_in(page, w) -> None:
    nav(page, w["ratings"])
    page.locator("main a", has_text="2025").first.click()
    page.wait_for_load_state()
    assert w["heading"] in page.locator("h1").inner_text()
    in_language(page, w["lang"])


def assess(page, w) -> str:
    """组织评定 and 社会评价 of 社区党支部 through the form; the verdict it leads to."""
    page.locator("main table a", has_text="社区党支部").first.click()
    in_language(page, w["lang"])
    page.locator("main a", has_text=w["assess"]).click()
    in_language(page, w["lang"])
    page.select_option("select[name=organisation_grade]", "excellent")
    page.fill("input[name='social-0-department']", "信访")
    page.fill("input[name='social-0-note']", "无反馈问题")
    page.locator("main button", has_text=w["save"]).click()
    page.wait_for_load_state()
    assert w["grade"] in page.locator("main").inner_text()
    return page.locator(".card .verdict").inner_text()


def publish_the_notice(page, db, w) -> None:
    """The recommended list on public notice for 5 days; the days then pass (in the
    database: a browser cannot wait five days)."""
    from survey.models import Notice
    from survey.rating import notice as notice_dates

    page.fill("input[name=days]", "5")
    page.fill("input[name=contact_person]", "王芳")
    page.fill("input[name=contact_phone]", "0477-8581234")
    page.fill("input[name=contact_address]", "机关党委办公室")
    page.locator("main button", has_text=w["publish"]).click()
    page.wait_for_load_state()
    in_language(page, w["lang"])
    assert "/n/" in page.locator("a.notice-link").get_attribute("href")
    db.session.rollback()
    notice = db.session.query(Notice).one()
    passed = notice.closes_on - (notice_dates.today() - timedelta(days=1))  # ended yesterday
    notice.opens_on -= passed
    notice.closes_on -= passed
    db.session.commit()


def grant(page, w) -> None:
    page.locator("main table a", has_text="第一党支部").first.click()
    page.locator("main button", has_text=w["grant"]).click()
    page.wait_for_load_state()
    record = page.locator(f"h2:has-text('{w['history']}') + .card").first.inner_text()
    assert "2025" in record, record


def check_summary_xlsx(content: bytes, w) -> None:
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    assert w["form"] in sheet["A1"].value and "2025" in sheet["A1"].value
    assert sheet["A2"].value == "示范机关党委"
    assert [c.value for c in sheet[3]][:4] == w["header"]
    assert sheet.freeze_panes == "A4"
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=4)}
    assert set(rows) == {"第一党支部", "第二党支部", "社区党支部"}
    first = rows["第一党支部"]
    assert first[2].value == w["eligible"]
    assert first[3].number_format == "0.0%" and first[3].value == 1.0
    assert first[6].value == w["granted"], "the title granted shows"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_reviewer_s_whole_year_from_the_demo(browser, live_server, db, artefact, lang):
    from playwright.sync_api import expect

    w = REVIEWER_WORDS[lang]
    run_in_transaction(db.session, lambda: load_demo(db.session, base_url=live_server))
    context, page = sign_in(browser, live_server, "reviewer", lang)
    verify_the_complaint(page, w)
    the_committee_in(page, w)
    assert assess(page, w) in w["verdicts"]
    the_committee_in(page, w)
    expect(page.locator("main")).to_contain_text(re.compile(w["recommended"]))
    publish_the_notice(page, db, w)
    the_committee_in(page, w)
    grant(page, w)
    the_committee_in(page, w)
    shot = artefact(f"committee-granted-{lang}.png", keep=lang == "zh")
    page.screenshot(path=str(shot), full_page=True)
    check_summary_xlsx(download(page, w["xlsx"]), w)
    context.close()
