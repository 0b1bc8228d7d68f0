"""民主评议党员 in real Chromium: a branch of 12 members holds both campaigns at one meeting.

The secretary creates the branch review and the member appraisal on the web, prints one card
per member carrying both ballots (the QR codes decoded by zbarimg), opens both; each member's
phone (360x640, WeChat's browser; one with JavaScript off) answers the review, then the
appraisal offered by its receipt (two phones lose the network mid-submit and recover without
a second vote); the secretary closes both, reads the per-member results,
records final grades and downloads the 测评汇总表 opened here with openpyxl.
"""

from __future__ import annotations

import re

from appraisal_helpers import appraisal, roll
from offline import submit_through_a_cut
from openpyxl import load_workbook
from scrutineer_cards import shown_scrutineer_codes, type_scrutineer_codes
from test_meeting_in_chromium import decode_qr_codes

from survey.core.security import ballot_token
from survey.models import AuditEntry

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 640}
A4_AT_96DPI = {"width": 794, "height": 1123}
GRADES = ("excellent", "competent", "basically_competent", "incompetent")
MEMBERS, PROBATIONARY = 12, 2


def plan(voter: int) -> list[str]:
    """What voter ``voter`` gives each member, in roll order: member 1 is excellent for all,
    member 2 incompetent for 8 of 12, the rest spread over the four grades."""
    grades = []
    for member in range(MEMBERS):
        if member == 0:
            grades.append("excellent")
        elif member == 1:
            grades.append("incompetent" if voter < 8 else "basically_competent")
        else:
            grades.append(GRADES[(voter + member) % 4])
    return grades


def create(page, base, kind: str, title: str) -> str:
    page.goto(f"{base}/staff/campaigns/new")
    page.check(f"input[name=kind][value={kind}]")
    page.fill("#year", "2026")
    page.fill("#title", title)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/campaigns/\d+$"))
    return page.url


def generate_and_open_later(page, campaign_url: str) -> None:
    for count, ballot_class in ((MEMBERS - PROBATIONARY, "full"), (PROBATIONARY, "probationary")):
        page.goto(campaign_url)
        page.fill("#count", str(count))
        page.select_option("#ballot_class", ballot_class)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(campaign_url)


def open_voting(page, campaign_url: str) -> list[str]:
    """Open; the scrutineer cards shown this once (each campaign has its own)."""
    page.goto(f"{campaign_url}/open")  # the question before opening: are the cards printed?
    page.click("form[action$='/open'] button")
    page.wait_for_load_state()
    codes = shown_scrutineer_codes(page)
    assert len(codes) == 3
    return codes


def close_voting(page, campaign_url: str, codes: list[str]) -> None:
    page.goto(f"{campaign_url}/close")
    type_scrutineer_codes(page, codes[:2])
    page.click("button.danger")
    page.wait_for_load_state()


def print_both(desk, review_url: str, artefact) -> list[str]:
    """The sheet of cards carrying both ballots, printed on A4; every QR code decoded."""
    printer = desk.browser.new_context(
        viewport=A4_AT_96DPI,
        device_scale_factor=2,
        locale="zh-CN",
        storage_state=desk.storage_state(),
    )
    sheet = printer.new_page()
    sheet.goto(f"{review_url}/cards/both")
    assert sheet.locator(".ballot-card").count() == MEMBERS
    sheet.emulate_media(media="print")
    links = set()
    for number, page in enumerate(sheet.locator(".sheet").all()):
        png = artefact(f"appraisal-cards-{number}.png", keep=number == 0)
        page.screenshot(path=str(png))
        links |= decode_qr_codes(png)
    printer.close()
    return sorted(links)


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone"


def submit_on_phone(
    phone, link: str, grades: list[str], scripted=True, screenshot=None, cut=None
) -> None:
    """One member's phone: the branch review, then the appraisal its receipt offers.

    With ``cut`` ("lost" or "offline") the appraisal is submitted through a network cut
    (tests/browser/offline.py): the page keeps the grades, says so calmly and sends the same
    form again when the network is back, ending on the receipt — never "already used", never
    a second vote (the tally below counts every grade once)."""
    page = phone.new_page()
    page.goto(link)
    fits(page)
    for fieldset in page.locator("form.card fieldset").all():
        fieldset.locator("input[value=competent]").check()
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/receipt/"))
    page.click("a.next-ballot")  # 下一步：民主评议党员
    page.wait_for_url(re.compile(r"/b/"))
    assert page.locator("form.appraisal[data-keep]").count() == 1
    rows = page.locator("fieldset.member").all()
    assert len(rows) == MEMBERS
    fits(page)
    first_blank = rows[-1]
    for row, grade in zip(rows[:-1], grades[:-1], strict=True):
        row.locator(f"input[value={grade}]").check()
    if scripted:  # the live counter: one row left
        assert page.locator("[data-left]").inner_text() == "1"
    else:  # sent with a row blank: the server marks it and keeps the others
        with page.expect_navigation():
            page.click("form.appraisal button[type=submit]")
        assert page.locator("fieldset.member.invalid").count() == 1
        assert page.locator("[data-left]").inner_text() == "1"
        assert page.locator("fieldset.member input:checked").count() == MEMBERS - 1
        first_blank = page.locator("fieldset.member").all()[-1]
    first_blank.locator(f"input[value={grades[-1]}]").check()
    if scripted:
        assert page.locator("[data-left]").inner_text() == "0"
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    if cut:
        seen = submit_through_a_cut(page, phone, cut)
        assert seen["refusals_seen"] == [] and seen["left_on_phone"] == []
        if cut == "lost":  # the server took the first POST; its answer never came back
            assert seen["taken"] == [303] and seen["posts"] >= 2
    else:
        page.click("form.appraisal button[type=submit]")
    page.wait_for_url(re.compile(r"/receipt/"))
    assert page.locator("a.next-ballot").count() == 0
    page.close()


def test_a_branch_of_twelve_holds_both_campaigns_on_one_card(
    wechat_phone, signed_in, live_server, make, db, artefact
):
    from playwright.sync_api import expect

    committee = make.organisation("机关党委", "committee")
    branch = make.organisation("第一党支部", parent=committee)
    names = roll(make, branch, MEMBERS, probationary=PROBATIONARY)
    make.user("secretary", "secretary", branch)
    desk, page = signed_in("secretary")

    review_url = create(page, live_server, "member_review", "2026年度党员评议党支部工作")
    appraisal_url = create(page, live_server, "member_appraisal", "2026年度民主评议党员")
    expect(page.locator("main")).to_contain_text("名册中的12名党员")
    for url in (review_url, appraisal_url):
        generate_and_open_later(page, url)
    links = print_both(desk, review_url, artefact)
    assert len(links) == MEMBERS and all("?then=" in link for link in links)
    cards = {url: open_voting(page, url) for url in (review_url, appraisal_url)}

    with_js, without_js = wechat_phone(), wechat_phone(javascript=False)
    for voter, link in enumerate(links):
        device = without_js if voter == 5 else with_js
        shot = artefact("appraisal-360x640.png", keep=True) if voter == 0 else None
        cut = {3: "lost", 8: "offline"}.get(voter)  # two phones lose the network mid-submit
        submit_on_phone(device, link, plan(voter), device is with_js, shot, cut)

    close_voting(page, review_url, cards[review_url])
    close_voting(page, appraisal_url, cards[appraisal_url])
    page.wait_for_url(re.compile(r"/appraisal$"))
    table = page.locator("table.appraisal-results tbody tr")
    expect(table).to_have_count(MEMBERS)
    expected = [[plan(v)[m] for v in range(MEMBERS)] for m in range(MEMBERS)]
    for member in range(MEMBERS):
        cells = table.nth(member).locator("td").all_inner_texts()
        assert cells[1] == names[member]
        counts = [int(c) for c in cells[4:8]]
        assert counts == [expected[member].count(g) for g in GRADES], names[member]
    handling = page.locator("section", has_text="需处置的不合格党员")
    expect(handling).to_contain_text(names[1])
    page.screenshot(path=str(artefact("appraisal-results.png", keep=True)), full_page=True)

    # the final grades: one table, each row at the vote's suggestion; two rows set, one submit
    for member, grade, reason in (
        (0, "excellent", "全票优秀"),
        (1, "incompetent", "多数评为不合格"),
    ):
        row = table.nth(member)
        row.locator("select").select_option(grade)
        row.locator("input[name^=reason-]").fill(reason)
    chosen = page.locator("select[name^=grade-]").evaluate_all("els => els.map(e => e.value)")
    with page.expect_navigation():
        page.click("form.final-grades button[type=submit]")
    expect(table.nth(0).locator("input[name^=reason-]")).to_have_value("全票优秀")
    db.session.rollback()
    decided = db.session.query(AuditEntry).filter_by(action="appraisal.final_grade").count()
    assert decided == len([value for value in chosen if value]) >= 2

    with page.expect_download() as download:
        page.click("a[href$='/appraisal.xlsx']")
    saved = artefact("appraisal-summary.xlsx")
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(saved).active
    assert "民主评议党员测评汇总表" in sheet["A1"].value
    assert [c.value for c in sheet[3]][:8] == [
        "序号",
        "姓名",
        "类别",
        "参评人数",
        "优秀",
        "合格",
        "基本合格",
        "不合格",
    ]
    for member in range(MEMBERS):
        row = [c.value for c in sheet[4 + member]]
        assert row[1] == names[member]
        assert row[3] == MEMBERS
        assert row[4:8] == [expected[member].count(g) for g in GRADES]
    assert sheet.cell(4, 11).value == "优秀" and sheet.cell(5, 11).value == "不合格"
    assert sheet.cell(5, 10).number_format == "0.0%" and sheet.cell(5, 10).value == 8 / 12
    assert sheet.freeze_panes == "A4"


def test_the_count_follows_the_grades_after_blank_rows_are_sent_back(
    wechat_phone, live_server, make
):
    """keep.js shows the server's 400 (blank rows marked) in place: the live count and the
    marks must go on following the member's grades on that page."""
    campaign = appraisal(make, make.organisation(), 5)
    (card,) = make.ballots(campaign, 1)
    page = wechat_phone().new_page()
    page.goto(f"{live_server}/b/{ballot_token(card.id)}")
    page.locator("fieldset.member").nth(0).locator("input[value=excellent]").check()
    assert page.locator("[data-left]").inner_text() == "4"
    page.locator("form[data-keep] button[type=submit]").click()
    page.locator("fieldset.member.invalid").first.wait_for()
    assert page.locator("fieldset.member.invalid").count() == 4
    for row in (1, 2):
        page.locator("fieldset.member").nth(row).locator("input[value=competent]").check()
    assert page.locator("[data-left]").inner_text() == "2"
    assert page.locator("fieldset.member.invalid").count() == 2


def test_the_final_grades_table_fits_1280_and_scrolls_in_its_box_at_320_without_javascript(
    signed_in, live_server, make, db, artefact
):
    """40 members: at 1280 px the whole table is on the screen (or scrolls inside its box);
    at 320 px with JavaScript off the page never scrolls sideways, and a grade changed without
    a reason comes back refused beside its row, nothing saved."""
    from appraisal_helpers import grades_of
    from helpers import cast

    campaign = appraisal(make, make.organisation(), 40)
    make.user("secretary", "secretary", campaign.organisation)
    for i, card in enumerate(make.ballots(campaign, 8)):
        chosen = dict.fromkeys(range(40), "competent") | {0: "excellent"}
        cast(db.session, card.id, grades_of(campaign, chosen | ({1: "incompetent"} if i else {})))
    make.close(campaign)
    url = f"{live_server}/staff/campaigns/{campaign.id}/appraisal"

    for viewport, javascript in (({"width": 1280, "height": 860}, True), (PHONE_320, False)):
        context, page = signed_in("secretary", viewport=viewport, java_script_enabled=javascript)
        page.goto(url)
        box = page.locator("form.final-grades .table-scroll")
        edges = box.evaluate(
            "el => ({right: el.getBoundingClientRect().right, scroll: el.scrollWidth,"
            " client: el.clientWidth, page: document.documentElement.scrollWidth})"
        )
        assert edges["page"] <= viewport["width"], f"the page scrolls sideways: {edges}"
        assert edges["right"] <= viewport["width"], edges
        if viewport["width"] == 1280:
            assert edges["scroll"] <= edges["client"], f"cut at 1280 px: {edges}"
            page.screenshot(path=str(artefact("final-grades-1280.png", keep=True)))
            context.close()
            continue
        assert edges["scroll"] > edges["client"]  # at 320 px the table scrolls in its box
        row = page.locator("table.grading tbody tr").nth(0)
        assert row.locator("select").input_value() == "excellent"  # the vote's suggestion
        row.locator("select").select_option("competent")
        page.click("form.final-grades button[type=submit]")
        row = page.locator("table.grading tbody tr").nth(0)
        assert "请填写理由" in row.locator("p.error").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(artefact("final-grades-320-refused.png")), full_page=True)
        db.session.rollback()
        assert db.session.query(AuditEntry).filter_by(action="appraisal.final_grade").count() == 0
        context.close()


PHONE_320 = {"width": 320, "height": 640}


def test_the_appraisal_of_forty_prints_on_two_a4_pages_at_most_with_the_signatures_together(
    signed_in, live_server, make, db, artefact
):
    import subprocess

    from appraisal_helpers import grades_of
    from helpers import cast

    campaign = appraisal(make, make.organisation(), 40)
    make.user("secretary", "secretary", campaign.organisation)
    for card in make.ballots(campaign, 8):
        cast(db.session, card.id, grades_of(campaign, dict.fromkeys(range(40), "competent")))
    make.close(campaign)
    _context, page = signed_in("secretary", viewport=A4_AT_96DPI)
    page.goto(f"{live_server}/staff/campaigns/{campaign.id}/appraisal/print")
    page.emulate_media(media="print")
    pdf = artefact("appraisal-print.pdf")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(artefact("appraisal-a4"))])
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [text for text in pages if text.strip()]
    assert len(pages) <= 2
    last = pages[-1]
    for signer in ("主持人", "记录人", "计票人", "监票人", "日期"):
        assert signer in last, signer  # the block kept whole, at the end
    for text in pages[:-1]:  # no heading left alone at the foot of a page
        assert not text.rstrip().endswith("需处置的不合格党员")
