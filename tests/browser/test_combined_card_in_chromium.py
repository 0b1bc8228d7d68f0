"""A member whose camera fails, in real Chromium (zh and en): the card carrying both of the
meeting's ballots prints an address and an instruction; the member opens that address on a
360 px phone in WeChat, types both codes as printed, answers the branch review, follows its
receipt on to the appraisal of members and ends on the appraisal's receipt. Both votes are
counted, once each."""

from __future__ import annotations

import re

import pytest
from appraisal_helpers import roll
from sqlalchemy import select

from survey.models import Campaign, Count

MEMBERS = 3
WORDS = {
    "zh": {"heading": "输入短码", "receipt": "提交成功", "next": "下一步"},
    "en": {"heading": "Enter your code", "receipt": "Submitted", "next": "Next"},
}
ADDRESS = re.compile(r"https?://[A-Za-z0-9.:/_-]+")


def a_meeting_with_cards(make):
    """A branch of three with its review and appraisal open, three cards of each."""
    branch = make.organisation("第一党支部", parent=make.organisation("机关党委", "committee"))
    roll(make, branch, MEMBERS)
    make.user("secretary", "secretary", branch)
    review = make.campaign(branch, title="2026年度党员评议党支部工作")
    appraisal = make.campaign(branch, kind="member_appraisal", title="2026年度民主评议党员")
    for campaign in (review, appraisal):
        make.ballots(campaign, MEMBERS)
    return review.id, appraisal.id


def the_printed_card(page, base: str, review_id: int) -> tuple[str, str]:
    """The first card of the sheet that carries both ballots: its address and its codes."""
    page.goto(f"{base}/staff/campaigns/{review_id}/cards/both")
    card = page.locator(".ballot-card").first
    (address,) = ADDRESS.findall(card.locator(".card-help").inner_text())
    codes = card.locator(".card-code").inner_text().strip()
    assert re.fullmatch(r"\w{4}-\w{4} / \w{4}-\w{4}", codes), codes
    return address.rstrip("."), codes


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_combined_card_typed_by_hand_reaches_both_ballots(
    signed_in, wechat_phone, live_server, make, db, artefact, lang
):
    from playwright.sync_api import expect

    w = WORDS[lang]
    review_id, appraisal_id = a_meeting_with_cards(make)
    _desk, page = signed_in("secretary", lang)
    address, codes = the_printed_card(page, live_server, review_id)
    assert address == f"{live_server}/b"

    phone = wechat_phone(lang).new_page()
    phone.goto(address)
    assert phone.get_attribute("html", "lang") == ("en" if lang == "en" else "zh-CN")
    expect(phone.locator("h1")).to_have_text(w["heading"])
    phone.fill("#code", codes)
    phone.click("form.card button[type=submit]")
    phone.wait_for_url(re.compile(r"/b/[^?]+\?then="))
    for fieldset in phone.locator("form.card fieldset").all():
        fieldset.locator("input[value=excellent]").check()
    phone.click("form.card button[type=submit]")
    phone.wait_for_url(re.compile(r"/receipt/"))
    expect(phone.locator("main")).to_contain_text(w["receipt"])
    expect(phone.locator("a.next-ballot")).to_contain_text(w["next"])
    phone.click("a.next-ballot")
    phone.wait_for_url(re.compile(r"/b/"))
    rows = phone.locator("fieldset.member")
    expect(rows).to_have_count(MEMBERS)
    for row in rows.all():
        row.locator("input[value=competent]").check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.click("form.appraisal button[type=submit]")
    phone.wait_for_url(re.compile(r"/receipt/"))
    expect(phone.locator("main")).to_contain_text(w["receipt"])
    expect(phone.locator("a.next-ballot")).to_have_count(0)  # the end of the card
    phone.screenshot(path=str(artefact(f"typed-card-end-{lang}.png")), full_page=True)

    # the same codes typed again: both ballots are spent, none opens a second time
    phone.goto(address)
    phone.fill("#code", codes)
    phone.click("form.card button[type=submit]")
    expect(phone.locator("main")).not_to_contain_text(w["next"])
    assert "/receipt/" not in phone.url and "?then=" not in phone.url

    db.session.rollback()
    for campaign_id in (review_id, appraisal_id):
        make.close(db.session.get(Campaign, campaign_id))
    db.session.rollback()
    counted = [db.session.get(Campaign, i).votes_counted for i in (review_id, appraisal_id)]
    assert counted == [1, 1]
    assert chosen(db, review_id) == {"excellent"}  # what the phone ticked, on each ballot
    assert chosen(db, appraisal_id) == {"competent"}


def chosen(db, campaign_id: int) -> set[str]:
    """The choices a closed campaign counted, every question counted once."""
    counts = db.session.scalars(select(Count).where(Count.campaign_id == campaign_id)).all()
    questions = db.session.get(Campaign, campaign_id).questions
    assert sorted(c.question_id for c in counts) == sorted(q.id for q in questions)
    assert {c.n for c in counts} == {1}
    return {c.choice for c in counts}
