"""The committee's side of a member appraisal: creation on the web and by the API, the
results page, final grades and their cap, the print and the XLSX, and who may see them."""

import io
import re

from appraisal_helpers import appraisal, grades_of, roll
from helpers import bearer, cast, csrf_from
from openpyxl import load_workbook

from survey.models import Appraisee, AuditEntry, Campaign, Organisation


def _closed(make, db, branch, n=6, votes=6, **fields):
    campaign = appraisal(make, branch, n, **fields)
    for i, card in enumerate(make.ballots(campaign, votes)):
        chosen = dict.fromkeys(range(n), "competent") | {0: "excellent", 1: "incompetent"}
        cast(db.session, card.id, grades_of(campaign, chosen if i else chosen | {1: "competent"}))
    make.close(campaign)
    return campaign


def grade_table(client, campaign, token, decisions, lang="zh"):
    """The final grades' one submit: {appraisee id: (grade, reason)}; rows not given stay
    undecided."""
    data = {"csrf_token": token}
    for appraisee_id, (grade, reason) in decisions.items():
        data[f"grade-{appraisee_id}"], data[f"reason-{appraisee_id}"] = grade, reason
    url = f"/staff/campaigns/{campaign.id}/appraisal/grades?lang={lang}"
    return client.post(url, data=data)


def test_the_secretary_creates_an_appraisal_on_the_web(org, make, db, client, auth):
    roll(make, org["first"], 4, probationary=1)
    auth.login("secretary")
    page = client.get("/staff/campaigns/new?lang=zh")
    assert "民主评议党员" in page.text
    data = {
        "csrf_token": csrf_from(page.text),
        "kind": "member_appraisal",
        "organisation_id": org["first"].id,
        "year": 2026,
        "title": "2026年度民主评议党员",
        "all_rows_required": "",
        "excellent_cap": "30",
    }
    made = client.post("/staff/campaigns/new", data=data)
    assert made.status_code == 303
    db.session.rollback()
    campaign = db.session.query(Campaign).filter_by(kind="member_appraisal").one()
    assert campaign.top_grade_cap_percent == 30 and campaign.all_rows_required is False
    assert db.session.query(Appraisee).filter_by(campaign_id=campaign.id).count() == 4
    show = client.get(made.location + "?lang=zh")
    assert "名册中的4名党员" in show.text and "允许不评某名党员" in show.text


def test_a_branch_without_a_roll_is_told_on_the_form(org, client, auth):
    auth.login("secretary")
    page = client.get("/staff/campaigns/new")
    data = {
        "csrf_token": csrf_from(page.text),
        "kind": "member_appraisal",
        "organisation_id": org["first"].id,
        "year": 2026,
        "title": "评议",
    }
    refused = client.post("/staff/campaigns/new?lang=zh", data=data)
    assert refused.status_code == 400 and "该党支部尚无党员名册" in refused.text


def test_the_api_creates_an_appraisal_and_scopes_its_tally(org, make, db, client):
    roll(make, org["first"], 6)
    body = {
        "organisation_id": org["first"].id,
        "kind": "member_appraisal",
        "year": 2026,
        "title": "2026年度民主评议党员",
        "excellent_cap_percent": 20,
    }
    made = client.post("/api/v1/campaigns", json=body, headers=bearer(org["secretary"]))
    assert made.status_code == 201, made.json
    assert made.json["kind"] == "member_appraisal" and made.json["excellent_cap_percent"] == 20
    assert len(made.json["questions"]) == 6
    other = make.user("other", "secretary", org["second"])
    foreign = client.get(f"/api/v1/campaigns/{made.json['id']}/tally", headers=bearer(other))
    assert foreign.status_code == 404
    reviewer = make.user("rev2", "reviewer", org["committee"])
    cap = dict(body, excellent_cap_percent=101)
    assert (
        client.post("/api/v1/campaigns", json=cap, headers=bearer(org["secretary"])).status_code
        == 400
    )
    by_reviewer = client.post("/api/v1/campaigns", json=body, headers=bearer(reviewer))
    assert by_reviewer.status_code == 403  # the branch's own meeting: its secretary runs it


def test_results_final_grades_print_and_xlsx(org, make, db, client, auth):
    campaign = _closed(make, db, org["first"], top_grade_cap_percent=20)
    auth.login("reviewer")
    page = client.get(f"/staff/campaigns/{campaign.id}/appraisal?lang=zh")
    assert page.status_code == 200
    rows = (
        db.session.query(Appraisee)
        .filter_by(campaign_id=campaign.id)
        .order_by(Appraisee.position)
        .all()
    )
    assert all(r.name in page.text for r in rows)
    assert "83.3%" in page.text  # 5 of 6 graded member 2 不合格
    handling = page.text.split("需处置的不合格党员")[1].split("</section>")[0]
    assert rows[1].name in handling and rows[2].name not in handling
    token = csrf_from(page.text)
    ok = grade_table(client, campaign, token, {rows[0].id: ("excellent", "表现突出")})
    assert ok.status_code == 303
    over = grade_table(
        client,
        campaign,
        token,
        {rows[0].id: ("excellent", "表现突出"), rows[2].id: ("excellent", "也很好")},
    )
    assert over.status_code == 409 and "不得超过20%" in over.text
    bare = grade_table(client, campaign, token, {rows[3].id: ("basically_competent", "")})
    assert bare.status_code == 400
    db.session.rollback()
    assert [
        e.detail["name"]
        for e in db.session.query(AuditEntry).filter_by(action="appraisal.final_grade")
    ] == [rows[0].name]
    printed = client.get(f"/staff/campaigns/{campaign.id}/appraisal/print?lang=zh")
    assert printed.status_code == 200 and "民主评议党员测评汇总表" in printed.text
    sheet = client.get(f"/staff/campaigns/{campaign.id}/appraisal.xlsx?lang=zh")
    book = load_workbook(io.BytesIO(sheet.data))
    ws = book.active
    assert "民主评议党员测评汇总表" in ws["A1"].value
    assert [c.value for c in ws[3]][:4] == ["序号", "姓名", "类别", "参评人数"]
    assert ws.freeze_panes == "A4"
    assert ws.cell(4, 2).value == rows[0].name and ws.cell(4, 5).value == 6
    assert ws.cell(4, 9).number_format == "0.0%" and ws.cell(4, 9).value == 1
    assert ws.cell(4, 11).value == "优秀" and ws.cell(5, 13).value == "✔"
    english = load_workbook(
        io.BytesIO(client.get(f"/staff/campaigns/{campaign.id}/appraisal.xlsx?lang=en").data)
    ).active
    assert english.cell(3, 2).value == "Name" and english.cell(4, 11).value == "Excellent"


def test_names_and_results_stay_in_the_branch_and_its_committee(org, make, db, client, auth):
    campaign = _closed(make, db, org["first"])
    make.user("outsider", "secretary", org["second"])
    make.user("far", "reviewer", db.session.get(Organisation, org["foreign"].parent_id))
    for user in ("outsider", "far"):
        auth.login(user)
        for path in ("appraisal", "appraisal/print", "appraisal.xlsx"):
            assert client.get(f"/staff/campaigns/{campaign.id}/{path}").status_code == 404
        assert client.get(f"/staff/files/campaigns/{campaign.id}/summary.xlsx").status_code == 404
        auth.logout()
    assert client.get(f"/staff/campaigns/{campaign.id}/appraisal").status_code in (302, 303)


def test_the_generic_results_and_exports_send_an_appraisal_to_its_own(org, make, db, client, auth):
    campaign = _closed(make, db, org["first"])
    auth.login("secretary")
    moved = client.get(f"/staff/campaigns/{campaign.id}/results")
    assert moved.status_code == 303 and moved.location.endswith(f"/{campaign.id}/appraisal")
    book = load_workbook(
        io.BytesIO(client.get(f"/staff/files/campaigns/{campaign.id}/summary.xlsx").data)
    )
    assert "民主评议党员测评汇总表" in book.worksheets[0]["A1"].value
    assert client.get(f"/staff/files/campaigns/{campaign.id}/tally.csv").status_code == 200


def test_an_open_appraisal_shows_no_results(org, make, client, auth):
    campaign = appraisal(make, org["first"], 5)
    auth.login("secretary")
    assert client.get(f"/staff/campaigns/{campaign.id}/appraisal").status_code == 409


def test_fewer_than_five_ballots_show_no_counts_on_any_page(org, make, db, client, auth):
    campaign = _closed(make, db, org["first"], n=5, votes=4)
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{campaign.id}/appraisal?lang=zh")
    assert page.status_code == 200 and "不显示票数（小样本规则）" in page.text
    assert not re.search(r"\d+\.\d%", page.text)
    sheet = load_workbook(
        io.BytesIO(client.get(f"/staff/campaigns/{campaign.id}/appraisal.xlsx").data)
    ).active
    assert all(sheet.cell(r, c).value is None for r in range(4, 9) for c in range(4, 11))


def test_cards_carry_both_ballots(org, make, db, client, auth):
    review = make.campaign(org["first"], status="draft")
    campaign = appraisal(make, org["first"], 3, status="draft")
    make.ballots(review, 3)
    make.ballots(campaign, 2)
    auth.login("secretary")
    show = client.get(f"/staff/campaigns/{review.id}")
    assert f"/staff/campaigns/{review.id}/cards/both" in show.text
    assert client.get(f"/staff/campaigns/{review.id}/cards/both").status_code == 409
    make.ballots(campaign, 1)
    sheet = client.get(f"/staff/campaigns/{review.id}/cards/both")
    assert sheet.status_code == 200
    assert len(re.findall(r'data-code="[^"]+ / [^"]+"', sheet.text)) == 3


def test_the_api_tally_of_an_appraisal_lists_each_member_as_sealed(org, make, db, client):
    campaign = _closed(make, db, org["first"])
    tally = client.get(f"/api/v1/campaigns/{campaign.id}/tally", headers=bearer(org["reviewer"]))
    assert tally.status_code == 200
    rows = tally.json["appraisees"]
    undecided = {"final_grade": None, "final_reason": None}
    assert rows == [dict(row, **undecided) for row in campaign.snapshot["appraisees"]]
    assert rows[0]["counts"] == {
        "excellent": 6,
        "competent": 0,
        "basically_competent": 0,
        "incompetent": 0,
    }
    assert "counts" not in tally.json and "questions" not in tally.json
    sheet = client.get(
        f"/api/v1/campaigns/{campaign.id}/export.xlsx", headers=bearer(org["reviewer"])
    )
    assert (
        "民主评议党员测评汇总表" in load_workbook(io.BytesIO(sheet.data)).worksheets[0]["A1"].value
    )


def test_no_ballot_by_ballot_detail_shows_a_member_the_small_group_hides(
    org, make, db, client, auth
):
    """Six ballots, member 1 graded on three only: the summary hides their counts, and no
    detail sheet or CSV lists those three grades either."""
    campaign = appraisal(make, org["first"], 4, all_rows_required=False)
    for i, card in enumerate(make.ballots(campaign, 6)):
        chosen = dict.fromkeys(range(1, 4), "competent") | ({0: "incompetent"} if i < 3 else {})
        cast(db.session, card.id, grades_of(campaign, chosen))
    make.close(campaign)
    assert campaign.snapshot["appraisees"][0]["counts"] is None
    assert campaign.snapshot["appraisees"][1]["counts"]["competent"] == 6
    auth.login("secretary")
    detail = client.get(f"/staff/files/campaigns/{campaign.id}/responses.csv?lang=zh")
    assert detail.status_code == 410 and "不合格" not in detail.text
    book = load_workbook(
        io.BytesIO(client.get(f"/staff/files/campaigns/{campaign.id}/summary.xlsx").data)
    )
    (summary,) = book.worksheets  # counts only: no ballot-by-ballot sheet
    assert [summary.cell(4, c).value for c in range(4, 11)] == [None] * 7  # member 1 hidden


def test_an_appraisal_draft_is_previewed_and_edited_like_a_review(org, make, db, client, auth):
    roll(make, org["first"], 3)
    campaign = appraisal(make, org["first"], 3, status="draft")
    auth.login("secretary")
    show = client.get(f"/staff/campaigns/{campaign.id}?lang=zh")
    assert f"/staff/campaigns/{campaign.id}/preview" in show.text  # the page offers both
    assert f"/staff/campaigns/{campaign.id}/edit" in show.text
    preview = client.get(f"/staff/campaigns/{campaign.id}/preview?lang=zh")
    assert preview.status_code == 200 and "<main" in preview.text
    assert "<form" not in preview.text.split("<main", 1)[1]  # nothing to send
    assert preview.text.count('class="member') == 3 and "<fieldset disabled" in preview.text
    # a corrected roll imported after the draft: the edit reads it again when asked
    roll(make, org["first"], 5, probationary=1)
    page = client.get(f"/staff/campaigns/{campaign.id}/edit?lang=zh")
    assert "重新读取" in page.text
    data = {
        "csrf_token": csrf_from(page.text),
        "title": "2026年度民主评议党员（修订）",
        "eligible_full": "4",
        "eligible_probationary": "1",
        "excellent_cap": "40",
        "reread_roll": "y",
    }
    assert client.post(f"/staff/campaigns/{campaign.id}/edit", data=data).status_code == 303
    db.session.rollback()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.title.endswith("（修订）") and campaign.top_grade_cap_percent == 40
    assert campaign.all_rows_required is False  # the unticked box
    rows = db.session.query(Appraisee).filter_by(campaign_id=campaign.id).all()
    assert len(rows) == 5 and len(campaign.questions) == 5
    assert sorted(q.key for q in campaign.questions) == sorted(r.key for r in rows)
    assert db.session.query(AuditEntry).filter_by(action="campaign.update").count() == 1


def test_an_open_appraisal_is_not_edited(org, make, client, auth):
    campaign = appraisal(make, org["first"], 3)
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{campaign.id}/edit?lang=zh")
    assert page.status_code == 409 and "只有草稿" in page.text


def test_the_api_records_final_grades_as_the_page_does(org, make, db, client):
    campaign = _closed(make, db, org["first"], n=6, top_grade_cap_percent=20)
    rows = db.session.query(Appraisee).filter_by(campaign_id=campaign.id).order_by("position")
    first, second, *_ = rows.all()
    url = f"/api/v1/campaigns/{campaign.id}/appraisees/{{}}/final-grade"
    good = {"grade": "excellent", "reason": "全票优秀"}
    put = client.put(url.format(first.id), json=good, headers=bearer(org["reviewer"]))
    assert put.status_code == 200 and put.json["final_grade"] == "excellent", put.json
    # 20 % of 6 members is one 优秀: a second is refused with 409, as on the page
    over = client.put(url.format(second.id), json=good, headers=bearer(org["secretary"]))
    assert over.status_code == 409 and over.json["error"]["code"] == "conflict"
    # the reason is needed; a member of another campaign is absent; a foreign branch's
    # secretary sees no such campaign; a grade outside the four is named
    assert (
        client.put(
            url.format(second.id), json={"grade": "competent"}, headers=bearer(org["reviewer"])
        ).json["error"]["field"]
        == "reason"
    )
    assert (
        client.put(url.format(99999), json=good, headers=bearer(org["reviewer"])).status_code == 404
    )
    other = make.user("other", "secretary", org["second"])
    assert client.put(url.format(second.id), json=good, headers=bearer(other)).status_code == 404
    bad = client.put(
        url.format(second.id),
        json={"grade": "good", "reason": "x"},
        headers=bearer(org["reviewer"]),
    )
    assert bad.status_code == 400 and bad.json["error"]["field"] == "grade"
    review = make.campaign(org["first"], title="2026年度党员评议党支部工作")
    path = f"/api/v1/campaigns/{review.id}/appraisees/{first.id}/final-grade"
    assert client.put(path, json=good, headers=bearer(org["reviewer"])).status_code == 404
    # the tally shows the sealed counts with the grade recorded since; the audit log has it
    tally = client.get(f"/api/v1/campaigns/{campaign.id}/tally", headers=bearer(org["reviewer"]))
    decided = {row["id"]: row["final_grade"] for row in tally.json["appraisees"]}
    assert decided[first.id] == "excellent" and decided[second.id] is None
    db.session.rollback()
    assert db.session.query(AuditEntry).filter_by(action="appraisal.final_grade").count() == 1


def test_a_lost_card_carrying_both_ballots_is_voided_and_replaced_whole(
    org, make, db, client, auth
):
    from survey.core import codes

    review = make.campaign(org["first"], title="2026年度党员评议党支部工作")
    campaign = appraisal(make, org["first"], 4)
    (one,) = make.ballots(review, 1)
    (two,) = make.ballots(campaign, 1)
    printed = f"{codes.display(one.code)} / {codes.display(two.code)}"
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{review.id}?lang=zh")
    assert "请按所印一并输入" in page.text
    sheet = client.post(
        f"/staff/campaigns/{review.id}/lost?lang=zh",
        data={"csrf_token": csrf_from(page.text), "code": printed},
    )
    assert sheet.status_code == 201 and "两张评议票均已作废" in sheet.text
    db.session.rollback()
    assert db.session.get(type(one), one.id).status == "void"
    assert db.session.get(type(two), two.id).status == "void"
    new = {b.campaign_id: b for b in db.session.query(type(one)).filter_by(status="issued")}
    assert set(new) == {review.id, campaign.id}  # one fresh ballot in each campaign
    replacement = f"{codes.display(new[review.id].code)} / {codes.display(new[campaign.id].code)}"
    assert replacement in sheet.text and campaign.title in sheet.text  # its second ballot
    # one code only: the review's card is replaced, and the page says to void the second too
    (three,) = make.ballots(review, 1)
    single = client.post(
        f"/staff/campaigns/{review.id}/lost?lang=zh",
        data={"csrf_token": csrf_from(page.text), "code": codes.display(three.code)},
    )
    assert single.status_code == 201 and "请一并作废" in single.text
    # two codes of the same campaign, or a made-up second code: refused on the page
    (four, five) = make.ballots(review, 2)
    same = f"{codes.display(four.code)} / {codes.display(five.code)}"
    refused = client.post(
        f"/staff/campaigns/{review.id}/lost?lang=zh",
        data={"csrf_token": csrf_from(page.text), "code": same},
    )
    assert refused.status_code == 400 and 'id="lost-code"' in refused.text
    db.session.rollback()
    assert db.session.get(type(four), four.id).status == "issued"


def test_a_roll_over_the_limit_is_told_on_the_form_not_as_an_error_page(org, make, client, auth):
    from survey.appraisal import operations as service

    roll(make, org["first"], service.MAX_APPRAISEES + 1)
    auth.login("secretary")
    page = client.get("/staff/campaigns/new")
    data = {
        "csrf_token": csrf_from(page.text),
        "kind": "member_appraisal",
        "organisation_id": org["first"].id,
        "year": 2026,
        "title": "2026年度民主评议党员",
        "all_rows_required": "y",
    }
    refused = client.post("/staff/campaigns/new?lang=zh", data=data)
    assert refused.status_code == 400 and "最多评议300名党员，本支部名册有301名" in refused.text
    assert 'name="title"' in refused.text  # the form, kept


def test_a_cap_that_is_not_a_percentage_is_told_once_in_words(org, make, client, auth):
    roll(make, org["first"], 3)
    auth.login("secretary")
    page = client.get("/staff/campaigns/new")
    data = {
        "csrf_token": csrf_from(page.text),
        "kind": "member_appraisal",
        "organisation_id": org["first"].id,
        "year": 2026,
        "title": "2026年度民主评议党员",
        "excellent_cap": "150",
    }
    refused = client.post("/staff/campaigns/new?lang=zh", data=data)
    assert refused.status_code == 400 and "请填写0至100之间的整数。" in refused.text
    data["excellent_cap"] = "abc"
    refused = client.post("/staff/campaigns/new?lang=zh", data=data)
    cap_errors = re.findall(
        r'id="excellent_cap"[^>]*>\s*<p class="error">([^<]*)</p>', refused.text
    )
    assert refused.status_code == 400 and len(cap_errors) == 1, refused.text


def _rows(db, campaign):
    db.session.rollback()
    return (
        db.session.query(Appraisee)
        .filter_by(campaign_id=campaign.id)
        .order_by(Appraisee.position)
        .all()
    )


def test_the_final_grades_are_one_table_starting_at_the_votes_suggestion(
    org, make, db, client, auth
):
    campaign = _closed(make, db, org["first"])
    auth.login("secretary")
    page = client.get(f"/staff/campaigns/{campaign.id}/appraisal?lang=zh").text
    assert page.count("<form") == 2  # the sign-out, and ONE form for every row
    assert page.count(f'action="/staff/campaigns/{campaign.id}/appraisal/grades') == 1
    assert page.count("<table") == 1 and "评议建议等次" in page
    rows = _rows(db, campaign)
    select = {r.id: page.split(f'name="grade-{r.id}"')[1].split("</select>")[0] for r in rows}
    assert 'value="excellent" selected' in select[rows[0].id]
    # 不合格 as voted still needs its reason: that row starts undecided, not at 不合格
    assert '<option value="" selected' in select[rows[1].id]
    assert 'value="incompetent" selected' not in select[rows[1].id]


def test_a_competent_kept_as_voted_needs_no_reason(org, make, db, client, auth):
    campaign = _closed(make, db, org["first"])
    auth.login("secretary")
    rows = _rows(db, campaign)
    token = csrf_from(client.get(f"/staff/campaigns/{campaign.id}/appraisal").text)
    kept = grade_table(client, campaign, token, {rows[3].id: ("competent", "")})
    assert kept.status_code == 303
    assert [(r.final_grade, r.final_reason) for r in _rows(db, campaign)][3] == ("competent", None)


def test_a_changed_grade_without_a_reason_is_refused_beside_its_row_and_nothing_is_saved(
    org, make, db, client, auth
):
    campaign = _closed(make, db, org["first"])
    auth.login("secretary")
    rows = _rows(db, campaign)
    token = csrf_from(client.get(f"/staff/campaigns/{campaign.id}/appraisal").text)
    sent = {r.id: ("competent", "") for r in rows[2:]}
    sent |= {rows[0].id: ("competent", ""), rows[1].id: ("incompetent", "长期不参加组织生活")}
    refused = grade_table(client, campaign, token, sent)
    assert refused.status_code == 400
    row = refused.text.split(f'id="row-{rows[0].id}"')[1].split("</tr>")[0]
    assert 'class="error"' in row and "请填写理由" in row and 'aria-invalid="true"' in row
    other = refused.text.split(f'id="row-{rows[3].id}"')[1].split("</tr>")[0]
    assert 'class="error"' not in other
    # what was sent comes back as sent, for the committee to finish
    assert re.search(rf'name="grade-{rows[0].id}".*?value="competent" selected', row, re.S)
    assert "长期不参加组织生活" in refused.text and "没有保存任何等次" in refused.text
    assert all(r.final_grade is None for r in _rows(db, campaign))
    assert db.session.query(AuditEntry).filter_by(action="appraisal.final_grade").count() == 0


def test_a_valid_table_saves_every_row_in_one_commit(org, make, db, client, auth, monkeypatch):
    campaign = _closed(make, db, org["first"])
    auth.login("secretary")
    rows = _rows(db, campaign)
    token = csrf_from(client.get(f"/staff/campaigns/{campaign.id}/appraisal").text)
    sent = {r.id: ("competent", "") for r in rows[2:]}
    sent |= {rows[0].id: ("excellent", ""), rows[1].id: ("incompetent", "长期不参加组织生活")}
    commits = []
    from sqlalchemy import event

    listen = lambda session: commits.append(1)  # noqa: E731
    event.listen(db.session().__class__, "after_commit", listen)
    try:
        saved = grade_table(client, campaign, token, sent)
    finally:
        event.remove(db.session().__class__, "after_commit", listen)
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#final-grades")
    assert len(commits) == 1
    finals = [(r.final_grade, r.final_reason) for r in _rows(db, campaign)]
    assert finals[:2] == [("excellent", None), ("incompetent", "长期不参加组织生活")]
    assert finals[2:] == [("competent", None)] * 4
    entries = db.session.query(AuditEntry).filter_by(action="appraisal.final_grade").count()
    assert entries == 6
    again = grade_table(client, campaign, token, sent)  # sent again: no new decision
    assert again.status_code == 303
    db.session.rollback()
    assert db.session.query(AuditEntry).filter_by(action="appraisal.final_grade").count() == 6
