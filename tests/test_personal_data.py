"""Personal information (个人信息保护法): ``personal-data export`` gives as JSON what the product
holds about a staff account or a roll member; ``personal-data erase`` deactivates and renames
an account (the audit chain still verifies) or takes a member off the roll and renames them in
closed appraisals, without touching a vote count (the recount still follows the seal)."""

from __future__ import annotations

import json
from datetime import date

from appraisal_helpers import appraisal, grades_of
from helpers import PASSWORD, cast, sign_in
from sqlalchemy import func, select, update

from survey.files import roster
from survey.models import ApiToken, Appraisee, AuditEntry, Campaign, Member, User


def _run(runner, *args):
    result = runner.invoke(args=["personal-data", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_staff_accounts_data_exports_without_its_password_or_token_hash(make, db, client, runner):
    committee = make.organisation("机关党委", "committee")
    user = make.user("reviewer", "reviewer", committee)
    sign_in(client, "reviewer")
    found = json.loads(_run(runner, "export", "--user", "reviewer"))
    assert found["account"]["username"] == "reviewer"
    assert found["account"]["organisation"] == "机关党委"
    assert [t["name"] for t in found["api_tokens"]] == [found["api_tokens"][0]["name"]]
    actions = [e["action"] for e in found["audit_entries"]]
    assert "user.create" in actions and "user.sign_in" in actions
    text = json.dumps(found)
    db.session.rollback()
    stored = db.session.get(User, user.id)
    token_hash = db.session.scalar(select(ApiToken.token_hash))
    assert stored.password_hash not in text and token_hash not in text


def test_an_erased_account_is_renamed_and_closed_and_the_audit_chain_still_holds(
    make, db, client, runner
):
    committee = make.organisation("机关党委", "committee")
    user = make.user("reviewer", "reviewer", committee)
    sign_in(client, "reviewer")
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    output = _run(runner, "erase", "--user", "reviewer", "--yes")
    assert f"已删除账号#{user.id}" in output
    db.session.rollback()
    erased = db.session.get(User, user.id)
    assert erased.username == f"已删除账号#{user.id}" and not erased.active
    assert erased.password_hash is None
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert len(entries) > before and entries[-1].action == "user.erase"
    assert entries[-1].object_id == str(user.id) and "reviewer" not in str(entries[-1].detail)
    verified = runner.invoke(args=["audit-log", "verify"])
    assert verified.exit_code == 0, verified.output
    assert sign_in(client, "reviewer", PASSWORD).status_code == 401


def _closed_appraisal(make, db):
    branch = make.organisation()
    campaign = appraisal(make, branch, 6)
    for card in make.ballots(campaign, 5):
        cast(db.session, card.id, grades_of(campaign, dict.fromkeys(range(6), "competent")))
    make.close(campaign)
    return branch, campaign


def test_a_members_data_exports_with_their_appraisals(make, db, runner):
    branch, campaign = _closed_appraisal(make, db)
    member = db.session.scalars(select(Member).order_by(Member.id)).first()
    found = json.loads(_run(runner, "export", "--member", str(member.id)))
    assert [r["name"] for r in found["roll_rows"]] == [member.name]
    (row,) = found["appraisals"]
    assert row["campaign_id"] == campaign.id and row["counts"]["competent"] == 5
    assert found["audit_entries"] == []  # no entry names this member yet
    _run(runner, "erase", "--member", str(member.id), "--yes")
    again = json.loads(_run(runner, "export", "--member", str(member.id)))
    assert [e["action"] for e in again["audit_entries"]] == ["member.erase"]


def test_an_erased_member_leaves_the_roll_and_closed_appraisals_keep_their_counts(make, db, runner):
    branch, campaign = _closed_appraisal(make, db)
    member = db.session.scalars(select(Member).order_by(Member.id)).first()
    name, counts = member.name, json.dumps(campaign.snapshot["appraisees"][0]["counts"])
    _run(runner, "erase", "--member", str(member.id), "--yes")
    db.session.rollback()
    placeholder = f"已删除成员#{member.id}"
    assert not db.session.get(Member, member.id).active
    assert db.session.get(Member, member.id).name == placeholder
    closed = db.session.get(Campaign, campaign.id)
    first = closed.snapshot["appraisees"][0]
    assert first["name"] == placeholder and json.dumps(first["counts"]) == counts
    assert placeholder in [q.prompt for q in closed.questions]
    assert name not in json.dumps(closed.snapshot, ensure_ascii=False)
    assert name not in json.dumps([a.detail for a in db.session.scalars(select(AuditEntry))])
    recount = runner.invoke(args=["audit", str(campaign.id)])
    assert recount.exit_code == 0, recount.output  # the seal is followed through the erasure
    assert runner.invoke(args=["audit-log", "verify"]).exit_code == 0


def test_a_changed_snapshot_without_a_recorded_erasure_still_fails_the_recount(make, db, runner):
    _, campaign = _closed_appraisal(make, db)
    snapshot = json.loads(json.dumps(campaign.snapshot))
    snapshot["appraisees"][0]["name"] = "someone else"
    campaign.snapshot = snapshot
    db.session.commit()
    assert runner.invoke(args=["audit", str(campaign.id)]).exit_code == 1


def test_naming_no_person_or_an_unknown_one_is_a_readable_refusal(make, runner):
    assert runner.invoke(args=["personal-data", "export"]).exit_code == 2
    unknown = runner.invoke(args=["personal-data", "export", "--user", "nobody"])
    assert unknown.exit_code == 1 and "no user named 'nobody'" in unknown.output
    missing = runner.invoke(args=["personal-data", "erase", "--member", "99", "--yes"])
    assert missing.exit_code == 1 and "no member with id 99" in missing.output


ZHAO_2015 = {"name": "赵磊", "member_class": "full", "joined_on": date(2015, 7, 1)}
ZHAO_2023 = {"name": "赵磊", "member_class": "full", "joined_on": date(2023, 7, 1)}
WANG = {"name": "王芳", "member_class": "full", "joined_on": None}


def _import(make, branch, rows, append=False):
    make._commit(lambda: roster.apply_members(make.session, "test", branch, rows, append=append))
    return db_rows(make, branch)


def db_rows(make, branch) -> list[Member]:
    query = select(Member).where(Member.organisation_id == branch.id).order_by(Member.id)
    return list(make.session.scalars(query))


def _closed_appraisal_of(make, db, branch, grades: dict[int, str]) -> Campaign:
    """An appraisal of the branch's active roll, closed after 5 ballots grading row i with
    ``grades[i]`` (competent for the rest)."""
    campaign = make.campaign(branch, status="open", kind="member_appraisal", title="评议")
    chosen = {q.position: grades.get(q.position, "competent") for q in campaign.questions}
    for card in make.ballots(campaign, 5):
        cast(db.session, card.id, grades_of(campaign, chosen))
    make.close(campaign)
    return campaign


def _sealed(campaign_id, db) -> list[tuple[str, str]]:
    db.session.rollback()
    campaign = db.session.get(Campaign, campaign_id)
    return [(r["name"], json.dumps(r["counts"])) for r in campaign.snapshot["appraisees"]]


def test_erasing_one_of_two_members_of_one_name_leaves_the_other_untouched(make, db, runner):
    branch = make.organisation()
    first, _, second = _import(make, branch, [ZHAO_2015, WANG, ZHAO_2023])
    campaign = _closed_appraisal_of(make, db, branch, {0: "excellent", 2: "incompetent"})
    before = _sealed(campaign.id, db)
    assert [name for name, _ in before] == ["赵磊（2015年入党）", "王芳", "赵磊（2023年入党）"]
    exported = json.loads(_run(runner, "export", "--member", str(second.id)))
    assert [r["id"] for r in exported["roll_rows"]] == [second.id]
    (row,) = exported["appraisals"]  # the labelled row is found, and only theirs
    assert row["counts"]["incompetent"] == 5
    _run(runner, "erase", "--member", str(first.id), "--yes")
    after = _sealed(campaign.id, db)
    assert after[0] == (f"已删除成员#{first.id}", before[0][1])  # the labelled name erased
    assert after[1:] == before[1:]  # the other 赵磊 and every count as they were
    other = db.session.get(Member, second.id)
    assert (other.name, other.active) == ("赵磊", True)
    prompts = [q.prompt for q in db.session.get(Campaign, campaign.id).questions]
    assert prompts == [f"已删除成员#{first.id}", "王芳", "赵磊（2023年入党）"]
    assert runner.invoke(args=["audit", str(campaign.id)]).exit_code == 0
    again = json.loads(_run(runner, "export", "--member", str(second.id)))
    assert [a["counts"]["incompetent"] for a in again["appraisals"]] == [5]


def test_members_of_one_name_without_a_year_are_told_apart_by_number_and_erased_alone(
    make, db, runner
):
    branch = make.organisation()
    first, second = _import(make, branch, [{**ZHAO_2015, "joined_on": None}] * 2)
    campaign = _closed_appraisal_of(make, db, branch, {0: "excellent"})
    _run(runner, "erase", "--member", str(second.id), "--yes")
    after = _sealed(campaign.id, db)
    assert [name for name, _ in after] == ["赵磊（1）", f"已删除成员#{second.id}"]
    assert json.loads(after[0][1])["excellent"] == 5
    assert db.session.get(Member, first.id).name == "赵磊"
    found = json.loads(_run(runner, "export", "--member", str(first.id)))
    assert [a["counts"]["excellent"] for a in found["appraisals"]] == [5]


def test_a_member_is_followed_to_their_rows_and_appraisals_on_an_older_roll(make, db, runner):
    branch = make.organisation()
    (old,) = [m for m in _import(make, branch, [WANG]) if m.active]
    last_year = _closed_appraisal_of(make, db, branch, {0: "excellent"})
    new = [m for m in _import(make, branch, [WANG]) if m.active][0]
    assert new.id != old.id and not db.session.get(Member, old.id).active
    this_year = _closed_appraisal_of(make, db, branch, {0: "competent"})
    found = json.loads(_run(runner, "export", "--member", str(new.id)))
    assert [r["id"] for r in found["roll_rows"]] == [old.id, new.id]
    assert [a["campaign_id"] for a in found["appraisals"]] == [last_year.id, this_year.id]
    _run(runner, "erase", "--member", str(new.id), "--yes")
    for campaign in (last_year, this_year):
        assert _sealed(campaign.id, db)[0][0] == f"已删除成员#{new.id}"
    assert db.session.get(Member, old.id).name == f"已删除成员#{new.id}"


def test_an_older_roll_row_of_a_name_two_people_hold_is_not_taken_for_theirs(make, db, runner):
    branch = make.organisation()
    twins = [{**ZHAO_2015, "joined_on": None}] * 2
    old = _import(make, branch, twins)
    _closed_appraisal_of(make, db, branch, {})
    current = [m for m in _import(make, branch, twins) if m.active]
    found = json.loads(_run(runner, "export", "--member", str(current[0].id)))
    assert [r["id"] for r in found["roll_rows"]] == [current[0].id]
    assert found["appraisals"] == []  # 赵磊（1）of last year may be either of them
    _run(runner, "erase", "--member", str(current[0].id), "--yes")
    db.session.rollback()
    assert [db.session.get(Member, m.id).name for m in old] == ["赵磊", "赵磊"]
    assert db.session.get(Member, current[1].id).name == "赵磊"


def test_rows_made_before_members_were_linked_are_found_only_where_they_can_be_theirs(
    make, db, runner
):
    branch = make.organisation()
    first, wang, second = _import(make, branch, [ZHAO_2015, WANG, ZHAO_2023])
    campaign = _closed_appraisal_of(make, db, branch, {})
    db.session.execute(update(Appraisee).values(member_id=None))  # as before 0029
    db.session.commit()
    for member, name in ((first, "赵磊（2015年入党）"), (wang, "王芳")):
        found = json.loads(_run(runner, "export", "--member", str(member.id)))
        assert [a["campaign_id"] for a in found["appraisals"]] == [campaign.id], name
    _run(runner, "erase", "--member", str(first.id), "--yes")
    names = [name for name, _ in _sealed(campaign.id, db)]
    assert names == [f"已删除成员#{first.id}", "王芳", "赵磊（2023年入党）"]


def test_no_vote_or_ballot_is_linked_to_a_member(db):
    """Only the roll and the appraisal rows (grades about a member, counted per question)
    refer to a member; nothing that holds a ballot, a vote or a count of votes does."""
    referring = {
        table.name
        for table in db.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name == "members"
    }
    assert referring == {"appraisees"}
    appraisees = db.metadata.tables["appraisees"]
    assert {k.column.table.name for k in appraisees.foreign_keys} == {"campaigns", "members"}


def test_an_unlinked_row_of_a_name_two_people_now_hold_is_not_taken_for_either(make, db, runner):
    branch = make.organisation()
    _import(make, branch, [{**ZHAO_2015, "joined_on": None}])
    campaign = _closed_appraisal_of(make, db, branch, {})
    db.session.execute(update(Appraisee).values(member_id=None))  # as before 0029
    db.session.commit()
    current = [m for m in _import(make, branch, [{**ZHAO_2015, "joined_on": None}] * 2) if m.active]
    for member in current:
        found = json.loads(_run(runner, "export", "--member", str(member.id)))
        assert found["appraisals"] == [] and [r["id"] for r in found["roll_rows"]] == [member.id]
    _run(runner, "erase", "--member", str(current[0].id), "--yes")
    assert _sealed(campaign.id, db)[0][0] == "赵磊"
