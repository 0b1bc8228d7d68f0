"""The member's ballot: every refusal with its status, in docs/design.md's order of precedence."""

import re
import time

import pytest
from helpers import ballot_form, counted_choices, csrf_from, envelopes, votes_counted

from survey.core import codes
from survey.core.security import ballot_token
from survey.models import Ballot, Receipt


@pytest.fixture
def open_ballot(make):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch, eligible_full=10)
    return make.ballots(campaign, 3)[0]


def vote(client, token, choice="excellent", **extra):
    page = client.get(f"/b/{token}")
    assert page.status_code == 200
    data = ballot_form(page.text) | {"choice": choice, **extra}
    return client.post(f"/b/{token}", data=data)


def test_ballot_page_offers_the_four_grades_and_is_not_cached(client, open_ballot):
    page = client.get(f"/b/{ballot_token(open_ballot.id)}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    radios = re.findall(r'<input[^>]*name="choice"[^>]*>', page.text)
    values = [re.search(r'value="([a-z_]+)"', radio).group(1) for radio in radios]
    assert values == ["excellent", "competent", "basically_competent", "incompetent"]
    assert all('type="radio"' in radio for radio in radios)


def test_a_vote_redirects_to_a_receipt_that_confirms_it_without_the_choice(
    client, open_ballot, make, db
):
    answer = vote(client, ballot_token(open_ballot.id), "basically_competent")
    assert answer.status_code == 303
    receipt_path = answer.headers["Location"]
    assert receipt_path.startswith("/receipt/")
    receipt = client.get(receipt_path)
    assert receipt.status_code == 200
    assert "basically_competent" not in receipt.text and "基本合格" not in receipt.text
    assert envelopes(db) == 1  # sealed while open: no plain response yet
    assert votes_counted(db) == 0
    assert db.session.get(Ballot, open_ballot.id).status == "used"
    assert db.session.query(Receipt).count() == 1
    make.close(open_ballot.campaign)
    db.session.rollback()
    campaign_id = open_ballot.campaign_id
    assert votes_counted(db, campaign_id) == 1 and envelopes(db) == 0
    assert counted_choices(db, campaign_id) == {"basically_competent": 1}


def test_second_cast_of_a_ballot_from_another_page_is_refused_with_409(client, open_ballot, db):
    token = ballot_token(open_ballot.id)
    page, other_page = client.get(f"/b/{token}"), client.get(f"/b/{token}")
    data = ballot_form(page.text) | {"choice": "excellent"}
    assert client.post(f"/b/{token}", data=data).status_code == 303
    again = client.post(f"/b/{token}", data=ballot_form(other_page.text) | {"choice": "competent"})
    assert again.status_code == 409
    assert "已" in again.text  # a readable Chinese page
    assert client.post(f"/b/{token}", data={"choice": "excellent"}).status_code == 409
    assert client.get(f"/b/{token}").status_code == 409
    assert envelopes(db) == 1


def test_the_same_form_sent_again_after_a_lost_answer_shows_its_receipt(client, open_ballot, db):
    """A worker killed after the commit: the browser's retry of the same form is shown the
    receipt of the vote already counted, and nothing is stored twice."""
    token = ballot_token(open_ballot.id)
    data = ballot_form(client.get(f"/b/{token}").text) | {"choice": "excellent"}
    first = client.post(f"/b/{token}", data=data)
    assert first.status_code == 303
    retry = client.post(f"/b/{token}", data=data | {"choice": "incompetent"})
    assert retry.status_code == 303
    assert retry.headers["Location"] == first.headers["Location"]
    assert client.get(retry.headers["Location"]).status_code == 200
    assert envelopes(db) == 1 and db.session.query(Receipt).count() == 1


def test_a_nonce_of_another_ballot_or_forged_is_refused(client, make, open_ballot, db):
    other = make.ballots(open_ballot.campaign, 1)[0]
    token = ballot_token(open_ballot.id)
    foreign = ballot_form(client.get(f"/b/{ballot_token(other.id)}").text)
    data = ballot_form(client.get(f"/b/{token}").text) | {"choice": "excellent"}
    assert client.post(f"/b/{token}", data=data | {"nonce": foreign["nonce"]}).status_code == 400
    assert client.post(f"/b/{token}", data=data | {"nonce": "forged"}).status_code == 400
    assert envelopes(db) == 0
    assert client.post(f"/b/{token}", data=data).status_code == 303
    # once used, a foreign nonce finds no receipt
    refused = client.post(f"/b/{token}", data=data | {"nonce": foreign["nonce"]})
    assert refused.status_code == 409


@pytest.mark.parametrize(
    "token", ["garbage", "x" * 300, "Ijk5OTki.aaaa.bbbb", "%E4%BD%A0%E5%A5%BD"]
)
def test_garbage_tokens_answer_404_with_a_readable_page(client, open_ballot, token):
    for answer in (client.get(f"/b/{token}"), client.post(f"/b/{token}", data={})):
        assert answer.status_code == 404
        assert "<html" in answer.text and "Traceback" not in answer.text


def test_forged_token_signed_with_another_key_is_404(app, client, open_ballot):
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("not-our-key", salt="survey.ballot.v1").dumps(open_ballot.id)
    assert client.get(f"/b/{forged}").status_code == 404
    assert client.post(f"/b/{forged}", data={"choice": "excellent"}).status_code == 404


def test_token_for_a_ballot_that_does_not_exist_is_404(client, open_ballot):
    assert client.get(f"/b/{ballot_token('0' * 32)}").status_code == 404


def test_token_signed_with_an_older_key_still_works(app, client, open_ballot):
    from itsdangerous import URLSafeTimedSerializer

    old = URLSafeTimedSerializer("test-key-old", salt="survey.ballot.v1").dumps(open_ballot.id)
    assert client.get(f"/b/{old}").status_code == 200


def test_expired_link_of_an_open_campaign_is_410(app, client, open_ballot):
    token = ballot_token(open_ballot.id)
    app.config["BALLOT_MAX_AGE"] = 0
    time.sleep(1.1)
    assert client.get(f"/b/{token}").status_code == 410
    assert client.post(f"/b/{token}", data={"choice": "excellent"}).status_code == 410


def test_closed_campaign_refuses_with_403_even_an_expired_or_used_ballot(app, client, make):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch)
    used, unused = make.ballots(campaign, 2)
    assert vote(client, ballot_token(used.id)).status_code == 303
    make.close(campaign)
    app.config["BALLOT_MAX_AGE"] = 0
    time.sleep(1.1)
    for ballot in (used, unused):
        answer = client.post(f"/b/{ballot_token(ballot.id)}", data={"choice": "excellent"})
        assert answer.status_code == 403
        assert "Traceback" not in answer.text


def test_draft_campaign_refuses_with_403(client, make):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch, status="draft")
    ballot = make.ballots(campaign)[0]
    assert client.get(f"/b/{ballot_token(ballot.id)}").status_code == 403


def test_voided_card_is_refused(client, make, db):
    from survey.ballotbox import ballots

    committee, branch, *_ = make.tree()
    ballot = make.ballots(make.campaign(branch))[0]
    ballots.void_ballot(db.session, "test", ballot)
    db.session.commit()
    assert client.get(f"/b/{ballot_token(ballot.id)}").status_code == 410


def test_missing_csrf_is_400_and_stores_nothing(client, open_ballot, db):
    answer = client.post(f"/b/{ballot_token(open_ballot.id)}", data={"choice": "excellent"})
    assert answer.status_code == 400
    db.session.rollback()  # read what the requests stored
    assert db.session.get(Ballot, open_ballot.id).status == "issued"
    assert envelopes(db) == 0


@pytest.mark.parametrize("choice", ["", "best", "satisfied", None])
def test_bad_choice_is_400_keeps_the_ballot_and_says_why(client, open_ballot, db, choice):
    token = ballot_token(open_ballot.id)
    page = client.get(f"/b/{token}")
    data = ballot_form(page.text)
    if choice is not None:
        data["choice"] = choice
    answer = client.post(f"/b/{token}", data=data)
    assert answer.status_code == 400
    assert 'name="choice"' in answer.text  # the ballot is shown again to correct
    assert envelopes(db) == 0
    assert db.session.get(Ballot, open_ballot.id).status == "issued"


def test_extra_indicator_questions_must_all_be_answered(client, make, db):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch, extra_questions=[("political", "政治功能强")])
    token = ballot_token(make.ballots(campaign)[0].id)
    page = client.get(f"/b/{token}")
    assert 'name="q_political"' in page.text
    data = ballot_form(page.text) | {"choice": "excellent"}
    assert client.post(f"/b/{token}", data=data).status_code == 400
    data["q_political"] = "competent"
    assert client.post(f"/b/{token}", data=data).status_code == 303
    make.close(campaign)
    db.session.rollback()  # read what the requests stored
    assert counted_choices(db, campaign.id) == {"competent": 1, "excellent": 1}


def test_the_five_strong_items_are_asked_in_the_page_language(client, make):
    from survey.campaigns.meeting import INDICATORS, indicator_questions

    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch, extra_questions=indicator_questions(list(INDICATORS)))
    token = ballot_token(make.ballots(campaign)[0].id)
    chinese = client.get(f"/b/{token}").text
    # the heading names the area, then the standard it asks about: 政治功能（是否做到“政治功能强”）
    headings = [f"<legend>{w[:-1]}（是否做到“{w}”）</legend>" for w in INDICATORS.values()]
    assert all(heading in chinese for heading in headings)
    english = client.get(f"/b/{token}?lang=en").text
    assert "<legend>Strong political function</legend>" in english
    assert "<legend>Strong work with the people</legend>" in english
    assert not any(words in english for words in INDICATORS.values())


def test_body_over_the_size_limit_is_413(client, open_ballot):
    answer = client.post(
        f"/b/{ballot_token(open_ballot.id)}", data={"choice": "excellent", "x": "a" * 100_000}
    )
    assert answer.status_code == 413
    assert "<html" in answer.text


def test_short_code_typed_leniently_opens_the_ballot(client, open_ballot):
    page = client.get("/b")
    typed = codes.display(open_ballot.code).lower().replace("-", " ")
    answer = client.post("/b", data={"csrf_token": csrf_from(page.text), "code": typed})
    assert answer.status_code == 303
    ballot_page = client.get(answer.headers["Location"])
    assert ballot_page.status_code == 200 and 'name="choice"' in ballot_page.text


def test_unknown_short_code_is_404_with_the_form_again(client, open_ballot):
    page = client.get("/b")
    answer = client.post("/b", data={"csrf_token": csrf_from(page.text), "code": "ZZZZ-ZZZZ"})
    assert answer.status_code == 404
    assert 'name="code"' in answer.text


def test_short_code_of_a_used_ballot_is_409(client, open_ballot):
    assert vote(client, ballot_token(open_ballot.id)).status_code == 303
    page = client.get("/b")
    answer = client.post("/b", data={"csrf_token": csrf_from(page.text), "code": open_ballot.code})
    assert answer.status_code == 409


def test_unknown_receipt_is_404(client, open_ballot):
    assert client.get("/receipt/AAAAA-AAAAA").status_code == 404
    assert client.get("/receipt/nonsense").status_code == 404


def test_pages_speak_chinese_first_and_english_on_request(client, open_ballot):
    token = ballot_token(open_ballot.id)
    assert "提交" in client.get(f"/b/{token}").text
    english = client.get(f"/b/{token}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Submit my vote" in english.text and "Excellent" in english.text
    assert "Submit my vote" in client.get(f"/b/{token}?lang=en").text
    assert "Submit my vote" in client.get(f"/b/{token}").text  # the choice is remembered
