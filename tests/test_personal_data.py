"""Personal information (个人信息保护法): ``personal-data export`` gives as JSON what the product
holds about a staff account or a roll member; ``personal-data erase`` deactivates and renames
an account (the audit chain still verifies) or takes a member off the roll and renames them in
closed appraisals, without touching a vote count (the recount still follows the seal)."""

from __future__ import annotations

import json

from appraisal_helpers import appraisal, grades_of
from helpers import PASSWORD, cast, sign_in
from sqlalchemy import func, select

from survey.models import ApiToken, AuditEntry, Campaign, Member, User


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
