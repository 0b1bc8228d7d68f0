"""The secretary's meeting kit over HTTP: campaign, cards, lost card, open, close, results."""

import re

import pytest
from helpers import cast, csrf_from
from sqlalchemy import select

from survey.campaigns import meeting
from survey.core.errors import Conflict
from survey.models import AuditEntry, Ballot, Campaign


def post(client, url, page_url, **data):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def branch(make):
    committee, first, second, foreign = make.tree()
    make.user("secretary", "secretary", first)
    return first


@pytest.fixture
def secretary(auth, client, branch):
    auth.login("secretary")
    return client


def create(client, branch, **fields):
    data = {
        "organisation_id": branch.id,
        "year": 2026,
        "title": "2026年度民主评议",
        "eligible_full": 10,
        "eligible_probationary": 2,
        **fields,
    }
    return post(client, "/staff/campaigns/new", "/staff/campaigns/new", **data)


def test_a_secretary_creates_a_campaign_with_the_five_strong_indicators(secretary, branch, db):
    answer = create(secretary, branch, indicators=["political", "masses"])
    assert answer.status_code == 303
    db.session.rollback()
    campaign = db.session.scalar(select(Campaign))
    assert [q.key for q in campaign.questions] == ["overall", "political", "masses"]
    assert [q.prompt for q in campaign.questions[1:]] == ["政治功能强", "群众工作强"]
    assert campaign.eligible_total == 12 and campaign.status == "draft"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.create"))
    assert entry.actor == "web:secretary"


def test_a_bad_campaign_form_answers_400_with_the_form(secretary, branch, db):
    answer = create(secretary, branch, year="soon", title="")
    assert answer.status_code == 400 and "<form" in answer.text
    db.session.rollback()
    assert db.session.scalar(select(Campaign)) is None


def test_a_secretary_cannot_create_a_campaign_for_another_branch(secretary, make, db):
    other = make.organisation("别的支部")
    answer = create(secretary, other)
    assert answer.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(Campaign)) is None


def test_the_card_sheet_shows_a_qr_code_and_short_code_per_unused_card(secretary, make, branch):
    campaign = make.campaign(branch, status="draft")
    issued = make.ballots(campaign, 9)
    page = secretary.get(f"/staff/campaigns/{campaign.id}/cards")
    assert page.status_code == 200
    assert page.text.count('class="ballot-card"') == 9
    assert page.text.count('class="sheet"') == 2  # eight a page
    assert page.text.count("<svg") == 9
    for ballot in issued:
        assert f'data-code="{ballot.code[:4]}-{ballot.code[4:]}"' in page.text
    assert "https://survey.example.org/b/" not in page.text  # links live only in the QR codes


def test_generating_cards_in_draft_is_audited_and_redirects(secretary, make, branch, db):
    campaign = make.campaign(branch, status="draft")
    url = f"/staff/campaigns/{campaign.id}"
    answer = post(secretary, f"{url}/ballots", url, count=30, ballot_class="full")
    assert answer.status_code == 303
    db.session.rollback()
    assert len(db.session.scalars(select(Ballot)).all()) == 30
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ballots.generate"))
    assert entry.actor == "web:secretary" and entry.detail["count"] == 30


def test_a_bad_card_count_answers_400_with_the_campaign_page(secretary, make, branch, db):
    campaign = make.campaign(branch, status="draft")
    url = f"/staff/campaigns/{campaign.id}"
    answer = post(secretary, f"{url}/ballots", url, count=5000, ballot_class="full")
    assert answer.status_code == 400 and 'class="error"' in answer.text
    db.session.rollback()
    assert db.session.scalar(select(Ballot)) is None


def test_after_the_first_vote_the_sheet_is_refused_so_used_cards_cannot_be_spotted(
    secretary, make, branch, db
):
    campaign = make.campaign(branch, status="open")
    first, *_ = make.ballots(campaign, 3)
    cast(db.session, first.id, _answers(campaign, "excellent"))
    answer = secretary.get(f"/staff/campaigns/{campaign.id}/cards?lang=zh")
    assert answer.status_code == 409 and "<svg" not in answer.text
    assert "评议票清单已关闭" in answer.text
    page = secretary.get(f"/staff/campaigns/{campaign.id}").text
    assert f"/staff/campaigns/{campaign.id}/cards" not in page  # no link to a closed sheet


def test_opened_before_printing_the_full_sheet_prints_until_the_first_vote(
    secretary, make, branch, db
):
    campaign = make.campaign(branch, status="open")
    issued = make.ballots(campaign, 3)
    page = secretary.get(f"/staff/campaigns/{campaign.id}").text
    assert f"/staff/campaigns/{campaign.id}/cards" in page  # the sheet is offered again
    answer = secretary.get(f"/staff/campaigns/{campaign.id}/cards")
    assert answer.status_code == 200 and answer.text.count('class="ballot-card"') == 3
    assert all(f'data-code="{b.code[:4]}-{b.code[4:]}"' in answer.text for b in issued)


def test_the_sheet_service_refuses_once_a_card_is_used(make, branch, db):
    campaign = make.campaign(branch, status="open")
    first, *_ = make.ballots(campaign, 3)
    assert len(meeting.printable_ballots(db.session, campaign)) == 3
    cast(db.session, first.id, _answers(campaign, "excellent"))
    with pytest.raises(Conflict):
        meeting.printable_ballots(db.session, campaign)


def test_opening_asks_whether_the_cards_are_printed_and_opens_only_when_confirmed(
    secretary, make, branch, db
):
    campaign = make.campaign(branch, status="draft", sealing="server")
    make.ballots(campaign, 3)
    url = f"/staff/campaigns/{campaign.id}"
    assert f'href="{url}/open"' in secretary.get(url).text  # a link: works with JS off
    question = secretary.get(f"{url}/open?lang=zh")
    assert question.status_code == 200 and "评议票打印好了吗？" in question.text
    assert f'href="{url}/cards"' in question.text and 'name="printed"' in question.text
    unasked = post(secretary, f"{url}/open", url)
    assert unasked.status_code == 400 and "评议票打印好了吗？" in unasked.text
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "draft"
    assert post(secretary, f"{url}/open", url, printed="y").status_code == 303
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "open"


def test_cards_made_while_open_are_printed_from_that_answer_only(secretary, make, branch):
    campaign = make.campaign(branch, status="open")
    make.ballots(campaign, 3)
    url = f"/staff/campaigns/{campaign.id}"
    answer = post(secretary, f"{url}/ballots", url, count=2, ballot_class="probationary")
    assert answer.status_code == 201
    assert answer.text.count('class="ballot-card"') == 2


def test_a_lost_card_is_voided_and_replaced_by_one_of_its_class(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open")
    (lost,) = make.ballots(campaign, 1, "probationary")
    url = f"/staff/campaigns/{campaign.id}"
    typed = lost.code.lower()[:4] + " " + lost.code.lower()[4:]
    answer = post(secretary, f"{url}/lost", url, code=typed)
    assert answer.status_code == 201 and answer.text.count('class="ballot-card"') == 1
    db.session.rollback()
    rows = {b.code: b for b in db.session.scalars(select(Ballot))}
    assert rows[lost.code].status == "void"
    (replacement,) = [b for b in rows.values() if b.code != lost.code]
    assert replacement.status == "issued" and replacement.ballot_class == "probationary"
    assert re.search(replacement.code[:4] + "-" + replacement.code[4:], answer.text)


def test_a_used_or_unknown_card_cannot_be_replaced(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open")
    (used,) = make.ballots(campaign, 1)
    cast(db.session, used.id, _answers(campaign, "excellent"))
    url = f"/staff/campaigns/{campaign.id}"
    assert post(secretary, f"{url}/lost", url, code=used.code).status_code == 409
    assert post(secretary, f"{url}/lost", url, code="ZZZZ-ZZZZ").status_code == 404
    assert post(secretary, f"{url}/lost", url, code="no such code!").status_code == 400


def _answers(campaign, choice):
    return {q.id: choice for q in campaign.questions}


def test_open_then_close_seals_the_result_and_audits_both(secretary, make, branch, db):
    campaign = make.campaign(branch, status="draft", eligible_full=6)
    make.ballots(campaign, 6)
    url = f"/staff/campaigns/{campaign.id}"
    assert post(secretary, f"{url}/open", url, printed="y").status_code == 303
    answer = post(secretary, f"{url}/close", url, confirm="y")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/results")
    db.session.rollback()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.status == "closed" and len(campaign.snapshot_sha256) == 64
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor == "web:secretary")
    ).all()
    assert {"campaign.open", "campaign.closed"} <= set(actions)


def test_turnout_json_counts_cast_against_the_roll_without_results(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open", eligible_full=40, eligible_probationary=5)
    issued = make.ballots(campaign, 3)
    cast(db.session, issued[0].id, _answers(campaign, "excellent"))
    data = secretary.get(f"/staff/campaigns/{campaign.id}/turnout.json").get_json()
    assert data == {"status": "open", "cast": 1, "issued": 3, "expected": 45, "roll": True}
    page = secretary.get(f"/staff/campaigns/{campaign.id}/projector")
    assert page.status_code == 200 and 'http-equiv="refresh"' in page.text
    assert '<span id="cast">1</span>' in page.text and '<span id="expected">45</span>' in page.text
    assert "excellent" not in page.text.lower() and "优秀" not in page.text


def test_the_projector_reads_voted_n_of_those_to_take_part(secretary, make, branch, db):
    campaign = make.campaign(branch, status="open", eligible_full=12)
    issued = make.ballots(campaign, 3)
    cast(db.session, issued[0].id, _answers(campaign, "excellent"))
    page = secretary.get(f"/staff/campaigns/{campaign.id}/projector?lang=zh").text
    wanted = '应到<span id="expected">12</span>人，已投票<span id="cast">1</span>人'
    assert wanted in page


def test_without_a_roll_turnout_is_counted_against_cards_issued(secretary, make, branch):
    campaign = make.campaign(branch, status="open")
    make.ballots(campaign, 4)
    data = secretary.get(f"/staff/campaigns/{campaign.id}/turnout.json").get_json()
    assert data["expected"] == 4 and data["roll"] is False


def test_results_are_refused_while_open(secretary, make, branch):
    campaign = make.campaign(branch, status="open")
    assert secretary.get(f"/staff/campaigns/{campaign.id}/results").status_code == 403
    assert secretary.get(f"/staff/campaigns/{campaign.id}/minutes").status_code == 403


def _closed_with_votes(make, db, branch, choices, **fields):
    campaign = make.campaign(
        branch, status="open", extra_questions=[("political", "政治功能强")], **fields
    )
    issued = make.ballots(campaign, len(choices) + 1)
    for ballot, choice in zip(issued, choices, strict=False):
        cast(db.session, ballot.id, _answers(campaign, choice))
    make.close(campaign)
    return campaign


def test_results_show_bars_reconciliation_and_quorum_from_the_snapshot(secretary, make, branch, db):
    choices = ["excellent"] * 5 + ["competent"]
    campaign = _closed_with_votes(make, db, branch, choices, eligible_full=10)
    page = secretary.get(f"/staff/campaigns/{campaign.id}/results?lang=en")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart"') == 2
    assert "5 (83%)" in page.text and "1 (17%)" in page.text
    assert re.search(r"Cards issued</th><td>7<", page.text)
    assert re.search(r"Returned \(cast\)</th><td>6<", page.text)
    assert "Quorum reached" in page.text and "No quorum" not in page.text


def test_half_the_roll_or_fewer_is_flagged_as_no_quorum(secretary, make, branch, db):
    campaign = _closed_with_votes(make, db, branch, ["excellent"] * 5, eligible_full=10)
    page = secretary.get(f"/staff/campaigns/{campaign.id}/results?lang=en")
    assert "No quorum" in page.text


def test_under_five_responses_the_results_show_the_threshold_verdict_not_counts(
    secretary, make, branch, db
):
    campaign = _closed_with_votes(make, db, branch, ["excellent"] * 3 + ["competent"])
    page = secretary.get(f"/staff/campaigns/{campaign.id}/results?lang=en")
    assert page.text.count('<svg class="chart"') == 0
    assert 'data-verdict="below_threshold"' in page.text
    assert "3 (75%)" not in page.text and "1 (25%)" not in page.text


def test_minutes_carry_the_sealed_digest_and_its_qr_code(secretary, make, branch, db):
    campaign = _closed_with_votes(make, db, branch, ["excellent"] * 6, eligible_full=8)
    db.session.rollback()
    digest = db.session.get(Campaign, campaign.id).snapshot_sha256
    page = secretary.get(f"/staff/campaigns/{campaign.id}/minutes")
    assert page.status_code == 200 and digest in page.text
    assert "会议记录" in page.text and 'class="qr"' in page.text


def test_results_read_the_snapshot_not_a_recount(secretary, make, branch, db):
    campaign = _closed_with_votes(make, db, branch, ["excellent"] * 6)
    db.session.rollback()
    sealed = db.session.get(Campaign, campaign.id)
    snapshot = dict(sealed.snapshot)
    snapshot["cast"] = 99  # a tampered live database would not change the printed minutes'
    sealed.snapshot = snapshot
    db.session.commit()
    page = secretary.get(f"/staff/campaigns/{campaign.id}/results?lang=en")
    assert re.search(r"Returned \(cast\)</th><td>99<", page.text)


def test_every_card_prints_the_address_to_type_its_code_into(secretary, make, branch):
    campaign = make.campaign(branch, status="draft")
    make.ballots(campaign, 2)
    page = secretary.get(f"/staff/campaigns/{campaign.id}/cards?lang=zh").text
    line = "或在浏览器打开 https://survey.example.org/b，输入卡上的短码。"
    assert page.count(line) == 2


def test_cards_issued_is_one_figure_on_the_campaign_page_and_the_results(
    secretary, make, branch, db
):
    campaign = make.campaign(branch, status="open")
    issued = make.ballots(campaign, 12)
    for lost in issued[:2]:  # two lost cards: voided, each replaced by a new one
        meeting.replace_lost_card(db.session, "test", campaign, lost.code)
    db.session.commit()
    for ballot in issued[2:7]:
        cast(db.session, ballot.id, _answers(campaign, "excellent"))
    url = f"/staff/campaigns/{campaign.id}"
    assert "Cards issued: 12" in secretary.get(f"{url}?lang=en").text
    make.close(campaign)
    results = secretary.get(f"{url}/results?lang=en").text
    assert re.search(r"<th>Cards issued</th><td>12</td>", results)
    assert re.search(r"<th>Void</th><td>2</td>", results)
    assert re.search(r"<th>Not returned</th><td>7</td>", results)
