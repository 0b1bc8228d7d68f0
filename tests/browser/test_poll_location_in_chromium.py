"""A resident answers the public poll of a branch that takes answers only within its service
radius (服务半径), in real Chromium on a 360 px phone in WeChat (zh and en). The phone shares a
position 11 km away: the page says the resident is not in the service area and what to do
instead (a one-time resident code), keeping the answer; back inside the area the same answer is
counted, as inside. A phone that refuses its position reads a different reason."""

from __future__ import annotations

import re

import pytest
from poll_helpers import CENTRE, RADIUS_M, poll_campaign
from sqlalchemy import func, select

from survey.models import Campaign, Count

OUTSIDE = {"latitude": CENTRE[0] + 0.1, "longitude": CENTRE[1]}  # ~11 km north
INSIDE = {"latitude": CENTRE[0] + 0.005, "longitude": CENTRE[1]}  # ~550 m north
WORDS = {
    "zh": {
        "outside": "您不在本支部服务范围内",
        "instead": "一次性",
        "refused": "允许获取位置",
    },
    "en": {
        "outside": "You are not in this branch's service area",
        "instead": "one-time resident code",
        "refused": "could not be read",
    },
}


@pytest.fixture
def poll(make, app):
    app.config["POLL_MIN_FILL_SECONDS"] = 0  # the walk answers faster than a person reads
    committee = make.organisation("街道党工委", "committee")
    branch = make.organisation(
        "社区党支部",
        parent=committee,
        service_lat=CENTRE[0],
        service_lon=CENTRE[1],
        service_radius_m=RADIUS_M,
    )
    return poll_campaign(make, branch, geofence="require")


def answer(page, choice: str = "satisfied") -> None:
    """Tick ``choice`` and submit: poll.js asks the position first, keep.js sends the form
    and shows the server's answer in place (a refusal is no navigation)."""
    page.locator(f"#poll-form fieldset input[value={choice}]").first.check()
    page.click("#poll-form button[type=submit]")
    page.locator("p.refusal, .receipt, h1").first.wait_for()


def counted(db, campaign_id: int) -> dict[str, int]:
    db.session.rollback()
    rows = db.session.execute(
        select(Count.geo, func.sum(Count.n))
        .where(Count.campaign_id == campaign_id)
        .group_by(Count.geo)
    )
    return {geo: int(n) for geo, n in rows}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_outside_the_radius_is_told_why_and_counted_once_inside(
    wechat_phone, live_server, make, db, poll, artefact, lang
):
    from playwright.sync_api import expect

    w = WORDS[lang]
    slug, poll_id = poll.slug, poll.id
    phone = wechat_phone(lang, geolocation=OUTSIDE, permissions=["geolocation"])
    page = phone.new_page()
    page.goto(f"{live_server}/p/{slug}")
    answer(page)
    refusal = page.locator("p.refusal[data-reason=outside_area]")
    expect(refusal).to_contain_text(w["outside"])
    expect(refusal).to_contain_text(w["instead"])
    expect(refusal.locator("a[href$='/b']")).to_be_visible()  # what to do instead
    expect(page.locator("#poll-form input[value=satisfied]").first).to_be_checked()  # kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artefact(f"poll-outside-{lang}.png")), full_page=True)

    phone.set_geolocation(INSIDE)  # the resident walks back into the area and sends again
    page.click("#poll-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/receipt/"))
    make.close(db.session.get(Campaign, poll_id))
    assert counted(db, poll_id) == {"inside": 1}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_phone_that_refuses_its_position_reads_the_other_reason(
    wechat_phone, live_server, make, db, poll, lang
):
    from playwright.sync_api import expect

    w = WORDS[lang]
    page = wechat_phone(lang).new_page()  # no permission: the position cannot be read
    page.goto(f"{live_server}/p/{poll.slug}")
    answer(page)
    refusal = page.locator("p.refusal[data-reason=outside]")
    expect(refusal).to_contain_text(w["refused"])
    expect(page.locator("p.refusal[data-reason=outside_area]")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(w["outside"])
