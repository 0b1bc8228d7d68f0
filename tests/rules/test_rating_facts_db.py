"""The reviewer's facts through the service, the page and the committee summary (database)."""

from datetime import date

import pytest
from helpers import GOOD_ASSESSMENT, bearer, csrf_from, held_review

from survey import rating
from survey.core.errors import Invalid
from survey.rating import assessments, titles


def save(db, branch, year=2026, **facts):
    data = dict(GOOD_ASSESSMENT, facts=GOOD_ASSESSMENT["facts"] | facts)
    saved = assessments.save_assessment(db.session, "test", branch, year, data)
    db.session.commit()
    return saved


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"charisma": 3}, "facts"),
        ({"score": 95}, "facts"),  # a fact with a column of its own is not a further fact
        ({"weak": "yes"}, "facts.weak"),
        ({"internal_rank": 0}, "facts.internal_rank"),
        ({"internal_rank": True}, "facts.internal_rank"),
        ({"term_ends_on": "31/12/2026"}, "facts.term_ends_on"),
        ({"full_members": 10**9}, "facts.full_members"),
        ({"public_channel_verified": 1}, "facts.public_channel_verified"),  # from no channel
        ({"weak_override_reason": 7}, "facts.weak_override_reason"),
    ],
)
def test_a_bad_fact_is_refused_naming_it(db, org, facts, field):
    with pytest.raises(Invalid) as raised:
        assessments.save_assessment(db.session, "t", org["first"], 2026, {"facts": facts})
    assert raised.value.detail["field"] == field


def test_facts_are_kept_and_read_back_as_the_engine_needs_them(db, org):
    saved = save(db, org["first"], weak=False, term_ends_on="2027-06-30", overall_rank=2)
    evidence = rating.evidence_for(db.session, 2026, [org["first"]])[org["first"].id]
    assert evidence.assessment.facts == {
        "overall_rank": 2,
        "public_notice_held": True,
        "term_ends_on": date(2027, 6, 30),
        "weak": False,
    }
    stored = assessments.assessment_json(saved)["facts"]
    assert stored == {
        "overall_rank": 2,
        "public_notice_held": True,
        "term_ends_on": "2027-06-30",
        "weak": False,
    }


def test_weak_is_a_mark_of_one_year_not_of_the_branch(make, db, org):
    for year in (2025, 2026, 2027):
        held_review(make, db, org["first"], 10, 0, year=year)
        save(db, org["first"], year=year, weak=year == 2025)
    weak_year, next_year, year_after = (
        rating.rate_branch(db.session, org["first"], year) for year in (2025, 2026, 2027)
    )
    assert weak_year.criterion("weak").outcome == "fail"
    assert weak_year.criterion("weak_last_year").outcome == "pass"
    assert next_year.criterion("weak").outcome == "pass"
    assert next_year.criterion("weak_last_year").outcome == "fail"  # 不能直接越级
    assert next_year.verdict == "not_eligible"
    assert year_after.verdict == "eligible"


def test_the_committees_override_of_last_years_mark_is_audited_and_shown(
    auth, client, make, db, org
):
    from sqlalchemy import select

    from survey.models import AuditEntry

    held_review(make, db, org["first"], 10, 0, year=2026)
    save(db, org["first"], year=2025, weak=True)
    save(db, org["first"], year=2026, weak_override_reason="整顿验收合格，党委会议同意参评")
    rated = rating.rate_branch(db.session, org["first"], 2026)
    assert rated.verdict == "eligible"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "rating.weak_override")
    ).one()
    assert entry.detail == {"year": 2026, "reason": "整顿验收合格，党委会议同意参评"}
    save(db, org["first"], year=2026)  # withdrawn: the mark bars again, and the log says so
    assert rating.rate_branch(db.session, org["first"], 2026).verdict == "not_eligible"
    withdrawn = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "rating.weak_override_withdrawn")
    ).one()
    assert withdrawn.detail == {"year": 2026, "reason": None}
    save(db, org["first"], year=2026, weak_override_reason="整顿验收合格，党委会议同意参评")

    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026")
    assert "上年度未被列为软弱涣散" in page.text and "整顿验收合格，党委会议同意参评" in page.text
    api = client.get(
        f"/api/v1/organisations/{org['first'].id}/rating?year=2026", headers=bearer(org["reviewer"])
    ).get_json()
    criterion = next(c for c in api["criteria"] if c["key"] == "weak_last_year")
    assert criterion["value"]["weak_override_reason"] == "整顿验收合格，党委会议同意参评"
    link = f"/staff/files/committees/{org['committee'].id}/ratings.csv?year=2026"
    export = client.get(link).text
    assert "说明" in export
    assert "上年度被列为软弱涣散，党（工）委准予参评：整顿验收合格，党委会议同意参评" in export


def test_an_override_reason_longer_than_a_note_is_refused_naming_it(db, org):
    with pytest.raises(Invalid) as raised:
        save(db, org["first"], weak_override_reason="理" * 1001)
    assert raised.value.detail["field"] == "facts.weak_override_reason"


def test_the_summary_lists_holders_up_for_revocation_and_past_their_term(make, db, org):
    held_review(make, db, org["first"], 10, 0, year=2025)
    save(db, org["first"], year=2025, term_ends_on="2026-12-31")
    title = titles.grant_title(db.session, "test", org["first"], 2025)
    db.session.commit()
    held_review(make, db, org["first"], 10, 0)
    save(db, org["first"], weak=True)
    summary = rating.committee_summary(db.session, org["committee"], 2026)
    assert summary["up_for_revocation"] == [
        {
            "organisation_id": org["first"].id,
            "title_id": title.id,
            "criterion": "weak",
            "source": "001 工作指南 §七(四)",
            "reason": "marked weak and lax (软弱涣散)",
        }
    ]
    assert summary["due_for_rating"][0]["term_ended_on"] == "2026-12-31"
    db.session.refresh(title)
    assert title.revoked_at is None  # listed, never revoked silently


def test_the_page_shows_only_the_facts_the_branchs_scheme_and_domain_need(auth, client, db, org):
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}/assessment/2026"
    page = client.get(url).text  # an enterprise branch under nmg-2020
    assert 'name="fact_weak"' in page and 'name="fact_term_ends_on"' in page
    assert 'name="stars"' not in page and 'name="volunteers"' not in page
    assert 'name="fact_internal_rank"' not in page and 'name="fact_full_members"' not in page
    org["committee"].scheme = "haimen-2019"
    db.session.commit()
    page = client.get(url).text
    assert 'name="fact_full_members"' in page and 'name="fact_venue_six_haves"' in page
    assert 'name="organisation_grade"' not in page and 'name="social-0-department"' not in page


def test_the_page_saves_yes_no_and_date_facts(auth, client, db, org):
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}/assessment/2026"
    form = client.get(url)
    data = {
        "csrf_token": csrf_from(form.text),
        "organisation_grade": "excellent",
        "fact_weak": "yes",
        "fact_term_ends_on": "2027-03-31",
    }
    assert client.post(url, data=data).status_code == 303
    db.session.rollback()
    saved = rating.evidence_for(db.session, 2026, [org["first"]])[org["first"].id].assessment
    assert saved.facts == {"term_ends_on": date(2027, 3, 31), "weak": True}
    again = client.get(url).text
    assert 'value="2027-03-31"' in again


def test_the_page_saves_the_override_reason_and_shows_it_again(auth, client, db, org):
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}/assessment/2026"
    form = client.get(url)
    assert 'name="fact_weak_override_reason"' in form.text
    data = {
        "csrf_token": csrf_from(form.text),
        "organisation_grade": "excellent",
        "fact_weak_override_reason": "  整顿验收合格  ",
    }
    assert client.post(url, data=data).status_code == 303
    db.session.rollback()
    saved = rating.evidence_for(db.session, 2026, [org["first"]])[org["first"].id].assessment
    assert saved.facts == {"weak_override_reason": "整顿验收合格"}
    assert "整顿验收合格</textarea>" in client.get(url).text


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("member_disciplined", "党员有违规违纪违法问题受到处理"),
        ("staff_criminal", "设立党支部的基层单位有其他人员被追究刑事责任"),
    ],
)
def test_an_ordinary_members_entry_on_the_page_excludes_with_its_own_clause(
    auth, client, make, db, org, key, words
):
    org["committee"].scheme = "pingdingshan-2024"
    db.session.commit()
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}/assessment/2026"
    form = client.get(url)
    assert f'name="ex_{key}"' in form.text and words in form.text
    data = {"csrf_token": csrf_from(form.text), "organisation_grade": "excellent"}
    data |= {f"ex_{key}": "y", f"ex_{key}_note": "年内受到处理"}
    assert client.post(url, data=data).status_code == 303
    db.session.rollback()
    rated = rating.rate_branch(db.session, org["first"], 2026)
    assert rated.verdict == "not_eligible"
    assert rated.criterion("exclusions").source == "002 §三(三)"
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026").text
    cited = "《创建平顶山市机关“四强”党支部实施方案》第三部分（三）"
    assert words in page and cited in page and "§" not in page.split("<h2>")[0]


def test_the_facts_form_groups_the_branchs_own_domains_standards_and_no_others(
    auth, client, db, org
):
    import re

    org["committee"].scheme = "nmg-2020-annex2"
    org["first"].domain = "hospital"
    db.session.commit()
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}/assessment/2026"
    page = client.get(url).text
    legends = re.findall(r"<legend>(.*?)</legend>", page)
    assert legends[-2:] == ["其他评定事项", "公立医院党支部建设参考标准"]
    hospital = page.split("公立医院党支部建设参考标准", 1)[1].split("</fieldset>", 1)[0]
    general = page.split("其他评定事项", 1)[1].split("</fieldset>", 1)[0]
    for name in ("hospital_ethics", "hospital_centre_work", "hospital_trust"):
        assert f'name="fact_{name}"' in hospital and f'name="fact_{name}"' not in general
    assert "医德高尚" in hospital  # each standard in the document's own words
    assert 'name="fact_weak"' in general and 'name="fact_term_ends_on"' in general
    for other in ("organ_political", "village_three_affairs", "school_brand", "internal_rank"):
        assert f'name="fact_{other}"' not in page
    assert 'name="volunteers"' not in page and 'name="stars"' not in page

    data = {"csrf_token": csrf_from(page), "organisation_grade": "excellent"}
    data |= {"fact_hospital_ethics": "yes", "fact_hospital_centre_work": "yes"}
    data |= {"fact_hospital_trust": "yes"}  # §七(一)4 left unanswered
    assert client.post(url, data=data).status_code == 303
    db.session.rollback()
    rated = rating.rate_branch(db.session, org["first"], 2026)
    assert rated.criterion("hospital_ethics").outcome == "pass"
    assert rated.criterion("hospital_funds_rooms").outcome == "pending"
    assert rated.criterion("organ_political").outcome == "not_applicable"
    assert rated.verdict == "pending"
    shown = client.get(f"/ratings/branches/{org['first'].id}?year=2026").text
    assert "经费与活动室" in shown and "《工作指南》附件2第七部分（一）4" in shown


def test_public_judgement_is_pending_for_every_branch_until_a_channel_is_recorded(
    client, make, db, org
):
    # org's branches have no public-facing functions: once exempt, now judged like any
    held_review(make, db, org["first"], 10, 0)
    body = {k: v for k, v in GOOD_ASSESSMENT.items() if k != "facts"}
    url = f"/api/v1/organisations/{org['first'].id}/assessments/2026"
    headers = bearer(org["reviewer"])
    assert client.put(url, json=body, headers=headers).status_code == 200
    db.session.rollback()
    rated = rating.rate_branch(db.session, org["first"], 2026)
    assert rated.criterion("public").outcome == "pending" and rated.verdict == "pending"
    assert rated.criterion("social").outcome == "pass"

    interviews = dict(body, facts={"public_interviews": 40, "public_channel_verified": 0})
    assert client.put(url, json=interviews, headers=headers).status_code == 200
    db.session.rollback()
    rated = rating.rate_branch(db.session, org["first"], 2026)
    assert rated.criterion("public").value["channels"] == ["interviews"]
    assert rated.verdict == "eligible"

    verified = dict(body, facts={"public_interviews": 40, "public_channel_verified": 1})
    assert client.put(url, json=verified, headers=headers).status_code == 200
    db.session.rollback()
    assert rating.rate_branch(db.session, org["first"], 2026).verdict == "not_eligible"

    bad = dict(body, facts={"public_interviews": -1})
    refused = client.put(url, json=bad, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["field"] == "facts.public_interviews"


def test_the_channels_read_in_words_on_the_rating_page(auth, client, make, db, org):
    held_review(make, db, org["first"], 10, 0)
    save(db, org["first"], public_interviews=12)
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026").text
    assert "群众评判方式：公示、访谈" in page and "访谈群众人数：12" in page
    assert "notice" not in page and "interviews" not in page
