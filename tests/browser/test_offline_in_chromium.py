"""A weak signal in the meeting room, in real Chromium (static/keep.js, docs/reliability.md):
a member's ballot and a resident's poll are submitted through a cut network -- the request
that never reaches the server (offline) and the one the server took whose answer was lost --
and through a reload while the submission is pending. Each time: the calm words, the answers
kept, the receipt once the network is back, and in the database exactly one vote stored and
the card spent once."""

from __future__ import annotations

import pytest
from helpers import envelopes
from offline import CALM, WATCH_REFUSALS, chosen, kept, submit_through_a_cut
from poll_helpers import CENTRE, RADIUS_M, poll_campaign

from survey.core.security import ballot_token
from survey.models import Ballot, PollDevice, Receipt

PHONE = {"viewport": {"width": 320, "height": 640}}


@pytest.fixture
def branch(make):
    committee = make.organisation("机关党委", "committee")
    lat, lon = CENTRE
    return make.organisation(
        "社区党支部", parent=committee, service_lat=lat, service_lon=lon, service_radius_m=RADIUS_M
    )


@pytest.fixture
def card(make, branch):
    campaign = make.campaign(branch, eligible_full=10, extra_questions=[("study", "组织学习")])
    return make.ballots(campaign, 2)[0]


@pytest.fixture
def poll(app, make, branch):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    return poll_campaign(make, branch, geofence="flag")  # poll.js asks the position first


@pytest.fixture
def phone(browser):
    lat, lon = CENTRE
    context = browser.new_context(
        locale="zh-CN",
        permissions=["geolocation"],
        geolocation={"latitude": lat, "longitude": lon},
        **PHONE,
    )
    yield context
    context.close()


def spent(db, card) -> tuple[str, int]:
    db.session.rollback()
    ballot = db.session.get(Ballot, card.id)
    return ballot.status, envelopes(db, card.campaign_id)


def fill_ballot(page, base, card, lang="zh"):
    page.goto(f"{base}/b/{ballot_token(card.id)}?lang={lang}")
    for fieldset in page.locator("form[data-keep] fieldset").all():
        fieldset.locator("input[value=competent]").check()


def fill_poll(page, base, poll):
    page.goto(f"{base}/p/{poll.slug}")
    page.locator("input[name=choice][value=dissatisfied]").check()
    page.fill("textarea[name=reason]", "窗口排队太久")


def plain(code: str) -> str:
    return code.replace("-", "").replace(" ", "")


def receipt_of(db, code: str) -> Receipt:
    db.session.rollback()
    return db.session.get(Receipt, plain(code))


@pytest.mark.parametrize("mode", ["offline", "lost"])
def test_a_ballot_submitted_through_a_cut_ends_on_one_receipt_and_one_vote(
    live_server, phone, db, card, mode, artefact
):
    page = phone.new_page()
    fill_ballot(page, live_server, card)

    def while_cut(cut):
        # offline: nothing reached the server; lost: the server took it once (303)
        assert spent(db, card) == (("issued", 0) if mode == "offline" else ("used", 1))
        assert cut.taken == ([] if mode == "offline" else [303])
        assert page.evaluate("document.documentElement.scrollWidth") <= 320  # the words fit
        page.screenshot(path=artefact(f"offline-ballot-{mode}-320.png"), full_page=True)

    seen = submit_through_a_cut(page, phone, mode, while_cut=while_cut)
    assert page.locator("h1").inner_text() == "您的选择已经计入"
    assert spent(db, card) == ("used", 1)
    assert receipt_of(db, seen["receipt"]) is not None
    assert db.session.get(Ballot, card.id).receipt_code == plain(seen["receipt"])
    assert seen["left_on_phone"] == []  # the answers are gone from the phone
    assert seen["refusals_seen"] == []
    assert {k for k, _ in seen["kept"]["fields"].items()} >= {"choice", "q_study"}


def test_a_ballot_reloaded_while_its_lost_answer_is_pending_never_says_already_used(
    live_server, phone, db, card
):
    page = phone.new_page()
    fill_ballot(page, live_server, card)
    seen = submit_through_a_cut(page, phone, "lost", reload_while_cut=True)
    assert seen["refusals_seen"] == [], "the used card's refusal showed"
    assert len(seen["taken"]) >= 2 and set(seen["taken"]) == {303}  # the resend found the receipt
    assert spent(db, card) == ("used", 1)
    # the watch sees a refusal when there is one: the same card opened again, nothing pending
    again = phone.new_page()
    again.add_init_script(WATCH_REFUSALS)
    again.goto(f"{live_server}/b/{ballot_token(card.id)}")
    again.locator("[data-reason=already_used]").wait_for(state="visible")
    again.wait_for_function("window.__refusals.length > 0")


@pytest.mark.parametrize("mode", ["offline", "lost"])
def test_a_poll_answered_through_a_cut_ends_on_one_receipt_and_one_answer(
    live_server, phone, db, poll, mode
):
    page = phone.new_page()
    fill_poll(page, live_server, poll)
    seen = submit_through_a_cut(page, phone, mode)
    db.session.rollback()
    assert envelopes(db, poll.id) == 1 and db.session.query(PollDevice).count() == 1
    assert receipt_of(db, seen["receipt"]) is not None
    assert db.session.query(PollDevice).one().receipt_code == plain(seen["receipt"])
    assert "reason=%E7%AA%97" in seen["kept"]["pending"]["body"]  # the text went with it
    assert "lat=39.9" in seen["kept"]["pending"]["body"]  # poll.js's position, then keep.js
    assert seen["left_on_phone"] == [] and seen["refusals_seen"] == []


def test_a_poll_reloaded_while_its_lost_answer_is_pending_never_says_already_answered(
    live_server, phone, db, poll
):
    page = phone.new_page()
    fill_poll(page, live_server, poll)
    seen = submit_through_a_cut(page, phone, "lost", reload_while_cut=True)
    assert seen["refusals_seen"] == []
    db.session.rollback()
    assert envelopes(db, poll.id) == 1 and db.session.query(PollDevice).count() == 1


def test_answers_are_kept_on_the_phone_across_a_reload_and_in_english(live_server, phone, db, card):
    page = phone.new_page()
    fill_ballot(page, live_server, card, lang="en")
    answers = chosen(page)
    page.reload()  # nothing submitted: the page comes back with the answers given
    assert chosen(page) == answers and kept(page)["fields"]["choice"] == ["competent"]
    phone.set_offline(True)
    page.locator("form[data-keep] button[type=submit]").click()
    page.locator("[data-keep-status]", has_text=CALM["en"]).wait_for()
    phone.set_offline(False)
    page.wait_for_url("**/receipt/*")
    assert page.locator("h1").inner_text() == "Your vote was counted"
    assert spent(db, card) == ("used", 1)


def test_a_double_tap_sends_one_submission(live_server, phone, db, card):
    page = phone.new_page()
    fill_ballot(page, live_server, card)
    posts = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    page.locator("form[data-keep] button[type=submit]").dblclick()
    page.wait_for_url("**/receipt/*")
    assert len(posts) == 1 and spent(db, card) == ("used", 1)


def test_a_refusal_is_shown_as_the_server_rendered_it(live_server, phone, db, card):
    page = phone.new_page()
    page.goto(f"{live_server}/b/{ballot_token(card.id)}")
    page.locator("form[data-keep] fieldset").first.locator("input[value=competent]").check()
    # one question left blank, past the browser's own check (as an old WebView lets it go)
    page.evaluate("document.querySelector('form[data-keep]').noValidate = true")
    page.locator("form[data-keep] button[type=submit]").click()
    page.locator("p.alert[role=alert]").wait_for()
    assert "请回答每一个问题" in page.locator("p.alert[role=alert]").inner_text()
    assert spent(db, card) == ("issued", 0)
    # the form the server sent back works in its turn, answers restored from the phone
    for fieldset in page.locator("form[data-keep] fieldset").all():
        fieldset.locator("input[value=excellent]").check()
    page.locator("form[data-keep] button[type=submit]").click()
    page.wait_for_url("**/receipt/*")
    assert spent(db, card) == ("used", 1)


def test_without_javascript_the_ballot_posts_as_before(live_server, browser, db, card):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", **PHONE)
    page = context.new_page()
    fill_ballot(page, live_server, card)
    page.locator("form[data-keep] button[type=submit]").click()
    page.wait_for_url("**/receipt/*")
    assert spent(db, card) == ("used", 1)
    context.close()


def test_a_briefly_unavailable_service_is_waited_for_like_a_cut(live_server, phone, db, card):
    """A 503 with Retry-After (a database outage: nothing recorded) keeps the answers and
    sends them again; the page says the service, not the network, is away."""
    page = phone.new_page()
    fill_ballot(page, live_server, card)
    refused = []

    def outage(route):
        if route.request.method == "POST" and not refused:
            refused.append(1)
            route.fulfill(status=503, headers={"Retry-After": "5"}, body="unavailable")
        else:
            route.continue_()

    page.route("**/b/*", outage)
    page.locator("form[data-keep] button[type=submit]").click()
    page.locator("[data-keep-status]", has_text="服务暂时不可用，您的选择已保存在本机").wait_for()
    assert spent(db, card) == ("issued", 0) and kept(page)["pending"]
    page.wait_for_url("**/receipt/*", timeout=20_000)
    assert spent(db, card) == ("used", 1) and refused == [1]
