"""Paper ballots (纸质票): a teller enters a card's paper ballot, spent as a phone cast spends
it (one time across both channels, the same envelope), counted beside the phone ballots, and
shown in the tally and the minutes as how many came by each channel -- never per choice."""

from __future__ import annotations

import re

import pytest
from appraisal_helpers import appraisal
from helpers import ballot_form, bearer, cast, counted_choices, csrf_from, envelopes
from sqlalchemy import inspect, text

from survey.ballotbox import ballots
from survey.core import codes
from survey.core.security import ballot_token
from survey.models import Ballot


@pytest.fixture
def branch(make):
    committee, first, _second, _foreign = make.tree()
    make.user("secretary", "secretary", first)
    make.user("reviewer", "reviewer", committee)
    make.user("stranger", "secretary", _foreign)
    return first


def paper_api(client, user, campaign, code, answers):
    return client.post(
        f"/api/v1/campaigns/{campaign.id}/paper-ballots",
        json={"code": code, "answers": answers},
        headers=bearer(user),
    )


def user(make, name):
    """The staff account ``name`` with a fresh API token (``api_token``, in clear)."""
    from survey.models import User
    from survey.staff import tokens

    make.session.rollback()
    token = make._commit(lambda: tokens.create(make.session, "test", username=name))
    found = make.session.query(User).filter_by(username=name).one()
    found.api_token = token
    return found


def card_state(db, card) -> tuple[str, str | None]:
    db.session.rollback()
    row = db.session.execute(
        text("SELECT status, channel FROM ballots WHERE id = :id"), {"id": card.id}
    ).one()
    return row.status, row.channel


def teller_post(client, campaign, **data):
    url = f"/staff/campaigns/{campaign.id}/paper"
    token = csrf_from(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **data})


def test_paper_ballots_are_counted_beside_phone_ballots_in_the_tally_and_the_minutes(
    make, branch, db, client, auth
):
    campaign = make.campaign(branch)
    cards = make.ballots(campaign, 7)
    for card in cards[:4]:
        cast(db.session, card.id, {campaign.headline.id: "excellent"})
    auth.login("secretary")
    for card, grade in ((cards[4], "competent"), (cards[5], "incompetent")):
        entered = teller_post(client, campaign, code=codes.display(card.code), overall=grade)
        assert entered.status_code == 303, entered.text
    assert card_state(db, cards[4]) == ("used", "paper")
    assert card_state(db, cards[0]) == ("used", "phone")
    make.close(campaign)
    assert counted_choices(db, campaign.id) == {"excellent": 4, "competent": 1, "incompetent": 1}
    tally = client.get(
        f"/api/v1/campaigns/{campaign.id}/tally", headers=bearer(user(make, "secretary"))
    )
    assert tally.json["cast"] == 6 and tally.json["paper"] == 2
    html = client.get(f"/staff/campaigns/{campaign.id}/results?lang=en").text
    phone = re.search(r'data-channel="phone"><th>[^<]*</th><td>(\d+)</td>', html)
    paper = re.search(r'data-channel="paper"><th>[^<]*</th><td>(\d+)</td>', html)
    assert (int(phone.group(1)), int(paper.group(1))) == (4, 2)
    assert "paper ballots (纸质票)" in html
    # the minutes say it in one line, as they are signed: 手机投票4张 / 纸质票2张
    minutes = client.get(f"/staff/campaigns/{campaign.id}/minutes?lang=zh").text
    assert '<span data-channel="phone">手机投票4张</span>' in minutes
    assert '<span data-channel="paper">纸质票2张</span>' in minutes
    # Counts only per channel, never a choice per channel: no count row knows the channel.
    columns = {c["name"] for c in inspect(db.engine).get_columns("counts")}
    assert "channel" not in columns


def test_a_card_used_by_phone_is_refused_on_paper_and_a_paper_card_by_phone(
    make, branch, db, client
):
    campaign = make.campaign(branch)
    phoned, papered = make.ballots(campaign, 2)
    secretary = user(make, "secretary")
    cast(db.session, phoned.id, {campaign.headline.id: "excellent"})
    again = paper_api(client, secretary, campaign, phoned.code, {"overall": "competent"})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_used"
    first = paper_api(client, secretary, campaign, papered.code, {"overall": "competent"})
    assert first.status_code == 201, first.json
    db.session.rollback()
    assert ballots.find_receipt(db.session, first.json["receipt"]) is not None
    token = ballot_token(papered.id)
    page = client.get(f"/b/{token}")
    assert page.status_code == 409
    assert envelopes(db, campaign.id) == 2  # one each: the refusals stored nothing
    twice = paper_api(client, secretary, campaign, papered.code, {"overall": "excellent"})
    assert twice.status_code == 409 and envelopes(db, campaign.id) == 2


def test_a_phone_form_sent_after_its_card_was_entered_on_paper_is_refused(make, branch, db, client):
    campaign = make.campaign(branch)
    card = make.ballots(campaign, 1)[0]
    token = ballot_token(card.id)
    form = ballot_form(client.get(f"/b/{token}").text)  # the phone opened the ballot first
    entered = paper_api(
        client, user(make, "secretary"), campaign, card.code, {"overall": "excellent"}
    )
    assert entered.status_code == 201
    sent = client.post(f"/b/{token}", data=form | {"choice": "competent"})
    assert sent.status_code == 409
    assert envelopes(db, campaign.id) == 1


def test_a_refused_entry_spends_nothing_and_names_the_bad_field(make, branch, db, client, auth):
    campaign = make.campaign(branch, extra_questions=[("team", "队伍建设强")])
    card = make.ballots(campaign, 1)[0]
    secretary = user(make, "secretary")
    bad = paper_api(client, secretary, campaign, card.code, {"overall": "excellent", "team": "x"})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "team", bad.json
    missing = paper_api(client, secretary, campaign, card.code, {"overall": "excellent"})
    assert missing.status_code == 400 and missing.json["error"]["field"] == "team"
    stray = paper_api(
        client, secretary, campaign, card.code, {"overall": "good", "team": "good", "x": "good"}
    )
    assert stray.status_code == 400
    auth.login("secretary")
    page = teller_post(client, campaign, code=card.code, overall="excellent")  # team unmarked
    assert page.status_code == 400 and 'class="question invalid" id="team"' in page.text
    assert 'value="excellent" checked' in page.text  # the marks typed come back
    assert card_state(db, card) == ("issued", None)
    assert envelopes(db, campaign.id) == 0


def test_the_api_refuses_unknown_void_foreign_and_closed_as_for_a_phone(make, branch, db, client):
    campaign = make.campaign(branch)
    card, lost = make.ballots(campaign, 2)
    other = make.campaign(branch, kind="member_review", title="另一次评议", year=2025)
    foreign_card = make.ballots(other, 1)[0]
    make._commit(lambda: ballots.void_ballot(make.session, "test", lost))
    secretary = user(make, "secretary")
    marks = {"overall": "excellent"}
    unknown = paper_api(client, secretary, campaign, "ZZZZ-ZZZZ", marks)
    assert unknown.status_code == 404
    assert paper_api(client, secretary, campaign, foreign_card.code, marks).status_code == 404
    void = paper_api(client, secretary, campaign, lost.code, marks)
    assert void.status_code == 409 and void.json["error"]["code"] == "void"
    garbled = paper_api(client, secretary, campaign, "7KD2-QX", marks)
    assert garbled.status_code == 400 and garbled.json["error"]["field"] == "code"
    stranger = paper_api(client, user(make, "stranger"), campaign, card.code, marks)
    assert stranger.status_code == 404  # outside the token's scope: as if absent
    reviewer = paper_api(client, user(make, "reviewer"), campaign, card.code, marks)
    assert reviewer.status_code == 201  # 监票人: a reviewer in scope may enter them
    make.close(campaign)
    closed = paper_api(client, secretary, campaign, card.code, marks)
    assert closed.status_code == 403 and closed.json["error"]["code"] == "not_open"


def test_an_appraisal_paper_ballot_takes_one_grade_per_member_row(make, branch, db, client, auth):
    campaign = appraisal(make, branch, n=4)
    card = make.ballots(campaign, 1)[0]
    secretary = user(make, "secretary")
    rows = {q.key: "competent" for q in campaign.questions}
    partial = dict(list(rows.items())[:2])
    refused = paper_api(client, secretary, campaign, card.code, partial)
    assert refused.status_code == 400 and refused.json["error"]["field"].startswith("m_")
    answer = paper_api(client, secretary, campaign, card.code, rows)
    assert answer.status_code == 201
    make.close(campaign)
    assert counted_choices(db, campaign.id) == {"competent": 4}
    auth.login("secretary")
    minutes = client.get(f"/staff/campaigns/{campaign.id}/appraisal/print?lang=en").text
    paper = re.search(r'data-channel="paper"><th>[^<]*</th><td>(\d+)</td>', minutes)
    phone = re.search(r'data-channel="phone"><th>[^<]*</th><td>(\d+)</td>', minutes)
    assert (int(phone.group(1)), int(paper.group(1))) == (0, 1)


def test_the_teller_page_offers_its_form_confirms_and_offers_the_next(
    make, branch, db, client, auth
):
    campaign = make.campaign(branch)
    first, second = make.ballots(campaign, 2)
    auth.login("reviewer")
    url = f"/staff/campaigns/{campaign.id}/paper"
    page = client.get(url + "?lang=en")
    assert page.status_code == 200
    assert (
        f'action="{url}"' in page.text and 'name="code"' in page.text and "autofocus" in page.text
    )
    assert page.text.count('name="overall"') == 4
    entered = teller_post(client, campaign, code=first.code.lower(), overall="excellent")
    assert entered.status_code == 303
    confirmed = client.get(entered.headers["Location"] + "&lang=en")
    assert "Paper ballot entered and counted" in confirmed.text
    assert 'value=""' in confirmed.text  # the next empty form
    used = teller_post(client, campaign, code=first.code, overall="competent")
    assert used.status_code == 409 and "already been used" in used.text
    assert teller_post(client, campaign, code=second.code, overall="good").status_code == 400
    assert card_state(db, second) == ("issued", None)


def test_the_teller_page_refuses_a_draft_and_strangers(make, branch, db, client, auth):
    draft = make.campaign(branch, status="draft")
    auth.login("stranger")
    assert client.get(f"/staff/campaigns/{draft.id}/paper").status_code == 404
    auth.logout()
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{draft.id}/paper?lang=en")
    assert page.status_code == 409 and "Voting is not open" in page.text
    assert 'name="code"' not in page.text


def test_the_channel_is_on_the_card_only_and_no_envelope_row_knows_it(make, branch, db, client):
    campaign = make.campaign(branch)
    phoned, papered = make.ballots(campaign, 2)
    cast(db.session, phoned.id, {campaign.headline.id: "excellent"})
    paper_api(client, user(make, "secretary"), campaign, papered.code, {"overall": "excellent"})
    db.session.rollback()
    envelope_columns = {c["name"] for c in inspect(db.engine).get_columns("envelopes")}
    assert "channel" not in envelope_columns and "ballot_id" not in envelope_columns
    channels = db.session.execute(
        text("SELECT channel, count(*) FROM ballots WHERE campaign_id = :c GROUP BY channel"),
        {"c": campaign.id},
    ).all()
    assert dict(channels) == {"phone": 1, "paper": 1}
    assert db.session.get(Ballot, papered.id).receipt_code is None  # no receipt on the card


def test_the_card_sheet_prints_a_paper_ballot_per_card_with_the_same_code(
    make, branch, db, client, auth
):
    campaign = make.campaign(branch, status="draft", extra_questions=[("team", "队伍建设强")])
    make.ballots(campaign, 3)
    auth.login("secretary")
    url = f"/staff/campaigns/{campaign.id}/cards"
    sheet = client.get(url).text
    assert f'href="{url}?paper=1"' in sheet and "打印纸质票" in sheet
    assert 'class="paper-ballot' not in sheet
    printed = client.get(url + "?paper=1").text
    card_codes = re.findall(r'<article class="ballot-card" data-code="([^"]+)"', printed)
    paper_codes = re.findall(r'<article class="paper-ballot" data-code="([^"]+)"', printed)
    assert len(card_codes) == 3 and paper_codes == card_codes
    assert printed.count("无记名评议") == 3
    assert printed.count('class="tick-box"') == 3 * (4 + 4)  # two questions, four choices


def test_a_two_ballot_card_prints_both_paper_ballots_with_its_two_codes(
    make, branch, db, client, auth
):
    review = make.campaign(branch, status="draft")
    second = appraisal(make, branch, n=3, status="draft")
    make.ballots(review, 3)
    make.ballots(second, 3)
    auth.login("secretary")
    printed = client.get(f"/staff/campaigns/{review.id}/cards/both?paper=1")
    assert printed.status_code == 200, printed.text
    cards = re.findall(r'<article class="ballot-card" data-code="([^"]+)"', printed.text)
    papers = re.findall(r'<article class="paper-ballot" data-code="([^"]+)"', printed.text)
    assert len(cards) == 3
    assert papers == [code for card in cards for code in card.split(" / ")]
    rows = len(re.findall(r"<tr><th>\d+\. ", printed.text))  # a row per member, each ballot
    assert rows == 3 * 3


def test_phones_and_tellers_racing_for_one_card_count_it_once(app, make, branch, db):
    """10 phones over HTTP and 10 tellers through the API send one card at once: one 303 or
    one 201, every other answer 409, one envelope, and the card's channel is the winner's."""
    from test_race import race

    campaign = make.campaign(branch)
    card = make.ballots(campaign, 1)[0]
    token = ballot_token(card.id)
    secretary = user(make, "secretary")
    phones = [app.test_client() for _ in range(10)]
    forms = [ballot_form(c.get(f"/b/{token}").text) for c in phones]
    tellers = [app.test_client() for _ in range(10)]
    url, headers = f"/api/v1/campaigns/{campaign.id}/paper-ballots", bearer(secretary)
    body = {"code": card.code, "answers": {"overall": "excellent"}}

    def send(i):
        if i < 10:
            return phones[i].post(f"/b/{token}", data=forms[i] | {"choice": "competent"})
        return tellers[i - 10].post(url, json=body, headers=headers)

    statuses = sorted(answer.status_code for answer in race(send, 20))
    assert statuses in ([201] + [409] * 19, [303] + [409] * 19), statuses
    assert envelopes(db, campaign.id) == 1
    assert card_state(db, card) == ("used", "paper" if statuses[0] == 201 else "phone")


def test_the_openapi_document_lists_the_paper_ballot_route_and_its_refusals(client):
    doc = client.get("/api/v1/openapi.json").json
    path = next(p for p in doc["paths"] if p.endswith("/paper-ballots"))
    operation = doc["paths"][path]["post"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"code", "answers"}
    assert "paper" in doc["components"]["schemas"]["Tally"]["properties"]


def test_an_entry_refused_after_its_card_was_spent_is_rolled_back_before_the_page(
    make, branch, db, client, auth, monkeypatch
):
    """The page answers a refusal normally (no exception reaches the commit): it must roll
    back first, or the spend of a refused entry would be committed without its vote."""
    from survey.ballotbox import ballots as ballot_box
    from survey.core.errors import NotOpen

    campaign = make.campaign(branch)
    card = make.ballots(campaign, 1)[0]

    def closed_meanwhile(*_args, **_kwargs):
        raise NotOpen(status="closed")  # as a close committed while the entry waited

    monkeypatch.setattr(ballot_box, "store_cast", closed_meanwhile)
    auth.login("secretary")
    refused = teller_post(client, campaign, code=card.code, overall="excellent")
    assert refused.status_code == 403 and 'class="alert refusal"' in refused.text
    assert card_state(db, card) == ("issued", None)
    assert envelopes(db, campaign.id) == 0
