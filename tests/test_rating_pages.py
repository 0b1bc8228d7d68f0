"""The reviewer's pages: enter an assessment, read the rating clause by clause, grant titles."""

import html
import io
import re
from datetime import date
from types import SimpleNamespace

from helpers import GOOD_ASSESSMENT, csrf_from, held_review
from openpyxl import load_workbook

from survey.files.export_words import phase_word
from survey.models import Title
from survey.rating import assessments


def test_reviewer_enters_an_assessment_in_the_form_and_grants_the_title(
    auth, client, make, db, org
):
    held_review(make, db, org["first"], 10, 0)
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}/assessment/2026"
    form = client.get(url)
    assert form.status_code == 200 and 'name="organisation_grade"' in form.text
    data = {
        "csrf_token": csrf_from(form.text),
        "organisation_grade": "excellent",
        "social-0-department": "纪检监察",
        "social-0-note": "无问题",
        "fact_public_notice_held": "yes",  # 群众评判 by 公示, for every branch
    }
    saved = client.post(url, data=data)
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"])
    assert page.status_code == 200
    assert "eligible" in page.text or "符合条件" in page.text
    assert re.search(r'href="/ratings/seeds/00\d\?clause=', page.text)
    grant = client.post(
        f"/ratings/branches/{org['first'].id}/titles/2026",
        data={"csrf_token": csrf_from(page.text), "scheme": "nmg-2020"},
    )
    assert grant.status_code == 303
    db.session.rollback()
    title = db.session.query(Title).one()
    assert title.granted_by == "web:reviewer" and title.rating["verdict"] == "eligible"
    history = client.get(f"/ratings/branches/{org['first'].id}?year=2026")
    revoke = client.post(
        f"/ratings/titles/{title.id}/revoke",
        data={"csrf_token": csrf_from(history.text), "reason": "复查不合格"},
    )
    assert revoke.status_code == 303
    assert "复查不合格" in client.get(f"/ratings/branches/{org['first'].id}").text


def test_an_other_exclusion_without_a_reason_is_refused_and_keeps_the_form(auth, client, org):
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}/assessment/2026"
    form = client.get(url)
    answer = client.post(
        url,
        data={"csrf_token": csrf_from(form.text), "ex_other": "y", "organisation_grade": "good"},
    )
    assert answer.status_code == 400
    assert re.search(r'<option[^>]*selected[^>]*value="good"', answer.text)
    assert "其他" in answer.text or "other" in answer.text


def test_granting_a_pending_rating_is_refused_with_a_readable_page(auth, client, org):
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}/assessment/2026")
    answer = client.post(
        f"/ratings/branches/{org['first'].id}/titles/2026",
        data={"csrf_token": csrf_from(page.text)},
    )
    assert answer.status_code == 409 and "<html" in answer.text


def test_committee_page_lists_every_branch_with_its_verdict(auth, client, make, db, org):
    held_review(make, db, org["first"], 10, 0)
    assessments.save_assessment(db.session, "test", org["first"], 2026, GOOD_ASSESSMENT)
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2026")
    assert page.status_code == 200
    assert (
        "第一党支部" in page.text and "第二党支部" in page.text and "外单位党支部" not in page.text
    )
    compare = client.get(
        f"/ratings/committees/{org['committee'].id}?year=2026&scheme=pingdingshan-2024"
    )
    assert compare.status_code == 200 and "pingdingshan-2024" in compare.text


def test_seed_pages_show_the_cited_document(auth, client, org):
    auth.login("reviewer")
    page = client.get("/ratings/seeds/000?clause=000%20§四(二)")
    assert page.status_code == 200 and "第四部分（二）" in page.text and "§" not in page.text
    marked = re.search(r'<mark id="clause"[^>]*>(.*?)</mark>', page.text, re.S)
    assert marked and "党员评议" in marked.group(1) and "90%" in marked.group(1)
    assert "000_" not in page.text  # no file name on the page
    assert client.get("/ratings/seeds/999").status_code == 404


def test_secretary_reads_own_branch_rating_but_cannot_assess_or_see_others(auth, client, org):
    auth.login("secretary")
    assert client.get(f"/ratings/branches/{org['first'].id}").status_code == 200
    assert client.get(f"/ratings/branches/{org['second'].id}").status_code == 404
    assert client.get(f"/ratings/branches/{org['first'].id}/assessment/2026").status_code == 403
    assert client.get(f"/ratings/committees/{org['committee'].id}").status_code == 403


def test_reviewer_cannot_reach_a_foreign_branch_or_committee(auth, client, org):
    auth.login("reviewer")
    assert client.get(f"/ratings/branches/{org['foreign'].id}").status_code == 404
    assert client.get(f"/ratings/committees/{org['foreign'].parent_id}").status_code == 404
    assert client.get(f"/ratings/branches/{org['foreign'].id}/assessment/2026").status_code == 404


def test_strangers_are_sent_to_sign_in(client, org):
    answer = client.get(f"/ratings/branches/{org['first'].id}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_thresholds_and_values_read_in_words(app):
    from survey.rating.figures import threshold_lines, value_lines

    with app.test_request_context("/?lang=en"):
        assert threshold_lines(
            {"excellent_share": {"min": {"numerator": 9, "denominator": 10}}}
        ) == ["Share of excellent grades at least 9/10（90.0%）"]
        assert threshold_lines({"grade": {"in": ["excellent"]}}) == ["Committee grade is Excellent"]
        none_verified = ["No dissatisfied opinion verified true"]
        assert threshold_lines({"verified": {"max": 0}}) == none_verified
        assert threshold_lines(None) == []
        assert value_lines({"weak": False, "keys": []}) == [
            "Weak and lax this year: no",
            "Negative list: none",
        ]
    with app.test_request_context("/"):  # Chinese by default
        from flask_babel import refresh

        refresh()  # the test's app context keeps the English catalogue otherwise
        # a Chinese page writes each bound as a sentence, as a notice does: no ∈, ≥ nor ≤
        assert threshold_lines({"grade": {"in": ["excellent"]}}) == ["组织评定为“优秀”"]
        assert threshold_lines({"grade": {"in": ["excellent", "good"]}}) == [
            "组织评定为“优秀”或“良好”"
        ]
        assert threshold_lines(
            {"excellent_share": {"min": {"numerator": 9, "denominator": 10}}}
        ) == ["“优秀”票比例不少于9/10（90.0%）"]
        assert threshold_lines({"verified": {"max": 0}}) == ["无查证属实的不满意意见"]
        assert threshold_lines({"weak_last_year": {"equals": False}}) == [
            "上年度未被列为软弱涣散党组织"
        ]
        founded = {"founded_on": {"on_or_before": "2025-12-31"}}
        assert threshold_lines(founded, 2026) == ["成立满一年（2025年12月31日以前成立）"]


def test_ratings_index_sends_each_role_where_it_belongs(auth, client, org):
    auth.login("secretary")
    answer = client.get("/ratings/")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/ratings/branches/{org['first'].id}")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/staff/").text)})
    auth.login("reviewer")
    page = client.get("/ratings/")
    assert "机关党委" in page.text and "另一党委" not in page.text


def test_a_title_is_granted_only_under_the_committees_own_scheme(auth, client, make, db, org):
    held_review(make, db, org["first"], 8, 2)  # fails nmg-2020 (80 %), not pingdingshan
    assessments.save_assessment(db.session, "test", org["first"], 2026, GOOD_ASSESSMENT)
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026&scheme=pingdingshan-2024")
    assert "titles/2026" not in page.text  # no grant button under a comparison scheme
    answer = client.post(
        f"/ratings/branches/{org['first'].id}/titles/2026",
        data={"csrf_token": csrf_from(page.text), "scheme": "pingdingshan-2024"},
    )
    assert answer.status_code == 409
    db.session.rollback()
    assert db.session.query(Title).count() == 0


def test_the_engines_reasons_read_in_chinese(auth, client, org):
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026")
    assert "本年度尚无党员评议" in page.text and "no member review this year" not in page.text
    english = client.get(f"/ratings/branches/{org['first'].id}?year=2026&lang=en")
    assert "no member review this year" in english.text


FORMULA_SIGNS = re.compile("[∈≤≥⊇§]")


def _visible(html_text: str) -> str:
    return re.sub(r"<[^>]+>", " ", html_text)


def test_the_clause_link_opens_the_document_at_the_marked_clause(auth, client, make, db, org):
    """《工作指南》第五部分（二）3 on the branch's page links to the seed's text at #clause, a
    <mark> holding the clause (群众评判 … 不得评定), not to 28,000 characters from the top."""
    held_review(make, db, org["first"], 10, 0)
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026&scheme=nmg-2020")
    links = re.findall(r'<a href="(/ratings/seeds/001\?[^"]+)">([^<]+)</a>', page.text)
    href = next(html.unescape(h) for h, text in links if text == "《工作指南》第五部分（二）3")
    path, fragment = href.split("#")
    seed = client.get(path)
    assert seed.status_code == 200
    marked = re.search(rf'<mark id="{fragment}"[^>]*>(.*?)</mark>', seed.text, re.S)
    assert marked, "the link's fragment names no element of the page"
    assert "群众评判" in marked.group(1) and "不得评定" in marked.group(1)
    assert "社会评价" not in marked.group(1)  # the clause ends where 4 begins
    assert "《工作指南》第五部分（二）3" in seed.text


def test_the_chinese_rating_pages_write_no_formula_signs(auth, client, make, db, org):
    held_review(make, db, org["first"], 10, 0)
    assessments.save_assessment(db.session, "test", org["first"], 2026, GOOD_ASSESSMENT)
    db.session.commit()
    auth.login("reviewer")
    for scheme in ("nmg-2020", "nmg-2020-annex2", "haimen-2019", "pingdingshan-2024"):
        for url in (
            f"/ratings/branches/{org['first'].id}?year=2026&scheme={scheme}",
            f"/ratings/committees/{org['committee'].id}?year=2026&scheme={scheme}",
        ):
            page = client.get(url)
            assert page.status_code == 200, url
            assert not FORMULA_SIGNS.findall(_visible(page.text)), url
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026")
    assert "组织评定为“优秀”" in page.text and "无查证属实的不满意意见" in page.text


def test_the_committee_target_reads_as_a_share_and_whether_it_is_reached(
    auth, client, make, db, org
):
    auth.login("reviewer")
    page = client.get(f"/ratings/committees/{org['committee'].id}?year=2026&scheme=nmg-2020")
    text = _visible(page.text)
    assert re.search(r"目标\d+%", text) and "✗" not in text and "✓" not in text


def test_the_summary_export_cites_clauses_in_words_without_formula_signs(
    auth, client, make, db, org
):
    held_review(make, db, org["first"], 10, 0)
    auth.login("reviewer")
    link = f"/staff/files/committees/{org['committee'].id}/ratings"
    words = []
    for scheme in ("nmg-2020", "haimen-2019"):
        summary = client.get(f"{link}.csv?year=2026&scheme={scheme}")
        assert summary.status_code == 200
        book = load_workbook(io.BytesIO(client.get(f"{link}.xlsx?year=2026&scheme={scheme}").data))
        cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
        words.append(summary.text + "\n".join(cells))
    assert not FORMULA_SIGNS.findall("".join(words))
    phase = SimpleNamespace(
        deadline=date(2021, 6, 30),
        built=1,
        met=False,
        target=SimpleNamespace(count=3, source="004 §三 第二阶段"),
    )
    assert phase_word(phase, "zh") == (
        "截至2021年6月30日：已建成1个示范党组织，目标3个，未达到"
        "（《关于推进市级机关党组织示范化建设的意见》第三部分 第二阶段）"
    )
