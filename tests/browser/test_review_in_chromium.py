"""The Done-when path of issue 5, in real Chromium: from the demo a reviewer verifies a
complaint, enters an assessment and reads a committee summary clause by clause."""

from __future__ import annotations

from survey.core.transactions import run_in_transaction
from survey.demo import load_demo


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "reviewer")
    page.fill("#password", "demo-reviewer-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def test_a_reviewer_verifies_assesses_and_reads_the_committee_summary(
    browser, live_server, db, artefact
):
    run_in_transaction(db.session, lambda: load_demo(db.session, base_url=live_server))
    base = live_server
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    sign_in(page, base)

    # 群众评判: the 2025 poll of 社区党支部 has one complaint still unchecked.
    page.click("nav >> text=不满意意见")
    page.click("text=社区党支部2025年度群众满意度测评")
    unchecked = page.locator(".card", has_text="尚未查证").first
    unchecked.locator("input[value=unfounded]").check()
    unchecked.locator("textarea[name=note]").fill("经走访核实，路灯已于当月修复")
    unchecked.locator("button[type=submit]").click()
    assert page.locator("text=尚未查证").count() == 0

    # 组织评定 and 社会评价 for the same branch, through the form.
    page.click("nav >> text=评定")
    page.click("text=示范机关党委")
    page.goto(page.url.split("?")[0] + "?year=2025")
    page.click("text=社区党支部")
    page.click("text=录入或修改2025年度的组织评定")
    page.select_option("select[name=organisation_grade]", "excellent")
    page.fill("input[name='social-0-department']", "信访")
    page.fill("input[name='social-0-note']", "无反馈问题")
    page.click("button:has-text('保存')")
    assert "组织评定" in page.content()
    page.screenshot(path=artefact("rating-branch-desktop.png", keep=True), full_page=True)
    verdict = page.locator(".card .verdict").inner_text()
    assert verdict in {"符合条件", "不符合条件", "待定"}
    assert page.locator("a[href*='/ratings/seeds/0']").count() >= 5

    # The committee summary: each branch's verdict, the share against the target.
    page.goto(f"{base}/ratings/")
    page.click("text=示范机关党委")
    page.goto(page.url.split("?")[0] + "?year=2025")
    text = page.content()
    for name in ("第一党支部", "第二党支部", "社区党支部"):
        assert name in text
    assert "符合评定条件" in text
    page.screenshot(path=artefact("rating-committee-desktop.png", keep=True), full_page=True)

    phone = browser.new_page(viewport={"width": 360, "height": 740}, locale="zh-CN")
    sign_in(phone, base)
    phone.goto(page.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    branch_link = page.locator("table.list a").first.get_attribute("href")
    phone.goto(base + branch_link)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=artefact("rating-branch-360.png", keep=True), full_page=True)
