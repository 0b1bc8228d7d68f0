"""Public notice (公示) in real Chromium: a reviewer publishes the proposed list, residents
object from a 320 px phone without JavaScript (a WeChat browser's user agent), the reviewer
checks both objections, and after the period one title is granted (objection unfounded)
and the other blocked (objection verified)."""

from __future__ import annotations

from datetime import timedelta

from helpers import PASSWORD
from notice_helpers import eligible

from survey.models import Notice

WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; Phone) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.40"
)


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "reviewer")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def object_from_a_phone(browser, url: str, branch: str, reason: str, artefact, shot: str):
    phone = browser.new_context(
        viewport={"width": 320, "height": 640},
        locale="zh-CN",
        java_script_enabled=False,
        user_agent=WECHAT,
    )
    page = phone.new_page()
    page.goto(url)
    assert "公示" in page.content()
    page.check(f"label.choice:has-text('{branch}') input")
    page.fill("textarea[name=reason]", reason)
    page.screenshot(path=artefact(shot), full_page=True)
    page.click("button[type=submit]")
    assert "您的异议已收到" in page.content()
    phone.close()


def test_a_proposed_title_goes_through_notice_objections_and_the_grant(
    app, browser, live_server, make, db, org, artefact
):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    for branch in (org["first"], org["second"]):
        eligible(make, db, branch)
    base = live_server
    staff = browser.new_page(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    sign_in(staff, base)

    staff.goto(f"{base}/ratings/committees/{org['committee'].id}?year=2026")
    staff.fill("input[name=days]", "5")
    staff.fill("input[name=contact_person]", "王芳")
    staff.fill("input[name=contact_phone]", "0477-8581234")
    staff.fill("input[name=contact_address]", "机关党委办公室（办公楼302室）")
    staff.click("button:has-text('将推荐名单进行公示')")
    link = staff.locator("a.notice-link").get_attribute("href")
    assert "/n/" in link

    sizes = browser.new_context(viewport={"width": 320, "height": 640}, locale="zh-CN")
    narrow = sizes.new_page()
    narrow.goto(link)
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320
    assert "联系人：王芳" in narrow.locator("#contact").inner_text()
    sizes.close()

    object_from_a_phone(browser, link, "第一党支部", "听说账目不清", artefact, "notice-320.png")
    object_from_a_phone(browser, link, "第二党支部", "书记长期不在岗", artefact, "notice-2.png")

    staff.reload()
    first = staff.locator(".card", has_text="听说账目不清")
    first.locator("input[value=unfounded]").check()
    first.locator("textarea[name=note]").fill("经核实账目清楚")
    first.locator("button[type=submit]").click()
    second = staff.locator(".card", has_text="书记长期不在岗")
    second.locator("input[value=verified]").check()
    second.locator("textarea[name=note]").fill("经查证属实")
    second.locator("button[type=submit]").click()
    assert staff.locator("text=尚未查证").count() == 0

    db.session.rollback()  # the notice period passes: move it into the past
    notice = db.session.query(Notice).one()
    passed = notice.closes_on - notice.opens_on + timedelta(days=1)
    notice.opens_on -= passed
    notice.closes_on -= passed  # it ended yesterday at the latest
    db.session.commit()

    staff.goto(f"{base}/ratings/branches/{org['first'].id}?year=2026")
    staff.click("button:has-text('授予')")
    assert "2026" in staff.locator("h2:has-text('称号') + .card").first.inner_text()

    staff.goto(f"{base}/ratings/branches/{org['second'].id}?year=2026")
    assert "书记长期不在岗" in staff.content()
    staff.click("button:has-text('授予')")
    blocked = staff.content()
    assert "经查证属实" in blocked and "不予评定" in blocked
    staff.screenshot(path=artefact("notice-blocked.png"), full_page=True)

    # the rating's clause link opens the document at the clause, marked, with JavaScript off
    reader = browser.new_context(
        viewport={"width": 360, "height": 640}, locale="zh-CN", java_script_enabled=False
    )
    page = reader.new_page()
    sign_in(page, base)
    page.goto(f"{base}/ratings/branches/{org['first'].id}?year=2026")
    page.click("a:has-text('《工作指南》第五部分（二）3')")
    clause = page.locator("mark#clause")
    assert "群众评判" in clause.inner_text()
    box = clause.bounding_box()
    assert box is not None and 0 <= box["y"] < 640  # scrolled there by the #fragment
    page.screenshot(path=artefact("seed-clause-360.png"))
    reader.close()
