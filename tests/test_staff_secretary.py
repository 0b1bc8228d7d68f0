"""The secretary's safety rails: a confirmed close, one campaign a year unless asked, no opening
without cards, a lost-card mistake kept on the campaign page, a plain "already open", draft
edits and a read-only ballot preview."""

import re

import pytest
from helpers import csrf_from
from sqlalchemy import select

from survey.models import AuditEntry, Campaign, CampaignStatus


@pytest.fixture
def branch(make):
    committee, first, _second, _foreign = make.tree()
    make.user("secretary", "secretary", first)
    return first


@pytest.fixture
def secretary(auth, client, branch):
    auth.login("secretary")
    return client


def post(client, url, page_url, **data):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={"csrf_token": token, **data})


def status_of(db, campaign):
    db.session.rollback()
    return db.session.get(Campaign, campaign.id).status


def test_closing_is_asked_for_on_a_page_of_its_own(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open")
    url = f"/staff/campaigns/{campaign.id}"
    page = secretary.get(f"{url}?lang=en").text
    assert f'href="{url}/close"' in page and 'class="button danger"' in page
    confirm = secretary.get(f"{url}/close?lang=en")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    assert "sealed ballot box" in confirm.text and 'class="danger"' in confirm.text
    assert status_of(db, campaign) == CampaignStatus.OPEN


def test_a_close_without_the_confirmation_closes_nothing(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open")
    url = f"/staff/campaigns/{campaign.id}"
    answer = post(secretary, f"{url}/close", url)
    assert answer.status_code == 200 and "无法撤销" in answer.text
    assert status_of(db, campaign) == CampaignStatus.OPEN
    done = post(secretary, f"{url}/close", f"{url}/close", confirm="y")
    assert done.status_code == 303 and status_of(db, campaign) == CampaignStatus.CLOSED


def test_a_second_campaign_of_the_year_needs_the_box_ticked(secretary, make, branch, db):
    make.campaign(branch, status="draft", title="第一次")
    data = {"organisation_id": branch.id, "year": 2026, "title": "第二次"}
    refused = post(secretary, "/staff/campaigns/new", "/staff/campaigns/new?lang=en", **data)
    assert refused.status_code == 409 and "already has a member review for 2026" in refused.text
    assert 'name="second"' in refused.text
    db.session.rollback()
    assert db.session.query(Campaign).count() == 1
    made = post(secretary, "/staff/campaigns/new", "/staff/campaigns/new", second="y", **data)
    assert made.status_code == 303
    db.session.rollback()
    assert db.session.query(Campaign).count() == 2


def test_another_year_needs_no_box(secretary, make, branch, db):
    make.campaign(branch, status="draft", year=2025)
    data = {"organisation_id": branch.id, "year": 2026, "title": "新一年"}
    answer = post(secretary, "/staff/campaigns/new", "/staff/campaigns/new", **data)
    assert answer.status_code == 303


def test_voting_does_not_open_without_cards(secretary, make, branch, db):
    campaign = make.campaign(branch, status="draft")
    url = f"/staff/campaigns/{campaign.id}"
    answer = post(secretary, f"{url}/open", url + "?lang=en", printed="y")
    assert answer.status_code == 409 and "cannot open without cards" in answer.text
    assert 'class="turnout-line"' in answer.text  # the campaign page, not an error page
    assert status_of(db, campaign) == CampaignStatus.DRAFT


def test_a_wrong_lost_card_code_stays_on_the_campaign_page(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open")
    url = f"/staff/campaigns/{campaign.id}"
    answer = post(secretary, f"{url}/lost?lang=en", url, code="ZZZZ-ZZZZ")
    assert answer.status_code == 404
    assert "No card of this campaign has that code" in answer.text
    assert 'class="turnout-line"' in answer.text and 'data-reason="not_found"' not in answer.text


def test_opening_an_open_campaign_says_it_is_open_already(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open")
    url = f"/staff/campaigns/{campaign.id}"
    answer = post(secretary, f"{url}/open?lang=zh", url)
    assert answer.status_code == 409 and 'data-reason="already_open"' in answer.text
    assert "已经开始" in answer.text and "已经提交过" not in answer.text


def test_the_api_names_the_same_reason(client, make, branch, db):
    from helpers import bearer

    admin = make.user("admin", "admin")
    campaign = make.campaign(branch, status="open")
    answer = client.post(f"/api/v1/campaigns/{campaign.id}/open", headers=bearer(admin))
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "already_open"


def test_a_draft_is_edited_title_roll_and_indicators(secretary, make, branch, db):
    from survey.campaigns import meeting

    campaign = make.campaign(
        branch,
        status="draft",
        eligible_full=3,
        extra_questions=meeting.indicator_questions(["team"]),
    )
    url = f"/staff/campaigns/{campaign.id}"
    form = secretary.get(f"{url}/edit")
    assert form.status_code == 200
    assert re.search(r'<input checked[^>]*value="team"|value="team"[^>]*checked', form.text)
    answer = post(
        secretary,
        f"{url}/edit",
        f"{url}/edit",
        title="改过的标题",
        eligible_full=20,
        eligible_probationary=1,
        indicators=["political", "masses"],
    )
    assert answer.status_code == 303
    db.session.rollback()
    edited = db.session.get(Campaign, campaign.id)
    assert edited.title == "改过的标题" and edited.eligible_total == 21
    assert [q.key for q in edited.questions] == ["overall", "political", "masses"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.update"))


def test_an_open_campaign_is_not_edited(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open", title="原标题")
    url = f"/staff/campaigns/{campaign.id}"
    answer = post(secretary, f"{url}/edit", url, title="新标题")
    assert answer.status_code == 409
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).title == "原标题"


def test_the_ballot_preview_cannot_be_sent(secretary, make, branch):
    campaign = make.campaign(branch, status="draft")
    page = secretary.get(f"/staff/campaigns/{campaign.id}/preview?lang=en")
    assert page.status_code == 200 and "Preview" in page.text
    assert 'name="choice"' in page.text and "<fieldset disabled" in page.text
    main = page.text.split("<main>")[1]
    assert "<form" not in main and 'type="submit"' not in main
    assert "style=" not in page.text and "<script>" not in page.text
