"""What one public poll answer costs, pinned: SQL statements (BEGIN apart, as bench/ counts
them) and rate-limit storage calls. Counted, never timed: a regression that adds a query or
a Redis round trip to the residents' hot path fails here (docs/performance.md)."""

from __future__ import annotations

import pytest
from poll_helpers import poll_campaign, poll_form
from sqlalchemy import event

from survey.core.extensions import limiter

POLL_PAGE = 2  # the poll with its organisation and questions; the device under every key
POLL_ANSWER = 5  # the poll FOR SHARE; the device row; the envelope; the receipt; the counter


class Statements:
    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, _conn, _cursor, statement, *_args):
        verb = statement.split(None, 1)[0].upper()
        if verb != "BEGIN":  # transaction control, as COMMIT and psycopg's own BEGIN
            self.seen.append(verb)

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def storage_calls(monkeypatch):
    """Calls to the rate limits' storage (memory here; Redis as deployed)."""
    storage, calls = limiter.limiter.storage, []
    for name in ("acquire_entry", "get_moving_window", "incr", "get", "get_expiry", "clear"):
        method = getattr(storage, name, None)
        if method is not None:

            def counted(*args, _name=name, _method=method, **kwargs):
                calls.append(_name)
                return _method(*args, **kwargs)

            monkeypatch.setattr(storage, name, counted)
    return calls


@pytest.fixture
def poll(app, make):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    campaign = poll_campaign(make, make.organisation("社区党支部"))
    return campaign.slug  # read now: a later refresh would be counted


# An answer taken: the minute's moving-window hit, then the day's ceiling read and hit (one
# key whatever the ceiling, so that a raised ceiling lets in only the difference).
ANSWER_STORAGE_CALLS = ["acquire_entry", "get_moving_window", "acquire_entry"]


def test_a_poll_page_and_an_answer_make_their_few_statements(app, db, poll, storage_calls):
    client = app.test_client()
    with Statements(db.engine) as page:
        form = poll_form(client, poll)
    with Statements(db.engine) as answer:
        sent = client.post(f"/p/{poll}", data=form | {"choice": "satisfied", "website": ""})
    assert sent.status_code == 303, sent.status_code
    assert page.seen == ["SELECT"] * POLL_PAGE, page.seen
    assert answer.seen == ["SELECT"] + ["INSERT"] * (POLL_ANSWER - 1), answer.seen
    assert storage_calls == ANSWER_STORAGE_CALLS


def test_a_refused_answer_is_never_counted_by_the_rate_limit(app, db, poll, storage_calls):
    client = app.test_client()
    form = poll_form(client, poll) | {"website": ""}  # no choice: 400
    assert client.post(f"/p/{poll}", data=form).status_code == 400
    assert storage_calls == []


def test_a_resend_is_answered_its_receipt_without_a_storage_call(app, db, poll, storage_calls):
    client = app.test_client()
    form = poll_form(client, poll) | {"choice": "satisfied", "website": ""}
    first = client.post(f"/p/{poll}", data=form)
    with Statements(db.engine) as again:
        resent = client.post(f"/p/{poll}", data=form)
    assert resent.headers["Location"] == first.headers["Location"]
    assert storage_calls == ANSWER_STORAGE_CALLS  # the first answer's only
    # the poll, the refused device row, the receipt by the form's nonce
    assert again.seen == ["SELECT", "INSERT", "SELECT"], again.seen


def _blank(html: str) -> tuple[str, str, str]:
    """The poll page with its CSRF token and issue stamp blanked, and those two values."""
    from helpers import csrf_from
    from poll_helpers import issued_from

    csrf, issued = csrf_from(html), issued_from(html)
    return html.replace(csrf, "…").replace(issued, "…"), csrf, issued


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_kept_poll_page_is_the_rendered_one_with_its_own_token_and_stamp(app, db, make, lang):
    """The fresh poll page is kept per worker (survey/views/ballot_page.py ``kept``): byte
    for byte the rendered page but for each visitor's own CSRF token and fill stamp, each of
    which still answers; an edited poll is rendered afresh, never served stale."""
    from test_ballot_page_speed import renders

    app.config["POLL_MIN_FILL_SECONDS"] = 0
    campaign = poll_campaign(make, make.organisation("社区党支部"))
    poll = campaign.slug
    db.session.commit()  # no read snapshot held across the answers below (SQLite)
    app.extensions.pop("ballot_pages", None)
    app.config["BALLOT_PAGE_CACHE"] = False
    plain = _blank(app.test_client().get(f"/p/{poll}?lang={lang}").text)
    app.config["BALLOT_PAGE_CACHE"] = True
    app.test_client().get(f"/p/{poll}?lang={lang}")  # rendered and kept
    phones = [app.test_client() for _ in range(2)]
    with renders(app) as seen:
        kept = [_blank(phone.get(f"/p/{poll}?lang={lang}").text) for phone in phones]
    assert seen == []  # served from the worker's cache
    assert kept[0][0] == kept[1][0] == plain[0]
    assert len({kept[0][1], kept[1][1]}) == 2 and len({kept[0][2], kept[1][2]}) == 2
    for phone, (_html, csrf, issued) in zip(phones, kept, strict=True):
        form = {"csrf_token": csrf, "issued": issued, "choice": "satisfied", "website": ""}
        assert phone.post(f"/p/{poll}?lang={lang}", data=form).status_code == 303
    campaign.title = "2026年度群众满意度测评（更正）"
    db.session.commit()
    with renders(app) as seen:
        page = app.test_client().get(f"/p/{poll}?lang={lang}")
    assert seen == ["poll/poll.html"] and "（更正）" in page.text
