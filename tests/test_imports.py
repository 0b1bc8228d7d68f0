"""Imports from Excel: organisations and a branch's member roll, from the CLI and the pages.
A file with any bad row imports nothing and names every bad row as Excel numbers it."""

from __future__ import annotations

import io
import re
from datetime import date

from helpers import csrf_from
from openpyxl import Workbook, load_workbook

from survey.models import Campaign, Member, Organisation

ORG_HEADER = [
    "名称",
    "类型",
    "上级组织",
    "领域",
    "成立日期",
    "面向社会",
    "纬度",
    "经度",
    "服务半径米",
]


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


GOOD_ORGS = [
    ORG_HEADER,
    ["新城党委", "党委", "", "机关", "", "否", "", "", ""],
    ["新城第一党支部", "党支部", "新城党委", "嘎查村", date(2021, 7, 1), "是", 40.8, 111.7, 500],
    ["新城第二党支部", "党支部", "新城党委", "国有企业", "2022年3月5日", "否", "", "", ""],
]


def names(db) -> set[str]:
    db.session.rollback()
    return {name for (name,) in db.session.query(Organisation.name)}


def test_the_cli_imports_a_clean_file_in_full(runner, db, tmp_path):
    result = runner.invoke(
        args=["import-organisations", write(tmp_path, "o.xlsx", xlsx(GOOD_ORGS))]
    )
    assert result.exit_code == 0, result.output
    assert "已导入3行" in result.output
    db.session.rollback()
    first = db.session.query(Organisation).filter_by(name="新城第一党支部").one()
    assert first.parent.name == "新城党委" and first.kind == "branch"
    assert (first.domain, first.founded_on, first.public_facing) == (
        "village",
        date(2021, 7, 1),
        True,
    )
    assert (first.service_lat, first.service_lon, first.service_radius_m) == (40.8, 111.7, 500)
    second = db.session.query(Organisation).filter_by(name="新城第二党支部").one()
    assert (second.domain, second.founded_on, second.public_facing) == (
        "state_enterprise",
        date(2022, 3, 5),
        False,
    )


def test_a_file_with_bad_rows_imports_nothing_and_names_each(runner, db, tmp_path):
    rows = [
        *GOOD_ORGS,
        ["", "党支部", "新城党委", "", "", "", "", "", ""],
        ["孤儿党支部", "党支部", "不存在的党委", "火星", "2021-13-01", "也许", 40, "", ""],
        ["新城党委", "支部", "", "", "", "", "", "", ""],
    ]
    result = runner.invoke(args=["import-organisations", write(tmp_path, "o.xlsx", xlsx(rows))])
    assert result.exit_code != 0
    assert "第5行：名称为空" in result.output
    lines = result.output.splitlines()
    for reason in ("不存在的党委", "领域“火星”", "成立日期“2021-13-01”", "是或否", "纬度、经度"):
        assert any(reason in line for line in lines if line.startswith("第6行："))
    assert "第7行：“新城党委”已存在" in result.output and "第7行：类型“支部”" in result.output
    assert "第2行" not in result.output
    assert names(db) == set()


def test_dry_run_checks_and_writes_nothing(runner, db, tmp_path):
    path = write(tmp_path, "o.xlsx", xlsx(GOOD_ORGS))
    result = runner.invoke(args=["import-organisations", path, "--dry-run"])
    assert result.exit_code == 0 and "检查通过：3行" in result.output
    assert names(db) == set()


def test_csv_with_or_without_a_bom_and_english_headers(runner, db, tmp_path):
    text = "name,kind,parent,domain\r\n南区党委,党委,,社区\r\n"
    text += "南区第一党支部,branch,南区党委,school\r\n"
    plain = runner.invoke(args=["import-organisations", write(tmp_path, "a.csv", text)])
    assert plain.exit_code == 0, plain.output
    bom = "\ufeff名称,类型,上级组织\r\n北区党委,党委,\r\n"
    with_bom = runner.invoke(args=["import-organisations", write(tmp_path, "b.csv", bom)])
    assert with_bom.exit_code == 0, with_bom.output
    assert names(db) == {"南区党委", "南区第一党支部", "北区党委"}


def test_a_file_that_is_not_a_table_is_refused_in_words(runner, db, tmp_path):
    fake = write(tmp_path, "fake.xlsx", b"PK\x03\x04 not really a zip")
    result = runner.invoke(args=["import-organisations", fake])
    assert result.exit_code != 0 and "不是有效的Excel文件" in result.output
    gbk = write(tmp_path, "gbk.csv", "名称,类型\r\n党委,党委\r\n".encode("gbk"))
    result = runner.invoke(args=["import-organisations", gbk])
    assert result.exit_code != 0 and "UTF-8" in result.output


def test_a_new_roll_replaces_the_branch_roll(runner, db, make, tmp_path):
    branch = make.organisation()
    first = xlsx(
        [["姓名", "类别"], ["张三", "正式党员"], ["李四", "预备党员"], ["王五", "正式党员"]]
    )
    result = runner.invoke(
        args=["import-members", str(branch.id), write(tmp_path, "m.xlsx", first)]
    )
    assert result.exit_code == 0, result.output
    second = "姓名,类别\r\n赵六,正式党员\r\n"
    result = runner.invoke(
        args=["import-members", str(branch.id), write(tmp_path, "m.csv", second)]
    )
    assert result.exit_code == 0, result.output
    db.session.rollback()
    active = db.session.query(Member).filter_by(organisation_id=branch.id, active=True).all()
    assert [(m.name, m.member_class) for m in active] == [("赵六", "full")]
    assert db.session.query(Member).count() == 4  # the old roll kept, inactive
    bad = "姓名,类别\r\n钱七,群众\r\n"
    result = runner.invoke(args=["import-members", str(branch.id), write(tmp_path, "x.csv", bad)])
    assert result.exit_code != 0 and "第2行：类别“群众”须为正式党员或预备党员" in result.output


def test_a_committee_has_no_roll(runner, make, tmp_path):
    committee = make.organisation("机关党委", "committee")
    path = write(tmp_path, "m.csv", "姓名,类别\r\n张三,正式党员\r\n")
    result = runner.invoke(args=["import-members", str(committee.id), path])
    assert result.exit_code != 0 and "not a branch" in result.output


def upload(client, url, data: bytes, filename="file.xlsx", **fields):
    form = client.get(url)
    assert form.status_code == 200
    payload = {"csrf_token": csrf_from(form.text), "file": (io.BytesIO(data), filename), **fields}
    return client.post(url, data=payload, content_type="multipart/form-data")


def raw_upload(client, url, data: bytes):
    """A multipart body built here as bytes: the test client would spool a large one to a
    temporary file that nobody closes once the server refuses it unread."""
    token = csrf_from(client.get(url).text).encode()
    body = (
        b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token + b"\r\n"
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="roll.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + data + b"\r\n--B--\r\n"
    )
    return client.post(url, data=body, content_type="multipart/form-data; boundary=B")


def test_the_admin_imports_organisations_on_the_page(auth, client, make, db):
    make.user("admin", "admin")
    auth.login("admin")
    dry = upload(client, "/staff/files/organisations/import", xlsx(GOOD_ORGS), dry_run="y")
    assert dry.status_code == 200 and 'data-done="3"' in dry.text and names(db) == set()
    done = upload(client, "/staff/files/organisations/import", xlsx(GOOD_ORGS))
    assert done.status_code == 200 and 'data-done="3"' in done.text
    assert names(db) == {"新城党委", "新城第一党支部", "新城第二党支部"}
    again = upload(client, "/staff/files/organisations/import", xlsx(GOOD_ORGS))
    assert again.status_code == 400 and "第2行：“新城党委”已存在" in again.text
    english = upload(client, "/staff/files/organisations/import?lang=en", xlsx(GOOD_ORGS))
    assert 'row 2: "新城党委" exists already' in english.text.replace("&#34;", '"')


def test_secretary_imports_their_roll_and_the_new_campaign_form_reads_it(auth, client, org, db):
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/import"
    page = client.get(url)
    assert "replaces" in page.text or "替换" in page.text
    roll = (
        [["姓名", "类别"]]
        + [[f"党员{i}", "正式党员"] for i in range(12)]
        + [["预备甲", "预备党员"]]
    )
    assert upload(client, url, xlsx(roll)).status_code == 200
    form = client.get("/staff/campaigns/new")
    assert re.search(r'<input[^>]*name="eligible_full"[^>]*value="12"', form.text)
    assert re.search(r'<input[^>]*name="eligible_probationary"[^>]*value="1"', form.text)
    foreign = f"/staff/files/branches/{org['foreign'].id}/members/import"
    assert client.get(foreign).status_code == 404


def test_a_reviewer_may_not_import(auth, client, org):
    auth.login("reviewer")
    assert client.get("/staff/files/organisations/import").status_code == 403
    url = f"/staff/files/branches/{org['first'].id}/members/import"
    assert client.get(url).status_code == 403


def test_an_upload_above_64_kib_is_taken_and_above_2_mib_is_a_clear_413(auth, client, org, db):
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/import"
    big = "姓名,类别\r\n" + "".join(f"很长名字的党员{i:05d},正式党员\r\n" for i in range(3000))
    assert len(big.encode()) > 64 * 1024
    taken = upload(client, url, big.encode(), "roll.csv")
    assert taken.status_code == 200 and 'data-done="3000"' in taken.text
    huge = raw_upload(client, url, b"x" * (2 * 1024 * 1024 + 10))
    assert huge.status_code == 413 and ("文件过大" in huge.text or "too large" in huge.text)


def test_a_fake_upload_is_a_400_with_a_message(auth, client, org):
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/import"
    png = upload(client, url, b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png")
    assert png.status_code == 400 and "不是表格文件" in png.text
    gbk = upload(client, url, "姓名,类别\r\n张三,正式党员\r\n".encode("gbk"), "roll.csv")
    assert gbk.status_code == 400 and "UTF-8" in gbk.text
    broken = upload(client, url, b"PK\x03\x04garbage", "roll.xlsx")
    assert broken.status_code == 400 and "不是有效的Excel文件" in broken.text


def test_templates_have_the_header_and_one_example(auth, client, org):
    auth.login("secretary")
    for kind, header in (("organisations", ORG_HEADER), ("members", ["姓名", "类别"])):
        answer = client.get(f"/staff/files/templates/{kind}.xlsx")
        rows = list(load_workbook(io.BytesIO(answer.data)).active.iter_rows(values_only=True))
        assert list(rows[0]) == header and len(rows) == 2
    member_template = client.get("/staff/files/templates/members.xlsx").data
    url = f"/staff/files/branches/{org['first'].id}/members/import"
    assert 'data-done="1"' in upload(client, url, member_template).text  # its example imports


def test_campaigns_are_untouched_by_a_refused_file(runner, db, tmp_path):
    bad = xlsx([ORG_HEADER, ["甲党委", "党委"], ["乙党支部", "党支部", "丙党委"]])
    assert runner.invoke(args=["import-organisations", write(tmp_path, "o.xlsx", bad)]).exit_code
    assert names(db) == set() and db.session.query(Campaign).count() == 0
