"""The title's whole life on the reviewer's pages: notice before the grant, the grant button,
titles up for revocation or past their term with a revoke form, the §三(三) count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import GOOD_ASSESSMENT, csrf_from
from notice_helpers import eligible, object_to, published

from survey.models import Objection, Title
from survey.rating import assessments, notice, titles


@pytest.fixture(autouse=True)
def quick(app):
    app.config["POLL_MIN_FILL_SECONDS"] = 0


def grant(client, branch_id, year=2026):
    page = client.get(f"/ratings/branches/{branch_id}?year={year}")
    url = f"/ratings/branches/{branch_id}/titles/{year}"
    return client.post(url, data={"csrf_token": csrf_from(page.text)})


def test_the_grant_button_is_on_the_page_for_an_eligible_branch(auth, client, make, db, org):
    eligible(make, db, org["first"])
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026")
    assert f'action="/ratings/branches/{org["first"].id}/titles/2026"' in page.text


def test_no_grant_button_under_a_scheme_shown_for_comparison(auth, client, make, db, org):
    eligible(make, db, org["first"])
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026&scheme=nmg-2020-annex2")
    assert "/titles/2026" not in page.text


@pytest.mark.parametrize(("ago", "status"), [(3, 409), (4, 409), (5, 303)])
def test_a_listed_branch_is_granted_only_after_the_notice_ends(
    auth, client, make, db, org, ago, status
):
    """A 5-day notice opened 4 days ago ends today: still running; opened 5 days ago: over."""
    eligible(make, db, org["first"])
    published(db, org["committee"], [org["first"]], days=5, ago=ago)
    auth.login("reviewer")
    answer = grant(client, org["first"].id)
    assert answer.status_code == status
    if status == 409:
        assert "公示期至" in answer.text


def test_an_unchecked_objection_holds_the_grant_and_an_unfounded_one_lets_it_through(
    auth, client, make, db, org
):
    eligible(make, db, org["first"])
    item = published(db, org["committee"], [org["first"]], days=5, ago=4)
    assert object_to(client, item.slug, org["first"].id).status_code == 303
    db.session.rollback()
    objection = db.session.query(Objection).one()
    day_after = item.closes_on + timedelta(days=1)
    with pytest.raises(notice.NoticeBlocks) as held:
        notice.check_grant(db.session, org["first"].id, 2026, on=day_after)
    assert held.value.detail["kind"] == "unchecked"
    notice.check_objection(db.session, "t", objection, "unfounded", "经核实无此事")
    notice.check_grant(db.session, org["first"].id, 2026, on=day_after)  # no refusal


def test_a_verified_objection_blocks_the_grant_with_its_reason(auth, client, make, db, org):
    eligible(make, db, org["first"])
    item = published(db, org["committee"], [org["first"]], days=5, ago=5)
    objection = Objection(
        notice_id=item.id,
        organisation_id=org["first"].id,
        reason="支部书记长期不在岗",
        lodged_on=item.opens_on,
        receipt="r1",
    )
    db.session.add(objection)
    db.session.flush()
    notice.check_objection(db.session, "t", objection, "verified", "经查证属实")
    db.session.commit()
    auth.login("reviewer")
    answer = grant(client, org["first"].id)
    assert answer.status_code == 409
    assert "支部书记长期不在岗" in answer.text and "经查证属实" in answer.text
    record = client.get(f"/ratings/branches/{org['first'].id}?year=2026")
    assert "支部书记长期不在岗" in record.text  # on the branch's record
    assert db.session.query(Title).count() == 0


def test_a_title_granted_for_2025_shows_in_the_2025_summary(auth, client, make, db, org):
    eligible(make, db, org["first"], year=2025)
    titles.grant_title(db.session, "t", org["first"], 2025)
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2025")
    assert "已评定为2025年度最强党支部" in page.text
    other = client.get(f"/ratings/committees/{org['committee'].id}?year=2024")
    assert "已评定为2025年度" not in other.text


def _holder_now_weak(make, db, org):
    eligible(make, db, org["first"], year=2025)
    data = dict(GOOD_ASSESSMENT, facts=GOOD_ASSESSMENT["facts"] | {"term_ends_on": "2026-12-31"})
    assessments.save_assessment(db.session, "t", org["first"], 2025, data)
    title = titles.grant_title(db.session, "t", org["first"], 2025)
    db.session.commit()
    eligible(make, db, org["first"], year=2026)
    weak = dict(data, facts=GOOD_ASSESSMENT["facts"] | {"weak": True})
    assessments.save_assessment(db.session, "t", org["first"], 2026, weak)
    db.session.commit()
    return title


def test_the_summary_lists_titles_up_for_revocation_and_past_their_term_with_revoke_forms(
    auth, client, make, db, org
):
    title = _holder_now_weak(make, db, org)
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2026")
    life = page.text[page.text.index('id="life"') :]
    assert "《工作指南》第七部分（四）" in life and "软弱涣散" in life
    assert life.count(f'action="/ratings/titles/{title.id}/revoke"') >= 2  # revocation, term
    assert "2026-12-31" in life


def test_revoking_needs_a_reason_and_keeps_the_year(auth, client, make, db, org):
    title = _holder_now_weak(make, db, org)
    auth.login("reviewer")
    url = f"/ratings/committees/{org['committee'].id}?year=2026"
    token = csrf_from(client.get(url).text)
    revoke = f"/ratings/titles/{title.id}/revoke"
    base = {"csrf_token": token, "year": "2026", "committee_id": org["committee"].id}
    assert client.post(revoke, data=base | {"reason": "  "}).status_code == 400
    done = client.post(revoke, data=base | {"reason": "复查软弱涣散"})
    assert done.status_code == 303 and done.headers["Location"].endswith("?year=2026")
    from_branch = {"csrf_token": token, "year": "2025", "reason": "x"}
    db.session.rollback()
    assert db.session.get(Title, title.id).revoke_reason == "复查软弱涣散"
    again = client.post(revoke, data=from_branch)
    assert again.status_code == 409  # already revoked: never twice


def test_revoking_from_the_branch_page_returns_to_its_year(auth, client, make, db, org):
    eligible(make, db, org["first"], year=2025)
    title = titles.grant_title(db.session, "t", org["first"], 2025)
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2025")
    assert 'name="year" value="2025"' in page.text
    data = {"csrf_token": csrf_from(page.text), "year": "2025", "reason": "复查不合格"}
    done = client.post(f"/ratings/titles/{title.id}/revoke", data=data)
    assert done.headers["Location"] == f"/ratings/branches/{org['first'].id}?year=2025"


def test_titles_count_toward_the_target_only_under_a_committee_that_approves_probationary(
    auth, client, make, db, org
):
    for branch in (org["first"], org["second"]):
        eligible(make, db, branch, year=2025)
        titles.grant_title(db.session, "t", branch, 2025)
        db.session.commit()
    auth.login("reviewer")
    url = f"/ratings/committees/{org['committee'].id}?year=2025"
    page = client.get(url)
    counted = page.text[page.text.index('id="counted"') :]
    assert "<strong>0</strong>" in counted and "不计入" in counted
    box = {"csrf_token": csrf_from(page.text), "year": "2025", "approves_probationary": "y"}
    flip = client.post(f"/ratings/committees/{org['committee'].id}/approves-probationary", data=box)
    assert flip.status_code == 303 and flip.headers["Location"].endswith("?year=2025")
    counted = client.get(url).text
    counted = counted[counted.index('id="counted"') :]
    assert "<strong>2</strong>" in counted and "第1级：2个" in counted and "checked" in counted


@pytest.mark.parametrize(("term", "in_pool"), [("2026-12-31", True), ("2027-01-01", False)])
def test_a_holder_past_its_term_is_rated_anew_and_recommended_like_any_branch(
    auth, client, make, db, org, term, in_pool
):
    from survey import rating

    eligible(make, db, org["first"], year=2025)
    data = dict(GOOD_ASSESSMENT, facts=GOOD_ASSESSMENT["facts"] | {"term_ends_on": term})
    assessments.save_assessment(db.session, "t", org["first"], 2025, data)
    titles.grant_title(db.session, "t", org["first"], 2025)
    db.session.commit()
    eligible(make, db, org["first"], year=2026)
    summary = rating.committee_summary(db.session, org["committee"], 2026)
    assert (org["first"].id in summary["recommended"]) is in_pool
    first = next(b for b in summary["branches"] if b["organisation_id"] == org["first"].id)
    assert first["holds_title_since"] == 2025 and first["rated_anew"] is in_pool
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2026").text
    assert ("任期已届满，本年度重新评定" in page) is in_pool
    assert ("本年度复查" in page) is not in_pool
    export = client.get(f"/staff/files/committees/{org['committee'].id}/ratings.csv?year=2026").text
    assert ("推荐（第1位）" in export) is in_pool


def test_haimen_phases_are_compared_on_their_own_dates_on_the_page_and_in_the_summary(
    auth, client, make, db, org
):
    from datetime import datetime

    from survey import rating

    org["committee"].scheme = "haimen-2019"
    db.session.commit()
    granted = [datetime(2020, 1, 31, 15, 0), datetime(2020, 1, 31, 16, 30)]  # UTC: 23:00, 00:30
    for branch, when in zip((org["first"], org["second"]), granted, strict=True):
        db.session.add(
            Title(
                organisation_id=branch.id,
                year=2019,
                scheme="haimen-2019",
                rating={},
                rating_sha256="0" * 64,
                granted_by="t",
                granted_at=when,
            )
        )
    db.session.commit()
    summary = rating.committee_summary(db.session, org["committee"], 2020)
    first, second = summary["phases"]
    # 31 January 23:00 in Shanghai counts for the first phase; 1 February 00:30 does not
    assert (first["deadline"], first["built"], first["met"]) == ("2020-01-31", 1, False)
    assert (second["deadline"], second["built"], second["count"]) == ("2020-12-31", 2, 10)
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2020").text
    assert "截至2020年1月31日：已建成1个，目标5个" in page
    assert "截至2020年12月31日：已建成2个，目标10个" in page and "未达到" in page
    assert "《关于推进市级机关党组织示范化建设的意见》第三部分 第一阶段" in page
    export = client.get(f"/staff/files/committees/{org['committee'].id}/ratings.csv?year=2020").text
    assert (
        "截至2020年1月31日：已建成1个示范党组织，目标5个，未达到"
        "（《关于推进市级机关党组织示范化建设的意见》第三部分 第一阶段）"
    ) in export
    assert "截至2020年12月31日：已建成2个示范党组织，目标10个，未达到" in export


def test_the_committee_page_title_is_plain_text_without_the_forms_inside(auth, client, org):
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2026").text
    title = page[page.index("<title>") + 7 : page.index("</title>")]
    assert org["committee"].name in title and "2026" in title
    assert "csrf" not in title and "&lt;" not in title and "<" not in title
    assert page.count('id="counted"') == 1  # the titles section once, in the page
