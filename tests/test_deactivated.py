"""A deactivated branch leaves the lists a reviewer reads this year (the committee summary on
the page, in the XLSX and in the API, the choices for a new campaign, poll or roll import);
its own rating page and its past years stay readable when asked for by id, and the admin
still sees it (to reactivate it). The filter is one: access.listed."""

from io import BytesIO

import pytest
from helpers import bearer, sign_in
from openpyxl import load_workbook

from survey.models import Organisation


@pytest.fixture
def world(make, db):
    committee, first, second, _ = make.tree()
    closed = make.campaign(second, year=2025, title="2025年度党员评议党支部工作")
    make.close(closed)
    second.active = False  # 第二党支部 was merged away
    db.session.commit()
    return {
        "committee": committee,
        "first": first,
        "second": second,
        "admin": make.user("root", "admin"),
        "reviewer": make.user("reviewer", "reviewer", committee),
    }


def test_the_committee_summary_page_and_xlsx_leave_it_out(client, world):
    sign_in(client, "reviewer")
    committee = world["committee"].id
    page = client.get(f"/ratings/committees/{committee}?year=2026").get_data(as_text=True)
    assert "第一党支部" in page and "第二党支部" not in page
    past = client.get(f"/ratings/committees/{committee}?year=2025").get_data(as_text=True)
    assert "第二党支部" not in past
    xlsx = client.get(f"/staff/files/committees/{committee}/ratings.xlsx?year=2026")
    assert xlsx.status_code == 200
    cells = [c.value for row in load_workbook(BytesIO(xlsx.data)).active.iter_rows() for c in row]
    assert "第一党支部" in cells and "第二党支部" not in cells


def test_its_own_pages_stay_readable_by_id(client, world):
    sign_in(client, "reviewer")
    second = world["second"].id
    answer = client.get(f"/ratings/branches/{second}?year=2025")
    assert answer.status_code == 200
    assert "第二党支部" in answer.get_data(as_text=True)


def test_new_campaigns_polls_and_imports_do_not_offer_it(client, world):
    sign_in(client, "root")
    for url in ("/staff/campaigns/new", "/staff/polls/new", "/staff/files/branches"):
        page = client.get(url).get_data(as_text=True)
        assert "第一党支部" in page, url
        assert "第二党支部" not in page, url


def test_the_admin_still_sees_it_to_reactivate_it(client, world):
    sign_in(client, "root")
    assert "第二党支部" in client.get("/staff/admin/").get_data(as_text=True)


def test_the_api_summary_leaves_it_out_and_reads_it_by_id(client, world):
    headers = bearer(world["reviewer"])
    query = f"committee_id={world['committee'].id}&year=2026"
    summary = client.get(f"/api/v1/ratings?{query}", headers=headers)
    assert summary.status_code == 200
    listed = {b["organisation_id"] for b in summary.get_json()["branches"]}
    assert listed == {world["first"].id}
    second = world["second"].id
    assert client.get(f"/api/v1/organisations/{second}", headers=headers).status_code == 200
    past = client.get(f"/api/v1/organisations/{second}/rating?year=2025", headers=headers)
    assert past.status_code == 200


def test_the_api_refuses_a_new_campaign_for_it_in_words(client, world):
    body = {"organisation_id": world["second"].id, "year": 2026, "kind": "member_review"}
    answer = client.post(
        "/api/v1/campaigns", json=dict(body, title="t"), headers=bearer(world["admin"])
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "organisation_id"


def test_reactivated_it_is_listed_again(client, world, db):
    db.session.get(Organisation, world["second"].id).active = True
    db.session.commit()
    sign_in(client, "reviewer")
    page = client.get(f"/ratings/committees/{world['committee'].id}?year=2026")
    assert "第二党支部" in page.get_data(as_text=True)
