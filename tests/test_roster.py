"""A roster as a branch office makes one: a title row above the header, columns the roll
does not use, 正式/预备, spaces inside names, names held twice (imported only once the
secretary confirms), and the counts shown after the import."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from helpers import csrf_from
from openpyxl import Workbook

from survey.appraisal.homonyms import labels
from survey.files import roster
from survey.models import Member
from survey.models.member import Member as MemberRow

HEADER = ["序号", "姓名", "性别", "类别", "入党时间", "联系电话"]


def messy_xlsx() -> bytes:
    """A merged title row, a blank row, then the header and members as an office types them."""
    book = Workbook()
    sheet = book.active
    sheet.append(["第一党支部党员名册"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(HEADER)
    sheet.append([1, "李　明", "男", "正式", datetime(2010, 7, 1), "13800000001"])
    sheet.append([2, "赵磊", "男", "正式党员", "2015-06-30", "13800000002"])
    sheet.append([3, " Anna  Li ", "女", "预备", None, ""])
    sheet.append([4, "赵磊", "男", "预备党员", "2023年7月", "13800000004"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_header_is_found_under_a_merged_title_row_and_unknown_columns_are_named():
    from survey.files.imports import read_table

    checked = roster.check_members(read_table(messy_xlsx(), "roll.xlsx"))
    assert checked.problems == []
    assert checked.ignored == ["序号", "性别", "联系电话"]
    assert roster.ignored_line(checked, "zh") == "以下列未使用，已忽略：序号、性别、联系电话"
    assert [r["name"] for r in checked.rows] == ["李明", "赵磊", "Anna Li", "赵磊"]
    assert [r["member_class"] for r in checked.rows] == ["full", "full", "probationary"] + [
        "probationary"
    ]
    joined = [r["joined_on"] for r in checked.rows]
    assert joined == [date(2010, 7, 1), date(2015, 6, 30), None, date(2023, 7, 1)]


def test_bad_rows_are_named_by_their_excel_row_under_the_title():
    rows = [["党员名册"], ["姓名", "类别", "入党时间"], ["张三", "群众", ""], ["", "正式", "去年"]]
    checked = roster.check_members(rows)
    assert checked.report("zh") == [
        "第3行：类别“群众”须为正式党员或预备党员（可简写为正式、预备）",
        "第4行：姓名为空",
        "第4行：入党时间“去年”无法识别（如2015-07-01或2015年7月）",
    ]


def test_a_roster_without_a_name_column_is_refused_at_its_first_row():
    checked = roster.check_members([["序号", "性别"], ["1", "男"]])
    assert checked.report("zh") == ["第1行：缺少“姓名”列", "第1行：缺少“类别”列"]


def test_spaces_go_from_chinese_names_and_shrink_to_one_in_latin_names():
    assert roster.member_name("李　明") == "李明"
    assert roster.member_name(" 欧阳 小 明\u3000") == "欧阳小明"
    assert roster.member_name("Anna \u3000 Li") == "Anna Li"
    assert roster.member_class(" 预 备 ") == "probationary"
    assert roster.member_class("Full") == "full"


def test_names_held_twice_in_the_file_or_with_the_roll_are_listed():
    rows = [["姓名", "类别"], ["赵磊", "正式"], ["王芳", "正式"], ["赵磊", "预备"]]
    checked = roster.check_members(rows, on_roll=["王芳"])
    assert checked.duplicates == [
        {"name": "赵磊", "rows": [2, 4], "on_roll": 0},
        {"name": "王芳", "rows": [3], "on_roll": 1},
    ]
    assert roster.duplicate_lines(checked, "zh") == [
        "“赵磊”：第2、4行",
        "“王芳”：第3行（现有名册中已有1人同名）",
    ]


def test_two_members_of_one_name_are_told_apart_by_year_or_by_number():
    def m(name, joined=None):
        return MemberRow(name=name, member_class="full", joined_on=joined)

    by_year = [m("赵磊", date(2015, 1, 1)), m("王芳"), m("赵磊", date(2023, 7, 1))]
    assert labels(by_year) == ["赵磊（2015年入党）", "王芳", "赵磊（2023年入党）"]
    same_year = [m("赵磊", date(2015, 1, 1)), m("赵磊", date(2015, 9, 1))]
    assert labels(same_year) == ["赵磊（1）", "赵磊（2）"]
    assert labels([m("赵磊"), m("赵磊", date(2015, 1, 1))]) == ["赵磊（1）", "赵磊（2）"]


def test_a_frozen_name_is_read_back_in_its_parts_and_other_names_are_left_whole():
    from survey.core.names import FrozenName, parse

    assert parse("赵磊（2015年入党）") == FrozenName("赵磊", year=2015)
    assert parse("赵磊（2）") == FrozenName("赵磊", number=2)
    assert parse("已删除成员#7") == FrozenName("已删除成员#7", erased=7)
    for plain in ("赵磊", "李明（女）", "王芳（15年入党）", "（2）", "已删除成员#"):
        assert parse(plain) == FrozenName(plain), plain


# --- the CLI ---------------------------------------------------------------------------


def write(tmp_path, name, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def active(db, branch_id):
    db.session.rollback()
    return [
        (m.name, m.member_class, m.joined_on)
        for m in db.session.query(Member)
        .filter_by(organisation_id=branch_id, active=True)
        .order_by(Member.id)
    ]


def test_the_cli_refuses_names_held_twice_unless_allowed(runner, db, make, tmp_path):
    branch = make.organisation()
    path = write(tmp_path, "roll.xlsx", messy_xlsx())
    refused = runner.invoke(args=["import-members", str(branch.id), path])
    assert refused.exit_code != 0
    assert "“赵磊”：第5、7行" in refused.output and "--allow-duplicates" in refused.output
    assert "已忽略：序号、性别、联系电话" in refused.output
    assert active(db, branch.id) == []
    taken = runner.invoke(args=["import-members", str(branch.id), path, "--allow-duplicates"])
    assert taken.exit_code == 0, taken.output
    assert "已导入4行" in taken.output
    assert [row[0] for row in active(db, branch.id)] == ["李明", "赵磊", "Anna Li", "赵磊"]


def test_the_cli_appends_and_finds_a_name_already_on_the_roll(runner, db, make, tmp_path):
    branch = make.organisation()
    first = write(tmp_path, "a.csv", "姓名,类别\r\n王芳,正式\r\n".encode())
    assert runner.invoke(args=["import-members", str(branch.id), first]).exit_code == 0
    more = write(tmp_path, "b.csv", "姓名,类别\r\n王芳,预备\r\n刘洋,正式\r\n".encode())
    refused = runner.invoke(args=["import-members", str(branch.id), more, "--append"])
    assert refused.exit_code != 0 and "现有名册中已有1人同名" in refused.output
    args = ["import-members", str(branch.id), more, "--append", "--allow-duplicates"]
    assert runner.invoke(args=args).exit_code == 0
    assert [row[0] for row in active(db, branch.id)] == ["王芳", "王芳", "刘洋"]


# --- the import page -------------------------------------------------------------------


def upload(client, url, data: bytes, filename="roll.xlsx", **fields):
    form = client.get(url)
    assert form.status_code == 200
    payload = {"csrf_token": csrf_from(form.text), "file": (io.BytesIO(data), filename), **fields}
    return client.post(url, data=payload, content_type="multipart/form-data")


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)


def confirm(client, url, page: str, **changes):
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "confirm": hidden(page, "confirm"),
        "roster": hidden(page, "roster"),
        **changes,
    }
    return client.post(url, data=data)


def test_names_held_twice_wait_for_the_secretary_and_one_confirmation_imports(
    auth, client, org, db
):
    auth.login("secretary")
    branch = org["first"]
    url = f"/staff/files/branches/{branch.id}/members/import"
    asked = upload(client, url, messy_xlsx())
    assert asked.status_code == 200 and "以下姓名有重名" in asked.text
    assert "“赵磊”：第5、7行" in asked.text.replace("&#34;", '"')
    assert "已忽略：序号、性别、联系电话" in asked.text
    assert active(db, branch.id) == []  # nothing before the confirmation
    done = confirm(client, url, asked.text)
    assert done.status_code == 200 and 'data-done="4"' in done.text
    assert 'data-full="2" data-probationary="2"' in done.text  # the new counts, not the old
    assert [row[0] for row in active(db, branch.id)] == ["李明", "赵磊", "Anna Li", "赵磊"]


def test_a_confirmation_for_another_file_or_forged_imports_nothing(auth, client, org, db):
    auth.login("secretary")
    branch = org["first"]
    url = f"/staff/files/branches/{branch.id}/members/import"
    asked = upload(client, url, messy_xlsx())
    other = confirm(client, url, asked.text, confirm="0" * 64)
    assert other.status_code == 400 and "确认已失效" in other.text
    forged = confirm(client, url, asked.text, roster=hidden(asked.text, "roster")[:-4] + "AAAA")
    assert forged.status_code == 400
    assert active(db, branch.id) == []
    foreign = f"/staff/files/branches/{org['foreign'].id}/members/import"
    stolen = client.post(
        foreign,
        data={"csrf_token": hidden(asked.text, "csrf_token"), "confirm": "x", "roster": "y"},
    )
    assert stolen.status_code == 404


def test_a_clean_roster_imports_at_once_and_the_page_shows_the_new_counts(auth, client, org, db):
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/import"
    first = "姓名,类别\r\n甲,正式\r\n乙,正式\r\n".encode()
    assert 'data-full="2" data-probationary="0"' in upload(client, url, first, "a.csv").text
    second = "姓名,类别\r\n丙,预备\r\n".encode()
    page = upload(client, url, second, "b.csv")
    assert 'data-done="1"' in page.text
    assert 'data-full="0" data-probationary="1"' in page.text


# --- the roll page ---------------------------------------------------------------------


def a_roll(make, branch):
    rows = [
        {"name": "赵磊", "member_class": "full", "joined_on": date(2015, 7, 1)},
        {"name": "王芳", "member_class": "probationary", "joined_on": None},
        {"name": "赵磊", "member_class": "full", "joined_on": date(2023, 7, 1)},
    ]
    make._commit(lambda: roster.apply_members(make.session, "test", branch, rows))
    return roster.active_members(make.session, branch.id)


def test_the_roll_page_lists_the_members_with_class_and_date(auth, client, org, make):
    members = a_roll(make, org["first"])
    auth.login("secretary")
    page = client.get(f"/staff/files/branches/{org['first'].id}/members")
    assert page.status_code == 200
    assert "2015年7月1日" in page.text and "预备党员" in page.text and "（同名）" in page.text
    assert f"/members/{members[0].id}/edit" in page.text
    english = client.get(f"/staff/files/branches/{org['first'].id}/members?lang=en")
    assert "2015-07-01" in english.text and "(same name)" in english.text
    assert "/staff/files/branches" in client.get("/staff/").text  # linked from the nav


def test_the_secretary_edits_one_member_and_the_audit_log_says_so(auth, client, org, make, db):
    from survey.models import AuditEntry

    members = a_roll(make, org["first"])
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/{members[1].id}/edit"
    form = client.get(url)
    assert form.status_code == 200 and 'value="王芳"' in form.text
    data = {"csrf_token": csrf_from(form.text), "name": "王　芳芳", "member_class": "full"}
    data["joined_on"] = "2019-07-01"
    saved = client.post(url, data=data)
    assert saved.status_code == 303
    db.session.rollback()
    member = db.session.get(Member, members[1].id)
    assert (member.name, member.member_class, member.joined_on) == (
        "王芳芳",
        "full",
        date(2019, 7, 1),
    )
    entry = db.session.query(AuditEntry).filter_by(action="members.edit").one()
    assert entry.actor == "web:secretary" and entry.object_id == str(member.id)
    bad = {"csrf_token": csrf_from(form.text), "name": " ", "member_class": "x"}
    bad = client.post(url, data=bad)
    assert bad.status_code == 400 and "请填写姓名" in bad.text


def test_removing_asks_first_and_keeps_the_member_stored(auth, client, org, make, db):
    members = a_roll(make, org["first"])
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/{members[0].id}/remove"
    asked = client.get(url)
    assert asked.status_code == 200 and "移出名册" in asked.text
    assert "保留创建时的名单" in asked.text
    db.session.rollback()
    assert db.session.get(Member, members[0].id).active is True  # a GET removes nothing
    done = client.post(url, data={"csrf_token": csrf_from(asked.text)})
    assert done.status_code == 303
    db.session.rollback()
    assert db.session.get(Member, members[0].id).active is False
    assert client.get(url).status_code == 404  # gone from the roll


def test_the_roll_is_kept_to_its_branch_and_the_secretary(auth, client, org, make):
    members = a_roll(make, org["first"])
    foreign = a_roll(make, org["foreign"])
    auth.login("secretary")
    base = f"/staff/files/branches/{org['foreign'].id}/members"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/{foreign[0].id}/edit").status_code == 404
    mine = f"/staff/files/branches/{org['first'].id}/members"
    assert client.get(f"{mine}/{foreign[0].id}/edit").status_code == 404  # not of this roll
    auth.logout()
    auth.login("reviewer")
    assert client.get(mine).status_code == 200  # the committee's reviewer reads it
    assert "/edit" not in client.get(mine).text
    assert client.get(f"{mine}/{members[0].id}/edit").status_code == 403
    assert client.get(f"{mine}/{members[0].id}/remove").status_code == 403
    assert client.get(base).status_code == 404


def test_an_appraisal_tells_two_members_of_one_name_apart(auth, client, org, make, db):
    from survey.appraisal.operations import appraisees

    a_roll(make, org["first"])
    campaign = make.campaign(org["first"], kind="member_appraisal", title="民主评议党员")
    db.session.rollback()
    names = [a.name for a in appraisees(db.session, campaign)]
    assert names == ["赵磊（2015年入党）", "王芳", "赵磊（2023年入党）"]
    assert [q.prompt for q in campaign.questions] == names


def test_added_names_already_on_the_roll_wait_for_the_confirmation_in_english(
    auth, client, org, make, db
):
    a_roll(make, org["first"])
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/import?lang=en"
    more = "姓名,类别,备注\r\n王芳,正式,新转入\r\n刘洋,预备,\r\n".encode()
    asked = upload(client, url, more, "more.csv", append="y")
    text = asked.text.replace("&#34;", '"')
    assert '"王芳": rows 2 (already on the roll: 1)' in text
    assert "These columns are not used and were left out: 备注" in text
    assert len(active(db, org["first"].id)) == 3
    done = confirm(client, url, asked.text)
    assert 'data-full="3" data-probationary="2"' in done.text
    assert [row[0] for row in active(db, org["first"].id)][-2:] == ["王芳", "刘洋"]


def test_a_check_only_run_lists_names_held_twice_and_writes_nothing(auth, client, org, db):
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/import"
    checked = upload(client, url, messy_xlsx(), dry_run="y")
    assert checked.status_code == 200 and 'data-done="4"' in checked.text
    assert "以下姓名有重名" in checked.text and 'name="roster"' not in checked.text
    assert active(db, org["first"].id) == []


def test_the_organisations_header_may_stand_under_a_title_row_too(runner, db, tmp_path):
    rows = "各级党组织名单\r\n\r\n名称,类型,上级组织\r\n东区党委,党委,\r\n"
    result = runner.invoke(args=["import-organisations", write(tmp_path, "o.csv", rows.encode())])
    assert result.exit_code == 0, result.output


def test_a_removed_member_stays_on_a_draft_appraisal_that_the_page_names(
    auth, client, org, make, db
):
    from survey.appraisal.operations import appraisees

    members = a_roll(make, org["first"])
    draft = make.campaign(
        org["first"], status="draft", kind="member_appraisal", title="2026年度民主评议党员"
    )
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/{members[1].id}/remove"
    asked = client.get(url)
    assert "2026年度民主评议党员" in asked.text
    assert f"/staff/campaigns/{draft.id}/edit" in asked.text
    client.post(url, data={"csrf_token": csrf_from(asked.text)})
    db.session.rollback()
    assert "王芳" in [a.name for a in appraisees(db.session, draft)]  # frozen at creation


def test_a_date_that_is_no_date_is_sent_back_in_words(auth, client, org, make):
    members = a_roll(make, org["first"])
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/{members[0].id}/edit"
    form = client.get(url)
    data = {"csrf_token": csrf_from(form.text), "name": "赵磊", "member_class": "full"}
    answer = client.post(url, data={**data, "joined_on": "去年"})
    assert answer.status_code == 400 and "2015-07-01的格式" in answer.text
