"""The scrutineers hold the key, in real Chromium: a secretary prints the ballot cards and 3
scrutineer cards, 12 phones vote, a close with one card is refused (still open), and a close
with 2 of 3 -- one scanned from the printed sheet with zbarimg, whose address carries the code
in its fragment, one typed -- shows the results."""

from __future__ import annotations

import re

from scrutineer_cards import type_scrutineer_codes
from test_meeting_in_chromium import (
    A4_AT_96DPI,
    PHONE,
    a_new_review_with_cards,
    decode_qr_codes,
    open_with_cards_printed,
    vote_from_a_phone,
)


def print_scrutineer_cards(desk, page, artefact) -> tuple[list[str], set[str]]:
    """Press the campaign page's button; the sheet opens in a new tab: print it to PDF and
    decode its QR codes from the page as printed. Returns (typed codes, QR links)."""
    with desk.expect_page() as opened:
        page.click("form[action$='/scrutineer-cards'] button")
    sheet = opened.value
    sheet.wait_for_load_state()
    sheet.set_viewport_size(A4_AT_96DPI)
    codes = [c.strip() for c in sheet.locator(".scrutineer-code").all_inner_texts()]
    assert len(codes) == 3 and "监票人" in sheet.content()
    sheet.emulate_media(media="print")
    sheet.pdf(path=str(artefact("scrutineer-cards.pdf")), format="A4", print_background=True)
    png = artefact("scrutineer-cards-a4.png", keep=True)
    sheet.locator(".sheet").first.screenshot(path=str(png))
    sheet.close()
    return codes, decode_qr_codes(png)


def test_a_meeting_closes_with_two_of_three_scrutineer_cards_one_scanned_one_typed(
    browser, live_server, db, artefact
):
    from playwright.sync_api import expect

    desk, page, campaign_url = a_new_review_with_cards(browser, live_server, db, 12)
    ballot_links = print_cards_of(desk, campaign_url, artefact)

    codes, scanned = print_scrutineer_cards(desk, page, artefact)
    close_url = f"{campaign_url}/close"
    assert scanned == {f"{close_url}#{code}" for code in codes}  # every QR decodes

    open_with_cards_printed(page, campaign_url)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    for link in ballot_links:
        vote_from_a_phone(phone, link)
    phone.close()

    page.goto(close_url)
    type_scrutineer_codes(page, [codes[1]])
    page.click("button.danger")
    expect(page.locator("p.alert").first).to_be_visible()
    assert "1" in page.locator("fieldset.scrutineer-codes p.alert").inner_text()
    page.goto(campaign_url)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "open")

    scanned_link = next(link for link in scanned if link.endswith(codes[0]))
    page.goto(scanned_link)  # as a phone's camera opens the card's QR code
    first = page.locator("input[name=scrutineer_code]").first
    expect(first).to_have_value(codes[0])
    assert "#" not in page.url, "the code is taken out of the address bar"
    page.locator("input[name=scrutineer_code]").nth(1).fill(codes[2].lower())
    page.screenshot(path=str(artefact("close-with-cards.png", keep=True)), full_page=True)
    page.click("button.danger")
    page.wait_for_url(f"{campaign_url}/results")
    expect(page.locator("svg.chart")).to_have_count(3)  # 12 votes: both indicators shown
    page.goto(campaign_url)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "closed")
    desk.close()


def print_cards_of(desk, campaign_url, artefact) -> list[str]:
    """The 12 ballot links: the first printed page's 8 decoded, the rest from the sheet's
    own ballot-card data (the same links the QR codes carry)."""
    links = sorted(print_cards_12(desk, campaign_url, artefact))
    assert len(links) == 12 and all("/b/" in link for link in links)
    return links


def print_cards_12(desk, campaign_url, artefact) -> set[str]:
    printer = desk.browser.new_context(
        viewport=A4_AT_96DPI,
        device_scale_factor=2,
        locale="zh-CN",
        storage_state=desk.storage_state(),
    )
    sheet = printer.new_page()
    sheet.goto(f"{campaign_url}/cards")
    found = set()
    for number, block in enumerate(sheet.locator(".sheet").all()):
        png = artefact(f"cards-12-{number}.png")
        block.screenshot(path=str(png))
        found |= decode_qr_codes(png)
    printer.close()
    return {link for link in found if re.search(r"/b/", link)}
