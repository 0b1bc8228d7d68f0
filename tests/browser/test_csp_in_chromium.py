"""The strict Content-Security-Policy, in real Chromium: the main pages of every role -- ballot,
receipt, poll, sign-in, staff home, campaign, card sheet, projector with its live count,
results, minutes, poster, review and ratings -- show without a single CSP violation."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.core.transactions import run_in_transaction
from survey.demo import load_demo

# Recorded in the page before any of its own scripts runs (Playwright's init scripts are not
# subject to the page's CSP); Chromium also logs each violation to the console.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


class Watch:
    """Every CSP violation a page reports, by event and in the console, with its URL."""

    def __init__(self, context):
        self.found: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("page", self.attach)

    def attach(self, page):
        def console(message):
            if "Content Security Policy" in message.text or "Refused to" in message.text:
                self.found.append(f"{page.url}: {message.text}")

        page.on("console", console)

    def collect(self, page) -> None:
        for violation in page.evaluate("window.__csp || []"):
            self.found.append(f"{page.url}: {violation}")
        page.evaluate("window.__csp = []")


def world(db, make):
    """The demo, plus a draft campaign whose card sheet can be printed."""
    from survey.core.security import ballot_token
    from survey.models import Ballot, Campaign, CampaignStatus, Organisation

    def one(query):
        return db.session.scalar(query)

    branch = one(select(Organisation).where(Organisation.name == "第一党支部"))
    draft = make.campaign(branch, status="draft", year=2027, title="2027年度党员评议党支部工作")
    make.ballots(draft, 3)
    member = select(Campaign).where(Campaign.kind == "member_review")
    polls = select(Campaign).where(Campaign.kind == "public_satisfaction")
    live = one(member.where(Campaign.status == CampaignStatus.OPEN))
    card = one(select(Ballot).where(Ballot.campaign_id == live.id).order_by(Ballot.code))
    return {
        "draft": draft.id,
        "live": live.id,
        "closed": one(member.where(Campaign.status == CampaignStatus.CLOSED)).id,
        "poll": one(polls.where(Campaign.status == CampaignStatus.OPEN)),
        "closed_poll": one(polls.where(Campaign.status == CampaignStatus.CLOSED)).id,
        "committee": one(select(Organisation).where(Organisation.kind == "committee")).id,
        "branch": branch.id,
        "ballot": f"/b/{ballot_token(card.id)}",
    }


def vote(page, base, ballot) -> None:
    page.goto(base + ballot)
    for fieldset in page.locator("form.card fieldset").all():
        fieldset.locator("input[value=excellent]").check()
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/receipt/"))


def test_the_main_pages_log_no_csp_violation(browser, live_server, db, make):
    run_in_transaction(db.session, lambda: load_demo(db.session, base_url=live_server))
    ids = world(db, make)
    base = live_server
    context = browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
    watch = Watch(context)
    page = context.new_page()

    vote(page, base, ids["ballot"])  # the ballot page, then the receipt
    watch.collect(page)
    page.goto(f"{base}/p/{ids['poll'].slug}")
    watch.collect(page)

    page.goto(f"{base}/login")
    page.fill("#username", "admin")
    page.fill("#password", "demo-admin-2026")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/staff/")
    watch.collect(page)

    projector = context.new_page()
    with projector.expect_response(re.compile(r"/turnout\.json$"), timeout=15_000):
        projector.goto(f"{base}/staff/campaigns/{ids['live']}/projector")
    watch.collect(projector)

    staff = f"{base}/staff/campaigns"
    for path in (
        f"{staff}/{ids['live']}",
        f"{staff}/{ids['draft']}",
        f"{staff}/{ids['draft']}/cards",
        f"{staff}/{ids['closed']}/results",
        f"{staff}/{ids['closed']}/minutes",
        f"{staff}/new",
        f"{base}/staff/polls/",
        f"{base}/staff/polls/{ids['poll'].id}/poster",
        f"{base}/review/",
        f"{base}/review/campaigns/{ids['closed_poll']}/complaints",
        f"{base}/review/campaigns/{ids['closed_poll']}/anomalies",
        f"{base}/ratings/",
        f"{base}/ratings/committees/{ids['committee']}?year=2025",
        f"{base}/ratings/branches/{ids['branch']}?year=2025",
        f"{base}/ratings/branches/{ids['branch']}/assessment/2025",
        f"{base}/ratings/seeds/000",
        f"{base}/staff/admin/",
    ):
        answer = page.goto(path)
        assert answer.status == 200, path
        watch.collect(page)

    page.wait_for_timeout(300)  # console messages arrive after the page
    assert watch.found == [], watch.found

    # The watch itself works: an inline style set on this page is refused and reported.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(300)
    watch.collect(page)
    assert watch.found, "the watch saw no violation where there is one"
    context.close()
