"""The member's ballot page made cheaper per request (issue 14, third pass) without a byte
or a message changed: WTForms' own messages from a per-locale catalogue, the rendered page
kept per campaign and language (survey/views/ballot_page.py)."""

import re
from contextlib import contextmanager

import pytest
from flask import template_rendered
from helpers import ballot_form

from forms import i18n
from survey.core.security import ballot_token

CSRF = re.compile(r'(<input id="csrf_token" name="csrf_token" type="hidden" value=")([^"]+)"')
NONCE = re.compile(r'(<input id="nonce" name="nonce" type="hidden" value=")([^"]+)"')


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


@contextmanager
def renders(app):
    """The templates rendered meanwhile (a page served from the cache renders none)."""
    seen = []

    def record(_sender, template, **_extra):
        seen.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def per_request(html: str) -> tuple[str, str, str]:
    """The page with its CSRF token and nonce blanked, and those two values."""
    csrf, nonce = CSRF.search(html).group(2), NONCE.search(html).group(2)
    blank = NONCE.sub(r'\1…"', CSRF.sub(r'\1…"', html))
    return blank, csrf, nonce


@pytest.fixture(autouse=True)
def no_pages_kept(app):
    """Each test starts with an empty cache (the app outlives a test; ids are reused)."""
    app.extensions.pop("ballot_pages", None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_cached_page_is_byte_for_byte_the_rendered_one(app, client, make, lang):
    committee, branch, *_ = make.tree()
    campaign = make.campaign(branch, eligible_full=10)
    first, second, third = (ballot_token(b.id) for b in make.ballots(campaign, 3))
    query = f"?lang={lang}&then={third}"
    app.config["BALLOT_PAGE_CACHE"] = False
    with renders(app) as seen:
        plain = client.get(f"/b/{first}{query}")
    assert seen == ["public/ballot.html"]
    app.config["BALLOT_PAGE_CACHE"] = True
    client.get(f"/b/{second}{query}")  # rendered and kept
    with renders(app) as seen:
        cached = client.get(f"/b/{first}{query}")
    assert seen == []  # served from the cache
    assert cached.status_code == plain.status_code == 200
    assert dict(cached.headers) | {"Set-Cookie": ""} == dict(plain.headers) | {"Set-Cookie": ""}
    page, csrf, nonce = per_request(cached.text)
    expected, plain_csrf, plain_nonce = per_request(plain.text)
    assert page == expected
    assert f'action="/b/{first}?then={third}"' in page
    assert nonce != plain_nonce and csrf.split(".")[0] == plain_csrf.split(".")[0]
    assert ("中文" if lang == "en" else "English") in page


def test_each_card_gets_its_own_token_nonce_and_action_and_the_cached_page_casts(
    app, client, open_ballot, make
):
    others = make.ballots(open_ballot.campaign, 2)
    for ballot in others:
        client.get(f"/b/{ballot_token(ballot.id)}")
    token = ballot_token(open_ballot.id)
    with renders(app) as seen:
        page = client.get(f"/b/{token}")
    assert seen == [] and f'action="/b/{token}"' in page.text
    assert all(ballot_token(b.id) not in page.text for b in others)
    answered = client.post(f"/b/{token}", data=ballot_form(page.text) | {"choice": "excellent"})
    assert answered.status_code == 303 and answered.location.startswith("/receipt/")
    assert client.post(f"/b/{token}", data=ballot_form(page.text)).status_code != 500


def test_an_edited_campaign_is_never_served_stale_and_a_closed_one_is_refused(
    app, client, open_ballot, make, db
):
    token = ballot_token(open_ballot.id)
    ballots = make.ballots(open_ballot.campaign, 2)
    assert "2026年度党员评议党支部工作" in client.get(f"/b/{token}").text
    open_ballot.campaign.title = "2026年度党员评议党支部工作（更正）"
    db.session.commit()
    with renders(app) as seen:
        page = client.get(f"/b/{ballot_token(ballots[0].id)}")
    assert seen == ["public/ballot.html"] and "（更正）" in page.text
    make.close(open_ballot.campaign)
    refused = client.get(f"/b/{ballot_token(ballots[1].id)}")
    assert refused.status_code == 403 and "（更正）" not in refused.text


def test_the_cache_keeps_a_bounded_number_of_pages(app, client, open_ballot, monkeypatch):
    from survey.views import ballot_page

    monkeypatch.setattr(ballot_page, "MAX_PAGES", 1)
    token = ballot_token(open_ballot.id)
    client.get(f"/b/{token}?lang=zh")
    client.get(f"/b/{token}?lang=en")
    assert len(app.extensions["ballot_pages"]) == 1


def test_a_ballot_page_and_a_cast_make_their_few_statements(app, db, client, open_ballot, make):
    """Pinned, BEGIN apart: the page 1 (the ballot with its campaign, organisation and
    questions), served from the cache or not; the cast 4 (the spend, the questions with the
    campaign's sealing key -- read in the cast's transaction and never cached, since printing
    the scrutineer cards again before the first vote changes it -- the envelope, the
    receipt), with its statements built once per worker."""
    from test_poll_statements import Statements

    token = ballot_token(open_ballot.id)
    for cached in (False, True):
        app.config["BALLOT_PAGE_CACHE"] = cached
        with Statements(db.engine) as page:
            form = ballot_form(client.get(f"/b/{token}").text)
        assert page.seen == ["SELECT"], page.seen
    for card in [open_ballot, *make.ballots(open_ballot.campaign, 1)]:  # the 2nd: warm
        token = ballot_token(card.id)
        form = ballot_form(client.get(f"/b/{token}").text)
        with Statements(db.engine) as cast:
            sent = client.post(f"/b/{token}", data=form | {"choice": "excellent"})
        assert sent.status_code == 303
        assert cast.seen == ["UPDATE", "SELECT", "INSERT", "INSERT"], cast.seen


@pytest.mark.parametrize("required", [True, False])
def test_a_member_appraisal_page_makes_two_statements_and_says_whether_all_rows_are_needed(
    db, client, make, required
):
    """The appraisal's page reads its ballot as the review's does (one statement, plain
    values), then its members' rows: 2, BEGIN apart; no second read of the ballot."""
    from appraisal_helpers import appraisal, member_names
    from test_poll_statements import Statements

    campaign = appraisal(make, make.organisation(), n=4, all_rows_required=required)
    token = ballot_token(make.ballots(campaign, 1)[0].id)
    with Statements(db.engine) as page:
        shown = client.get(f"/b/{token}", headers={"Accept-Language": "en"})
    assert shown.status_code == 200
    assert page.seen == ["SELECT", "SELECT"], page.seen
    assert all(name in shown.text for name in member_names(4))
    assert ("You may leave a member ungraded." in shown.text) is not required
