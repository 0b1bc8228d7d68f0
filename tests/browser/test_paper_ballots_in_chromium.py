"""Paper ballots in real Chromium, in Chinese and in English: the secretary prints the cards
and their paper ballots on A4, phones vote with 6 cards, a teller types the 2 paper ballots on
the teller page (keyboard only: the Enter key sends each), the close takes two scrutineer
cards, and the results and the minutes show 6 by phone and 2 on paper."""

from __future__ import annotations

import re

import pytest
from scrutineer_cards import type_scrutineer_codes
from test_meeting_in_chromium import (
    A4_AT_96DPI,
    PHONE,
    a_new_review_with_cards,
    decode_qr_codes,
    open_with_cards_printed,
    vote_from_a_phone,
)
from test_scrutineers_in_chromium import print_scrutineer_cards

HALF_A4_PX = 148.5 * 96 / 25.4  # the height of half an A4 page at 96 dpi
WORDS = {
    "zh": {"locale": "zh-CN", "phone": "手机投票6张", "paper": "纸质票2张"},
    "en": {"locale": "en-GB", "phone": "by phone 6", "paper": "paper ballots 2"},
}


def print_cards_and_paper_ballots(desk, campaign_url, artefact) -> dict[str, str]:
    """Print the sheet with its paper ballots (the sheet's 打印纸质票 link) to PDF; returns
    {short code: ballot link}, each card's QR code decoded from its own screenshot."""
    printer = desk.browser.new_context(
        viewport=A4_AT_96DPI,
        device_scale_factor=2,
        locale="zh-CN",
        storage_state=desk.storage_state(),
    )
    sheet = printer.new_page()
    sheet.goto(f"{campaign_url}/cards")
    sheet.click("a[href$='?paper=1']")
    sheet.wait_for_url(re.compile(r"\?paper=1$"))
    papers = sheet.locator(".paper-ballot")
    assert papers.count() == 8 and "无记名评议" in papers.first.inner_text()
    for box in (papers.nth(i).bounding_box() for i in range(2)):
        assert box["height"] <= HALF_A4_PX, "a paper ballot is more than half an A4 page"
    sheet.emulate_media(media="print")
    sheet.pdf(path=str(artefact("paper-ballots.pdf")), format="A4", print_background=True)
    papers.first.screenshot(path=str(artefact("paper-ballot.png", keep=True)))
    links = {}
    for number, card in enumerate(sheet.locator(".ballot-card").all()):
        png = artefact(f"paper-card-{number}.png")
        card.screenshot(path=str(png))
        (link,) = decode_qr_codes(png)
        links[card.get_attribute("data-code")] = link
    paper_codes = papers.evaluate_all("els => els.map(e => e.dataset.code)")
    assert paper_codes == list(links)  # one paper ballot per card, the same code, same order
    printer.close()
    return links


def type_paper_ballot(page, code: str, grade: str) -> None:
    """Keyboard only: the code, a mark in every question, Enter."""
    from playwright.sync_api import expect

    page.fill("#code", code)
    for fieldset in page.locator("form.paper-entry fieldset").all():
        fieldset.locator(f"input[value={grade}]").check()
    page.press("#code", "Enter")
    page.wait_for_url(re.compile(r"/paper\?entered="))
    expect(page.locator("p.entered")).to_be_visible()
    expect(page.locator("#code")).to_have_value("")  # the next empty form


def channel_counts(page) -> tuple[str, str]:
    return (
        page.locator("tr[data-channel=phone] td").inner_text(),
        page.locator("tr[data-channel=paper] td").inner_text(),
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_paper_ballots_are_printed_typed_by_a_teller_and_counted_beside_phones(
    browser, live_server, db, artefact, lang
):
    from playwright.sync_api import expect
    from test_year_in_chromium import in_language

    w = WORDS[lang]
    desk, page, campaign_url = a_new_review_with_cards(browser, live_server, db, 8, lang)
    links = print_cards_and_paper_ballots(desk, campaign_url, artefact)
    scrutineer_codes, _scanned = print_scrutineer_cards(desk, page, artefact)

    open_with_cards_printed(page, campaign_url)
    codes = sorted(links)
    phone = browser.new_context(viewport=PHONE, locale=w["locale"], is_mobile=True, has_touch=True)
    for code in codes[:6]:
        vote_from_a_phone(phone, links[code])
    phone.close()

    page.goto(campaign_url)
    page.click("a[href$='/paper']")
    page.wait_for_url(f"{campaign_url}/paper")
    type_paper_ballot(page, codes[6], "competent")
    type_paper_ballot(page, codes[7].lower().replace("-", ""), "excellent")
    page.fill("#code", codes[0])  # a card a phone used: refused, on the page
    for fieldset in page.locator("form.paper-entry fieldset").all():
        fieldset.locator("input[value=competent]").check()
    page.press("#code", "Enter")
    expect(page.locator("p.refusal")).to_be_visible()
    in_language(page, lang)
    shot = "teller-page.png" if lang == "zh" else f"teller-page-{lang}.png"
    page.screenshot(path=str(artefact(shot, keep=lang == "zh")), full_page=True)

    page.goto(f"{campaign_url}/close")
    type_scrutineer_codes(page, scrutineer_codes[:2])
    page.click("button.danger")
    page.wait_for_url(f"{campaign_url}/results")
    assert channel_counts(page) == ("6", "2")
    page.goto(f"{campaign_url}/minutes")
    assert page.locator("span[data-channel=phone]").inner_text() == w["phone"]
    assert page.locator("span[data-channel=paper]").inner_text() == w["paper"]
    in_language(page, lang)
    page.screenshot(path=str(artefact(f"minutes-paper-{lang}.png")), full_page=True)
    desk.close()
