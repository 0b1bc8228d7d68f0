"""Every new staff page at 360 px with JavaScript off, in Chinese: no sideways scrolling, and
the close of a member review goes through its confirmation page."""

from __future__ import annotations

import re

from scrutineer_cards import type_scrutineer_codes
from sqlalchemy import select

from survey.core.transactions import run_in_transaction
from survey.demo import LOGINS, load_demo
from survey.models import Campaign, CampaignStatus, Organisation
from survey.staff import accounts

PHONE = {"width": 360, "height": 740}
PASSWORDS = {username: password for username, _r, _o, password in LOGINS}


def phone_as(browser, base, username):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/staff/")
    return context, page


def assert_fits(page, url):
    answer = page.goto(url)
    assert answer.status < 400, (url, answer.status)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} scrolls sideways on a phone ({width}px)"


def test_the_staff_pages_fit_a_phone_without_javascript(browser, live_server, db):
    lines = run_in_transaction(db.session, lambda: load_demo(db.session, base_url=live_server))
    cards = [line.split(": ", 1)[1] for line in lines if re.match(r"  [1-3]: ", line)]
    review = db.session.scalar(
        select(Campaign).where(
            Campaign.status == CampaignStatus.OPEN, Campaign.kind == "member_review"
        )
    )
    draft = db.session.scalar(select(Campaign).where(Campaign.status == CampaignStatus.DRAFT))
    branch = db.session.scalar(select(Organisation).where(Organisation.kind == "branch"))
    poll = db.session.scalar(select(Campaign).where(Campaign.kind == "public_satisfaction"))

    context, page = phone_as(browser, live_server, "secretary")
    staff = f"{live_server}/staff/campaigns"
    for url in (
        f"{staff}/{review.id}/close",
        f"{staff}/{draft.id}/edit",
        f"{staff}/{draft.id}/preview",
        f"{live_server}/staff/polls/new",
        f"{live_server}/password",
    ):
        assert_fits(page, url)
    page.goto(f"{staff}/{review.id}")
    page.click("a.button.danger")  # a link to the confirmation page: closes nothing
    assert page.url.endswith(f"/{review.id}/close")
    type_scrutineer_codes(page, cards[:2])  # the demo printed its open review's cards
    page.click("button.danger")
    page.wait_for_url(f"{staff}/{review.id}/results")
    context.close()

    context, page = phone_as(browser, live_server, "admin")
    for url in (
        f"{live_server}/staff/admin/",
        f"{live_server}/staff/admin/organisations/{branch.id}",
        f"{live_server}/staff/polls/{poll.id}",
    ):
        assert_fits(page, url)
    context.close()

    # 三员分立: the whole audit log is the audit administrator's (the demo's admin is legacy)
    run_in_transaction(
        db.session,
        lambda: accounts.create_user(
            db.session,
            "test",
            username="auditor",
            role="auditor",
            organisation=None,
            password=PASSWORDS.setdefault("auditor", "demo-auditor-2026"),
        ),
    )
    context, page = phone_as(browser, live_server, "auditor")
    assert_fits(page, f"{live_server}/staff/audit")
    context.close()
