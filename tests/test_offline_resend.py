"""The server's half of keep-and-resend (static/keep.js, docs/reliability.md): the very same
form sent again after its answer was lost ends on its receipt, never on 409 or 429, and is
never counted twice; the pages carry the hooks and the calm words in both languages."""

import re

import pytest
from helpers import ballot_form, envelopes
from poll_helpers import CENTRE, RADIUS_M, poll_campaign, poll_form

from survey.core.security import ballot_token
from survey.models import Ballot, PollHit

CALM_ZH = "网络暂时不通，您的选择已保存在本机，恢复后会自动重新提交。"
CALM_EN = "The network is down for now. Your choices are kept on this phone"


@pytest.fixture
def branch(make):
    committee = make.organisation("机关党委", "committee")
    lat, lon = CENTRE
    return make.organisation(
        "社区党支部", parent=committee, service_lat=lat, service_lon=lon, service_radius_m=RADIUS_M
    )


@pytest.fixture
def poll(app, make, branch):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    return poll_campaign(make, branch)


@pytest.fixture
def card(make, branch):
    campaign = make.campaign(branch, eligible_full=10)
    return make.ballots(campaign, 2)[0]


def filled_poll(client, slug, choice="satisfied"):
    return poll_form(client, slug) | {"choice": choice, "website": ""}


def hits(db) -> int:
    db.session.rollback()
    return sum(h.count for h in db.session.query(PollHit).all())


def test_a_taken_poll_form_sent_again_past_the_rate_limit_gets_its_receipt(app, poll, db):
    app.config["POLL_RATE_LIMIT"] = "1 per minute"
    client = app.test_client()
    form = filled_poll(client, poll.slug)
    first = client.post(f"/p/{poll.slug}", data=form)
    assert first.status_code == 303 and first.headers["Location"].startswith("/receipt/")
    for _ in range(3):  # the phone resends the body whose answer it never saw
        again = client.post(f"/p/{poll.slug}", data=form)
        assert again.status_code == 303, again.status_code
        assert again.headers["Location"] == first.headers["Location"]
    assert envelopes(db) == 1 and hits(db) == 1
    # the limit still holds for a new answer from the same address
    other = app.test_client()
    assert other.post(f"/p/{poll.slug}", data=filled_poll(other, poll.slug)).status_code == 429
    assert envelopes(db) == 1


def test_a_taken_poll_form_gets_its_receipt_when_the_device_cookie_was_lost(app, poll, db):
    phone = app.test_client()
    form = filled_poll(phone, poll.slug)
    first = phone.post(f"/p/{poll.slug}", data=form)
    assert first.status_code == 303
    cleared = app.test_client()  # the same page, its cookies gone (a WebView that dropped them)
    again = cleared.post(f"/p/{poll.slug}", data=form)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert envelopes(db) == 1
    # another form from the device that answered is still a kind 409
    assert phone.post(f"/p/{poll.slug}", data=filled_poll_after(phone, poll)).status_code == 409


def filled_poll_after(client, poll):
    """A new form from a device that already answered: its page is the 409, so the form is
    the old one's fields with a fresh, never-taken stamp of this device."""
    from survey import polls
    from survey.core.security import serializer
    from survey.views.devices import DEVICE_COOKIE

    cookie = client.get_cookie(DEVICE_COOKIE)
    device = serializer("device").loads(cookie.value)
    secret = client.application.config["SECRET_KEY"]
    tag = polls.keyed_hash(secret, "stamp", poll.id, device)[:16]
    stamp = serializer("poll_form").dumps(polls.stamp_value(poll.id, tag, "never-taken"))
    return {"issued": stamp, "choice": "satisfied", "website": ""}


def test_a_taken_form_of_one_poll_gives_no_receipt_on_another(app, make, branch, poll, db):
    other = poll_campaign(make, branch, title="另一测评")
    client = app.test_client()
    form = filled_poll(client, poll.slug)
    assert client.post(f"/p/{poll.slug}", data=form).status_code == 303
    elsewhere = client.post(f"/p/{other.slug}", data=form)
    assert elsewhere.status_code == 400 and "/receipt/" not in elsewhere.headers.get("Location", "")
    assert envelopes(db) == 1


def test_a_forged_stamp_is_no_retry(app, poll, db):
    client = app.test_client()
    form = filled_poll(client, poll.slug)
    assert client.post(f"/p/{poll.slug}", data=form).status_code == 303
    forged = form | {"issued": form["issued"][:-3] + "abc"}
    assert client.post(f"/p/{poll.slug}", data=forged).status_code == 409
    assert envelopes(db) == 1


def test_the_ballot_sent_again_after_its_answer_was_lost_gets_its_receipt(client, card, db):
    token = ballot_token(card.id)
    data = ballot_form(client.get(f"/b/{token}").text) | {"choice": "excellent"}
    first = client.post(f"/b/{token}", data=data)
    again = client.post(f"/b/{token}", data=data)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert envelopes(db) == 1 and db.session.get(Ballot, card.id).status == "used"


@pytest.mark.parametrize(("lang", "calm"), [("zh", CALM_ZH), ("en", CALM_EN)])
def test_the_ballot_and_poll_forms_carry_keep_and_its_words(client, card, poll, lang, calm):
    for path in (f"/b/{ballot_token(card.id)}", f"/p/{poll.slug}"):
        page = client.get(f"{path}?lang={lang}")
        form = re.search(r"<form[^>]*>", page.text[page.text.index('method="post"') - 6 :])
        assert "data-keep" in form.group(0), path
        assert "/static/keep.js" in page.text and calm in page.text
        assert "data-keep-status" in page.text and "data-resending" in page.text


@pytest.mark.parametrize(("lang", "calm"), [("zh", CALM_ZH), ("en", CALM_EN)])
def test_a_used_card_and_an_answered_poll_say_so_and_carry_the_resend(app, card, poll, lang, calm):
    client = app.test_client()
    token = ballot_token(card.id)
    data = ballot_form(client.get(f"/b/{token}").text) | {"choice": "excellent"}
    assert client.post(f"/b/{token}", data=data).status_code == 303
    assert client.post(f"/p/{poll.slug}", data=filled_poll(client, poll.slug)).status_code == 303
    used = client.get(f"/b/{token}?lang={lang}")
    answered = client.get(f"/p/{poll.slug}?lang={lang}")
    assert used.status_code == answered.status_code == 409
    words = "已经用过了" if lang == "zh" else "already been used"
    assert 'data-reason="already_used"' in used.text and words in used.text
    assert 'data-reason="already_answered"' in answered.text
    for page in (used, answered):
        # keep.js runs before the page shows (no defer): a pending resend hides the refusal
        assert re.search(r'<script src="/static/keep.js"></script>', page.text)
        assert "data-keep-hide-when-resending" in page.text and calm in page.text


def test_a_ballot_resent_after_the_campaign_closed_gets_its_receipt_not_not_recorded(
    app, client, card, make, db
):
    token = ballot_token(card.id)
    data = ballot_form(client.get(f"/b/{token}").text) | {"choice": "excellent"}
    first = client.post(f"/b/{token}", data=data)
    assert first.status_code == 303
    make.close(card.campaign)  # the meeting ended while the phone was out of signal
    again = client.post(f"/b/{token}", data=data)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert client.get(again.headers["Location"]).status_code == 200
    # another form for the card is told the truth: not open
    assert client.get(f"/b/{token}").status_code == 403
    assert client.post(f"/b/{token}", data=data | {"nonce": "another"}).status_code == 403


def test_a_ballot_resent_after_its_link_aged_gets_its_receipt(app, client, card):
    token = ballot_token(card.id)
    data = ballot_form(client.get(f"/b/{token}").text) | {"choice": "excellent"}
    first = client.post(f"/b/{token}", data=data)
    app.config["BALLOT_MAX_AGE"] = -1  # every link is now too old
    again = client.post(f"/b/{token}", data=data)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]


def test_a_poll_answer_resent_after_the_poll_closed_gets_its_receipt(app, make, poll, db):
    client = app.test_client()
    form = filled_poll(client, poll.slug)
    first = client.post(f"/p/{poll.slug}", data=form)
    make.close(poll)
    again = client.post(f"/p/{poll.slug}", data=form)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    fresh = app.test_client()
    assert fresh.post(f"/p/{poll.slug}", data=form | {"issued": "x"}).status_code == 403
