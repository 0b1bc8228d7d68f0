"""群众代表 at the 述职评议 meeting on the staff pages: a reviewer (or the branch's secretary)
creates one with its label, prints representatives' cards and finds its 不满意 in the queue."""

from urllib.parse import quote

from helpers import cast, csrf_from
from sqlalchemy import select

from survey.models import Ballot, Campaign


def create(client, branch, **data):
    page = client.get("/staff/campaigns/new?kind=masses_meeting")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_from(page.text),
        "kind": "masses_meeting",
        "organisation_id": branch.id,
        "year": 2026,
        "title": "述职评议会服务对象测评",
        "sealing": "server",
        **data,
    }
    return client.post("/staff/campaigns/new", data=form)


def test_a_reviewer_sees_only_the_masses_meeting_among_the_kinds(auth, client, org):
    auth.login("reviewer")
    page = client.get("/staff/campaigns/new").text
    assert 'value="masses_meeting"' in page and 'value="member_review"' not in page
    assert "服务对象" in page and "教师代表" in page
    assert "群众代表测评" in client.get("/staff/").text  # the reviewer's way in


def test_a_reviewer_creates_it_with_its_label_and_generates_representatives_cards(
    auth, client, db, org
):
    auth.login("reviewer")
    made = create(client, org["first"], representatives="service_users")
    assert made.status_code == 303, made.text
    db.session.rollback()
    campaign = db.session.scalars(select(Campaign).where(Campaign.kind == "masses_meeting")).one()
    assert campaign.representatives == "service_users" and campaign.headline.scale == "satisfaction"
    page = client.get(made.headers["Location"]).text
    assert "服务对象" in page and 'name="ballot_class" value="representative"' in page
    token = csrf_from(page)
    generated = client.post(
        f"/staff/campaigns/{campaign.id}/ballots",
        data={"csrf_token": token, "count": 5, "ballot_class": "representative"},
    )
    assert generated.status_code == 303
    db.session.rollback()
    classes = db.session.scalars(
        select(Ballot.ballot_class).where(Ballot.campaign_id == campaign.id)
    )
    assert set(classes) == {"representative"}
    cards = client.get(f"/staff/campaigns/{campaign.id}/cards")
    assert cards.status_code == 200 and "受邀代表" in cards.text


def test_a_reviewer_may_not_create_a_member_review_by_posting_it(auth, client, org):
    auth.login("reviewer")
    made = create(client, org["first"], kind="member_review")
    assert made.status_code == 403


def test_the_secretary_may_create_one_for_the_branch(auth, client, db, org):
    auth.login("secretary")
    made = create(client, org["first"], representatives="teachers")
    assert made.status_code == 303
    db.session.rollback()
    campaign = db.session.scalars(select(Campaign).where(Campaign.kind == "masses_meeting")).one()
    assert campaign.representatives == "teachers"


def test_paper_ballots_results_minutes_files_and_the_queue_of_a_masses_meeting(
    auth, client, make, db, org
):
    from survey.core import codes

    campaign = make.campaign(org["first"], kind="masses_meeting", representatives="teachers")
    cards = make.ballots(campaign, 5, "representative")
    for card, choice in zip(cards[:4], ["satisfied"] * 3 + ["basically_satisfied"], strict=True):
        cast(db.session, card.id, {campaign.headline.id: choice}, {})
    auth.login("reviewer")
    url = f"/staff/campaigns/{campaign.id}"
    teller = client.get(f"{url}/paper")
    assert teller.status_code == 200 and "不满意" in teller.text
    typed = client.post(
        f"{url}/paper",
        data={
            "csrf_token": csrf_from(teller.text),
            "code": codes.display(cards[4].code),
            "overall": "dissatisfied",
        },
    )
    assert typed.status_code == 303, typed.text
    make.close(campaign)
    results = client.get(f"{url}/results")
    assert results.status_code == 200 and "基本满意" in results.text
    minutes = client.get(f"{url}/minutes")
    assert minutes.status_code == 200 and "群众代表测评会议记录" in minutes.text
    assert "教师代表" in minutes.text and "党员评议党支部工作会议记录" not in minutes.text
    sheet = client.get(f"/staff/files/campaigns/{campaign.id}/summary.xlsx")
    assert (
        sheet.status_code == 200
        and quote("群众代表测评汇总表") in sheet.headers["Content-Disposition"]
    )
    page = client.get(url).text
    assert "查证不满意意见" in page and "教师代表" in page and "编辑草稿" not in page
    queue = client.get(f"/review/campaigns/{campaign.id}/complaints")
    assert queue.status_code == 200
    listed = client.get("/review/").text
    assert campaign.title in listed and "教师代表" in listed
