"""The Done-when path of issue 4, in real Chromium: from the demo login a secretary creates a
campaign, prints 30 cards (whose QR codes decode to working ballot links), opens voting,
watches the projector count votes cast from a 360x740 phone, closes and prints the minutes."""

from __future__ import annotations

import re
import subprocess

from scrutineer_cards import shown_scrutineer_codes, type_scrutineer_codes

from survey.core.transactions import run_in_transaction
from survey.demo import load_demo

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 740}
A4_AT_96DPI = {"width": 794, "height": 1123}
ZBARIMG = "/usr/bin/zbarimg"


def decode_qr_codes(png_path) -> set[str]:
    """Every QR code zbarimg (Debian's zbar-tools) finds in the image. OpenCV's detector was
    tried first: it misses 1-4 % of perfect synthetic codes, whatever the mask."""
    # QR codes only: with every symbology on, the cut lines and text of a full sheet were now
    # and then read as a one-dimensional code (13 "links" decoded from 12 cards)
    qr_only = ["-Sdisable", "-Sqrcode.enable"]
    found = subprocess.run(
        [ZBARIMG, "--quiet", "--raw", *qr_only, str(png_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {line.strip() for line in found.stdout.splitlines() if line.strip()}


def sign_in(page, base):
    page.goto(f"{base}/login")
    page.fill("#username", "secretary")
    page.fill("#password", "demo-secretary-2026")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def create_campaign(page) -> str:
    page.click("main a.button")  # 新建评议
    page.fill("#year", "2026")
    page.fill("#title", "2026年度党员评议党支部工作大会")
    page.fill("#eligible_full", "28")
    page.fill("#eligible_probationary", "2")
    page.check("input[value=political]")
    page.check("input[value=team]")
    page.click("form.card button[type=submit]")
    # the demo has a 2026 review of this branch already: the page asks before a second one
    page.check("input[name=second]")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/campaigns/\d+$"))
    return page.url


def a_new_review_with_cards(browser, live_server, db, count: int, lang: str = "zh"):
    """The demo loaded; the secretary signed in at a desk (in ``lang``, through the language
    switch), a new review made and ``count`` full members' cards generated. Returns (desk,
    page, campaign URL)."""
    run_in_transaction(db.session, lambda: load_demo(db.session, base_url=live_server))
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = desk.new_page()
    sign_in(page, live_server)
    if lang != "zh":
        page.click(f"a[hreflang={lang}]")
        page.wait_for_load_state()
    campaign_url = create_campaign(page)
    page.fill("#count", str(count))
    page.select_option("#ballot_class", "full")
    page.click("form.stack button[type=submit]")
    return desk, page, campaign_url


def open_with_cards_printed(page, campaign_url) -> None:
    """开始投票, answered 评议票已打印 (the scrutineer cards printed already: no sheet shown)."""
    page.goto(campaign_url)
    page.click("main a.button[href$='/open']")  # the question: are the cards printed?
    page.click("form[action$='/open'] button[type=submit]")
    page.wait_for_url(campaign_url)


def print_cards(desk, campaign_url, artefact) -> set[str]:
    """Render the sheet as printed on A4 and decode the QR codes of its first page."""
    printer = desk.browser.new_context(
        viewport=A4_AT_96DPI,
        device_scale_factor=2,
        locale="zh-CN",
        storage_state=desk.storage_state(),
    )
    sheet = printer.new_page()
    sheet.goto(f"{campaign_url}/cards")
    assert sheet.locator(".ballot-card").count() == 30
    sheet.emulate_media(media="print")
    sheet.pdf(path=str(artefact("cards.pdf")), format="A4", print_background=True)
    first_page = artefact("cards-a4.png", keep=True)
    sheet.locator(".sheet").first.screenshot(path=str(first_page))
    printer.close()
    return decode_qr_codes(first_page)


def assert_fits_a_phone(browser, desk, urls) -> None:
    narrow = browser.new_context(viewport=PHONE, locale="zh-CN", storage_state=desk.storage_state())
    page = narrow.new_page()
    for url in urls:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} scrolls sideways on a phone"
    narrow.close()


def vote_from_a_phone(phone, link, screenshot=None) -> None:
    page = phone.new_page()
    page.goto(link)
    for fieldset in page.locator("form.card fieldset").all():
        fieldset.locator("input[value=excellent]").check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the ballot page scrolls sideways on a phone"
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/receipt/"))
    page.close()


def test_a_secretary_runs_the_meeting_from_demo_login_to_minutes(
    browser, live_server, db, artefact
):
    from playwright.sync_api import expect

    desk, page, campaign_url = a_new_review_with_cards(browser, live_server, db, 30)
    expect(page.locator("p.notice")).to_contain_text("30")
    page.screenshot(path=str(artefact("secretary-campaign.png", keep=True)), full_page=True)

    staff = f"{live_server}/staff"
    assert_fits_a_phone(browser, desk, [f"{staff}/", f"{staff}/campaigns/new", campaign_url])
    links = print_cards(desk, campaign_url, artefact)
    assert len(links) == 8, "every QR code of the first printed page decodes"
    assert all(link.startswith(f"{live_server}/b/") for link in links)

    page.click("text=开始投票 >> nth=-1")  # a link: the question first, nothing opened yet
    expect(page.locator("h1")).to_have_text("评议票打印好了吗？")
    page.click("text=评议票已打印，开始投票")
    page.wait_for_load_state()
    codes = shown_scrutineer_codes(page)  # no scrutineer card printed before: shown now
    assert len(codes) == 3
    projector = desk.new_page()
    projector.goto(f"{campaign_url}/projector")
    expect(projector.locator(".projector-figure")).to_contain_text("应到30人，已投票0人")
    projector.evaluate("window.notReloaded = true")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    for number, link in enumerate(sorted(links)[:3]):
        shot = artefact("ballot-360x740.png", keep=True) if number == 0 else None
        vote_from_a_phone(phone, link, shot)
    expect(projector.locator("#cast")).to_have_text("3", timeout=15_000)
    assert projector.evaluate("window.notReloaded") is True, "turnout is polled, not reloaded"
    projector.screenshot(path=str(artefact("projector.png", keep=True)))

    page.goto(campaign_url)
    page.click("text=结束投票并封存结果")  # leads to the confirmation page
    type_scrutineer_codes(page, [codes[2], codes[0]])
    page.click("button.danger")
    page.wait_for_url(f"{campaign_url}/results")
    expect(page.locator("svg.chart")).to_have_count(0)  # 3 votes: the verdict, no counts
    expect(page.locator("[data-verdict=below_threshold]")).to_have_count(1)
    page.screenshot(path=str(artefact("results.png", keep=True)), full_page=True)

    assert_fits_a_phone(browser, desk, [f"{campaign_url}/results", f"{campaign_url}/projector"])
    page.goto(f"{campaign_url}/minutes")
    digest = page.locator(".digest code").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    expect(page.locator("h1")).to_contain_text("会议记录")
    expect(page.locator("p.quorum")).to_contain_text("参评人数未过半数")
    page.emulate_media(media="print")
    page.screenshot(path=str(artefact("minutes.png", keep=True)), full_page=True)
    phone.close()
    desk.close()
