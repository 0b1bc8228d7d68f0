"""The member's ballot page made cheaper per request (issue 14, third pass) without a byte
or a message changed: WTForms' own messages from a per-locale catalogue."""

import pytest
from helpers import ballot_form

from forms import i18n
from survey.security import ballot_token


@pytest.fixture
def open_ballot(make):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch, eligible_full=10)
    return make.ballots(campaign, 3)[0]


@pytest.mark.parametrize(
    ("lang", "message"), [("zh", "不是有效的选择。"), ("en", "Not a valid choice.")]
)
def test_wtforms_messages_keep_the_language_of_the_request(client, open_ballot, lang, message):
    token = ballot_token(open_ballot.id)
    for _ in range(2):  # the second request is served from the cached catalogue
        page = client.get(f"/b/{token}?lang={lang}")
        data = ballot_form(page.text) | {"choice": "not-a-grade"}
        refused = client.post(f"/b/{token}?lang={lang}", data=data)
        assert refused.status_code == 400
        assert message in refused.text
    assert i18n._catalogue.cache_info().hits >= 1
