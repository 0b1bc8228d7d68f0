"""The member appraisal's ballot page: rows, blank rows kept and marked, the two-ballot card."""

import re

from appraisal_helpers import appraisal
from helpers import ballot_form, cast, csrf_from, envelopes

from survey.core.security import ballot_token
from survey.models import Ballot

GRADES = ("excellent", "competent", "basically_competent", "incompetent")


def keys_of(campaign):
    return [q.key for q in campaign.questions]


def test_the_page_has_one_row_per_member_with_four_grades(make, client):
    branch = make.organisation()
    campaign = appraisal(make, branch, 7, probationary=1)
    (card,) = make.ballots(campaign, 1)
    page = client.get(f"/b/{ballot_token(card.id)}?lang=zh")
    assert page.status_code == 200
    for key in keys_of(campaign):
        values = re.findall(rf'name="{key}" value="(\w+)"', page.text)
        assert tuple(values) == GRADES
    assert "data-keep" in page.text and "appraisal.js" in page.text
    assert all(label in page.text for label in ("优秀", "合格", "基本合格", "不合格"))
    assert "<strong data-left>7</strong>" in page.text
    assert "（预备党员）" in page.text


def test_all_rows_graded_are_counted(make, db, client):
    branch = make.organisation()
    campaign = appraisal(make, branch, 5)
    (card,) = make.ballots(campaign, 1)
    token = ballot_token(card.id)
    data = ballot_form(client.get(f"/b/{token}").text) | dict.fromkeys(
        keys_of(campaign), "competent"
    )
    answered = client.post(f"/b/{token}", data=data)
    assert answered.status_code == 303 and "/receipt/" in answered.location
    assert envelopes(db, campaign.id) == 1


def test_blank_rows_come_back_marked_with_the_chosen_grades_kept(make, db, client):
    branch = make.organisation()
    campaign = appraisal(make, branch, 5)
    (card,) = make.ballots(campaign, 1)
    token = ballot_token(card.id)
    keys = keys_of(campaign)
    data = ballot_form(client.get(f"/b/{token}?lang=zh").text) | {
        keys[0]: "excellent",
        keys[2]: "incompetent",
    }
    again = client.post(f"/b/{token}?lang=zh", data=data)
    assert again.status_code == 400
    assert re.search(rf'name="{keys[0]}" value="excellent" checked', again.text)
    assert re.search(rf'name="{keys[2]}" value="incompetent" checked', again.text)
    for key in (keys[1], keys[3], keys[4]):
        assert f'class="member invalid" id="{key}"' in again.text
    assert f'class="member" id="{keys[0]}"' in again.text
    assert "<strong data-left>3</strong>" in again.text
    assert envelopes(db, campaign.id) == 0
    db.session.rollback()
    assert db.session.get(Ballot, card.id).status == "issued"  # the card still votes
    data = ballot_form(again.text) | dict.fromkeys(keys, "competent")
    assert client.post(f"/b/{token}", data=data).status_code == 303


def test_rows_may_stay_blank_when_the_campaign_allows_it(make, db, client):
    branch = make.organisation()
    campaign = appraisal(make, branch, 5, all_rows_required=False)
    first, second = make.ballots(campaign, 2)
    keys = keys_of(campaign)
    token = ballot_token(first.id)
    data = ballot_form(client.get(f"/b/{token}").text)
    assert client.post(f"/b/{token}", data=data).status_code == 400  # not even one row
    data = ballot_form(client.get(f"/b/{token}").text) | {keys[1]: "basically_competent"}
    assert client.post(f"/b/{token}", data=data).status_code == 303
    assert envelopes(db, campaign.id) == 1


def test_a_forged_grade_is_refused_and_stores_nothing(make, db, client):
    branch = make.organisation()
    campaign = appraisal(make, branch, 5)
    (card,) = make.ballots(campaign, 1)
    token = ballot_token(card.id)
    data = ballot_form(client.get(f"/b/{token}").text) | dict.fromkeys(keys_of(campaign), "good")
    assert client.post(f"/b/{token}", data=data).status_code == 400
    assert envelopes(db, campaign.id) == 0


def test_one_card_carries_both_ballots_through_its_url(make, db, client):
    branch = make.organisation()
    review = make.campaign(branch)
    campaign = appraisal(make, branch, 5)
    (first,) = make.ballots(review, 1)
    (second,) = make.ballots(campaign, 1)
    then = ballot_token(second.id)
    token = ballot_token(first.id)
    page = client.get(f"/b/{token}?then={then}")
    assert f"?then={then}" in page.text  # the form posts it on
    data = ballot_form(page.text) | {"choice": "excellent"}
    answered = client.post(f"/b/{token}?then={then}", data=data)
    assert answered.status_code == 303 and f"then={then}" in answered.location
    receipt = client.get(answered.location + "&lang=zh")
    assert f'href="/b/{then}"' in receipt.text and "下一步：民主评议党员" in receipt.text
    assert client.get(f"/b/{then}").status_code == 200
    assert client.get(re.sub(r"then=.*", "then=forged", answered.location)).text.count("/b/") == 0


def test_a_forged_second_token_is_dropped(make, client):
    branch = make.organisation()
    (card,) = make.ballots(make.campaign(branch), 1)
    page = client.get(f"/b/{ballot_token(card.id)}?then=not-a-token")
    assert "then=" not in page.text


def test_a_two_ballot_card_scanned_again_goes_on_to_the_second_ballot(make, db, client):
    branch = make.organisation()
    review = make.campaign(branch)
    campaign = appraisal(make, branch, 5)
    (first,) = make.ballots(review, 1)
    (second,) = make.ballots(campaign, 1)
    then = ballot_token(second.id)  # signed once: a token made a second later differs
    link = f"/b/{ballot_token(first.id)}?then={then}"
    data = ballot_form(client.get(link).text) | {"choice": "competent"}
    assert client.post(link, data=data).status_code == 303
    again = client.get(link)  # the receipt was lost: the card is scanned again
    assert again.status_code == 303 and again.location.endswith(f"/b/{then}")
    alone = client.get(f"/b/{ballot_token(first.id)}")
    assert alone.status_code == 409  # without the second token: used, as always


def test_an_expired_page_keeps_the_grades_given_and_says_to_send_again(make, db, client):
    """The session cookie lost (WeChat does it): the CSRF check fails; the grades come back
    checked with a sentence, nothing is stored and the card stays unused."""
    branch = make.organisation()
    campaign = appraisal(make, branch, 4)
    (card,) = make.ballots(campaign, 1)
    token = ballot_token(card.id)
    form = ballot_form(client.get(f"/b/{token}").text)
    grades = dict(zip(keys_of(campaign), GRADES, strict=True))
    sent = client.post(f"/b/{token}?lang=zh", data={"nonce": form["nonce"], **grades})
    assert sent.status_code == 400 and "页面已过期" in sent.text
    for key, grade in grades.items():
        assert re.search(rf'name="{key}" value="{grade}" checked', sent.text), key
    assert envelopes(db, campaign.id) == 0
    assert db.session.get(Ballot, card.id).status == "issued"


def test_a_two_ballot_card_goes_on_to_the_second_once_the_first_has_closed(make, client):
    branch = make.organisation()
    review = make.campaign(branch)
    campaign = appraisal(make, branch, 5)
    (first,) = make.ballots(review, 1)
    (second,) = make.ballots(campaign, 1)
    make.close(review)
    link = f"/b/{ballot_token(first.id)}?then={ballot_token(second.id)}"
    scanned = client.get(link)
    assert scanned.status_code == 303
    assert scanned.location.endswith(f"/b/{ballot_token(second.id)}")
    alone = client.get(f"/b/{ballot_token(first.id)}")  # a card of one ballot: as before
    assert alone.status_code == 403


def type_code(client, typed, lang="zh"):
    token = csrf_from(client.get("/b").text)
    return client.post(f"/b?lang={lang}", data={"csrf_token": token, "code": typed})


def _display(ballot) -> str:
    return f"{ballot.code[:4]}-{ballot.code[4:]}"


def test_both_codes_of_a_card_typed_together_open_the_review_then_the_appraisal(make, client):
    branch = make.organisation()
    review = make.campaign(branch)
    campaign = appraisal(make, branch, 5)
    (first,) = make.ballots(review, 1)
    (second,) = make.ballots(campaign, 1)
    wanted = f"/b/{ballot_token(first.id)}?then={ballot_token(second.id)}"
    # as printed (appraisal code last), reversed, and run together in small letters
    for typed in (
        f"{_display(first)} / {_display(second)}",
        f"{_display(second)}／{_display(first)}",
        (first.code + second.code).lower(),
    ):
        answer = type_code(client, typed)
        assert answer.status_code == 303 and answer.location == wanted, typed


def test_typed_together_after_the_review_was_cast_the_card_opens_the_appraisal(make, db, client):
    branch = make.organisation()
    review = make.campaign(branch)
    campaign = appraisal(make, branch, 5)
    (first,) = make.ballots(review, 1)
    (second,) = make.ballots(campaign, 1)
    cast(db.session, first.id, {q.id: "excellent" for q in review.questions})
    answer = type_code(client, f"{_display(first)} / {_display(second)}")
    assert answer.status_code == 303 and answer.location == f"/b/{ballot_token(second.id)}"


def test_two_codes_of_different_meetings_are_no_card(make, client):
    branch, other = make.organisation(), make.organisation("第二党支部")
    (first,) = make.ballots(make.campaign(branch), 1)
    (second,) = make.ballots(appraisal(make, other, 5), 1)
    answer = type_code(client, f"{_display(first)} / {_display(second)}")
    assert answer.status_code == 404 and 'name="code"' in answer.text


def test_the_review_typed_alone_leads_on_to_the_appraisal_on_its_receipt(make, client):
    branch = make.organisation()
    review = make.campaign(branch)
    campaign = appraisal(make, branch, 5)
    (first,) = make.ballots(review, 1)
    make.ballots(campaign, 1)
    opened = type_code(client, _display(first))
    assert opened.status_code == 303 and "then=" not in opened.location
    data = ballot_form(client.get(opened.location).text) | {"choice": "excellent"}
    answered = client.post(opened.location, data=data)
    receipt = client.get(answered.location, headers={"Accept-Language": "zh"})
    assert 'class="button next-ballot" href="/b"' in receipt.text
    assert f"第二项：{campaign.title}" in receipt.text and "不要关闭本页" in receipt.text


def test_a_receipt_of_a_review_without_an_open_appraisal_leads_nowhere(make, client):
    branch = make.organisation()
    (card,) = make.ballots(make.campaign(branch), 1)
    opened = type_code(client, _display(card))
    data = ballot_form(client.get(opened.location).text) | {"choice": "excellent"}
    answered = client.post(opened.location, data=data)
    receipt = client.get(answered.location, headers={"Accept-Language": "zh"})
    assert receipt.status_code == 200 and "next-ballot" not in receipt.text
