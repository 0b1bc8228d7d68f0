"""Issue 22's Done-when in real Chromium, in Chinese: a reviewer rates a village, a community, a
collective enterprise, a college and an organ branch under nmg-2020-annex2, entering the facts
each needs on the facts form (which shows only the branch's own domain's standards), records a
群众代表 meeting for the organ branch (create, cards, votes by link, close, the 不满意 checked)
and reads each verdict, every line of it naming its clause in Chinese words (no §).

The member reviews and the branches are made through the factories: the walk is not about them.
"""

from __future__ import annotations

import re
from datetime import date

from helpers import PASSWORD, held_review
from test_meeting_in_chromium import PHONE, decode_qr_codes

DESKTOP = {"width": 1100, "height": 900}
BRANCHES = {  # name -> domain (the collective enterprise: 001 附件2 §三 国有企业和集体企业)
    "嘎查村党支部": "village",
    "社区党支部": "community",
    "集体企业党支部": "state_enterprise",
    "学院党支部": "university",
    "机关党支部": "organ",
}
NUMBERS = {  # the number facts a standard reads, at a passing value
    "fact_internal_rank": "1",
    "fact_party_funding_yuan": "20000",  # ≥ 1 % of the payroll (001 附件2 §三4)
    "fact_payroll_yuan": "1000000",
    "volunteers": "9",
    "serving_members": "10",
    "volunteer_activities": "3",
    "stars": "9",
}


def world(make, db):
    committee = make.organisation("旗直机关党工委", "committee")
    committee.scheme = "nmg-2020-annex2"
    make.session.commit()
    branches = {}
    for name, domain in BRANCHES.items():
        branch = make.organisation(
            name,
            parent=committee,
            domain=domain,
            founded_on=date(2015, 7, 1),
            public_facing=domain != "organ",
        )
        held_review(make, db, branch, 10, 0, eligible=10)
        branches[name] = branch
    make.user("reviewer", "reviewer", committee)
    return branches


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "reviewer")
    page.fill("#password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def enter_facts(page, base: str, branch, domain: str) -> None:
    """The facts form: only this domain's standards, each answered so that it is met; 公示 is
    the public channel of every branch but the organ's, whose is the 群众代表 meeting."""
    page.goto(f"{base}/ratings/branches/{branch.id}/assessment/2026")
    shown = page.locator("fieldset.facts[data-domain]").evaluate_all(
        "els => els.map(e => e.dataset.domain)"
    )
    assert shown == [domain], f"{branch.name}: the facts form shows {shown}"
    page.select_option("select[name=organisation_grade]", "excellent")
    if page.locator("input[name='social-0-department']").count():
        page.fill("input[name='social-0-department']", "信访")
    for select in page.locator("select[name^=fact_]").all():
        name = select.get_attribute("name")
        no = name == "fact_weak" or (domain == "organ" and name == "fact_public_notice_held")
        select.select_option("no" if no else "yes")
    for name, value in NUMBERS.items():
        if page.locator(f"input[name={name}]").count():
            page.fill(f"input[name={name}]", value)
    for star in page.locator("input[name=named_stars]").all():
        star.check()
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(rf"/ratings/branches/{branch.id}"))


def record_the_meeting(browser, page, base: str, branch, artefact) -> None:
    """The reviewer's 群众代表 meeting for the organ: 5 cards for 服务对象, 4 满意 and one 不满意
    with its reason voted by link from phones, closed, its 不满意 checked and found unfounded."""
    page.click("nav >> text=群众代表测评")
    page.select_option("#organisation_id", str(branch.id))
    page.fill("#title", "2026年度述职评议会服务对象测评")
    page.check("input[name=representatives][value=service_users]")
    page.check("input[name=sealing][value=server]")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/campaigns/\d+$"))
    campaign_url = page.url
    assert "服务对象" in page.locator("p.representatives").inner_text()
    page.fill("#count", "5")
    page.click("form.stack button[type=submit]")
    sheet = page.context.new_page()
    sheet.goto(f"{campaign_url}/cards")
    links = []
    for number, card in enumerate(sheet.locator(".ballot-card").all()):
        png = artefact(f"masses-card-{number}.png")
        card.screenshot(path=str(png))
        links += list(decode_qr_codes(png))
    sheet.close()
    assert len(links) == 5
    page.goto(f"{campaign_url}/open")
    page.click("text=评议票已打印，开始投票")
    page.wait_for_url(campaign_url)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    for number, link in enumerate(links):
        vote = phone.new_page()
        vote.goto(link)
        choice = "dissatisfied" if number == 0 else "satisfied"
        vote.check(f"input[name=choice][value={choice}]")
        if choice == "dissatisfied":
            vote.fill("#reason", "办事窗口午间无人值守")
            vote.screenshot(path=str(artefact("masses-ballot-360.png")), full_page=True)
            assert vote.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        vote.click("form.card button[type=submit]")
        vote.wait_for_url(re.compile(r"/receipt/"))
        vote.close()
    phone.close()
    page.goto(f"{campaign_url}/close")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/results$"))
    page.goto(campaign_url)
    page.click("text=查证不满意意见")
    item = page.locator(".card", has_text="办事窗口午间无人值守").first
    item.locator("input[value=unfounded]").check()
    item.locator("textarea[name=note]").fill("经核实，午间已安排轮岗值守")
    item.locator("button[type=submit]").click()
    assert page.locator("text=尚未查证").count() == 0


def read_the_verdict(page, base: str, branch) -> str:
    """The verdict, with every line's clause in words: a source on each, no § on the page."""
    page.goto(f"{base}/ratings/branches/{branch.id}?year=2026")
    rows = page.locator("table.criteria tbody tr")
    assert rows.count() > 5
    sources = rows.locator("td:last-child").all_inner_texts()
    assert all(re.match(r"《[^》]+》", text.strip()) for text in sources), sources
    assert "§" not in page.locator("table.criteria").inner_text()
    return page.locator(".card .verdict").inner_text()


def test_a_reviewer_rates_five_domains_under_annex2_with_a_masses_meeting(
    browser, live_server, make, db, artefact
):
    branches = world(make, db)
    base = live_server
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = desk.new_page()
    sign_in(page, base)
    for name, domain in BRANCHES.items():
        enter_facts(page, base, branches[name], domain)
    organ = branches["机关党支部"]
    assert read_the_verdict(page, base, organ) == "待定"  # no channel of 群众评判 yet
    assert "尚未记录群众评判" in page.content()

    record_the_meeting(browser, page, base, organ, artefact)

    verdicts = {name: read_the_verdict(page, base, branch) for name, branch in branches.items()}
    assert verdicts == dict.fromkeys(BRANCHES, "符合条件"), verdicts
    page.goto(f"{base}/ratings/branches/{organ.id}?year=2026")
    public = page.locator("table.criteria tbody tr", has_text="群众代表测评（述职评议会）")
    assert public.count() == 1
    assert "其中：述职评议会群众代表评议票：5" in public.inner_text()
    public.screenshot(path=str(artefact("annex2-organ-public.png")))
    desk.close()
