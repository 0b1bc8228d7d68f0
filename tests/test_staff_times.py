"""Times in the organisation's zone, the minutes' signature lines and a first look that works."""

from datetime import datetime

import pytest
from helpers import cast, sign_in

from survey import campaigns
from survey.models import Campaign, PollHit


@pytest.fixture
def closed(make, db):
    committee, first, _second, _foreign = make.tree()
    make.user("secretary", "secretary", first)
    campaign = make.campaign(first, eligible_full=5)
    (ballot,) = make.ballots(campaign, 1)
    cast(db.session, ballot.id, {campaign.headline.id: "excellent"})
    make.close(campaign)
    campaign.opened_at = datetime(2026, 12, 30, 13, 5)  # 21:05 in Beijing, the same day
    campaign.closed_at = datetime(2026, 12, 31, 16, 30)  # 00:30 on 1 January in Beijing
    db.session.commit()
    return campaign


def test_the_minutes_print_beijing_times_as_chinese_dates(auth, client, closed):
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{closed.id}/minutes?lang=zh").text
    assert "2026年12月30日 21:05" in page
    assert "2027年1月1日 00:30" in page
    assert "UTC" not in page


def test_the_zone_is_a_setting(app, auth, client, closed):
    app.config["TIMEZONE"] = "UTC"
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{closed.id}/minutes?lang=en").text
    assert "2026-12-30 13:05" in page and "2026-12-31 16:30" in page


def test_the_minutes_have_every_signature_line(auth, client, closed):
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{closed.id}/minutes?lang=zh").text
    for role in ("监票人", "计票人", "主持人", "记录人"):
        assert f"{role}：" in page


def test_the_anomaly_hours_are_local(auth, client, make, db):
    committee, first, _second, _foreign = make.tree()
    make.user("reviewer", "reviewer", committee)
    poll = make.campaign(first, kind="public_satisfaction", title="满意度测评")
    db.session.add(
        PollHit(campaign_id=poll.id, hour=datetime(2026, 3, 1, 23, 0), ip_hash="a", ua_hash="b")
    )
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/review/campaigns/{poll.id}/anomalies?lang=zh").text
    assert "2026年3月2日 07:00" in page and "以上为北京时间" in page
    assert "北京时间时区" not in page


def test_the_front_page_links_to_sign_in(client):
    page = client.get("/?lang=en").text
    assert 'href="/login"' in page and "Staff sign-in" in page


def test_the_demo_names_where_to_sign_in_and_its_draft_prints_cards(runner, client, db):
    output = runner.invoke(args=["demo"]).output
    assert "Sign in at https://survey.example.org/login" in output
    assert sign_in(client, "secretary", "demo-secretary-2026").status_code == 303
    db.session.rollback()
    draft = db.session.query(Campaign).filter_by(status=campaigns.CampaignStatus.DRAFT).one()
    sheet = client.get(f"/staff/campaigns/{draft.id}/cards")
    assert sheet.status_code == 200 and sheet.text.count('class="ballot-card"') == 30


def test_the_minutes_say_the_times_above_are_beijing_time(auth, client, closed):
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{closed.id}/minutes?lang=zh").text
    assert "以上为北京时间" in page and "北京时间时区" not in page


def test_another_zone_is_named_under_the_times(app, auth, client, closed):
    app.config["TIMEZONE"] = "Europe/Berlin"
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{closed.id}/minutes?lang=zh").text
    assert "以上为Europe/Berlin时间" in page and "北京时间" not in page


def test_a_new_poll_says_its_closing_day_is_beijing_time(auth, client, make):
    committee, first, _second, _foreign = make.tree()
    make.user("secretary", "secretary", first)
    auth.login("secretary")
    page = client.get("/staff/polls/new?lang=zh").text
    assert "以上为北京时间" in page and "按本单位时区" not in page
