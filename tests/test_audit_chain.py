"""The audit log is a hash chain (安全审计): a row changed, removed or moved with SQL breaks
``audit-log verify`` at that row; two writers at once never fork it; pruning keeps it
verifiable; it exports as CSV."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import text

from survey.core.extensions import db as _db


def _entries(make, n):
    """n audit entries, through the services (each organisation created is one)."""
    committee = make.organisation("机关党委", "committee")
    for i in range(n - 1):
        make.organisation(f"第{i + 1}党支部", parent=committee)


def _sql(db, statement, **params):
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _verify(runner):
    return runner.invoke(args=["audit-log", "verify"])


def test_each_entry_carries_the_hash_of_the_one_before(app, make, db, runner):
    from survey.core.digests import CRYPTO_MODES
    from survey.models import AuditEntry

    _entries(make, 4)
    rows = db.session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert [r.id for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == ""
    assert [r.prev_hash for r in rows[1:]] == [r.entry_hash for r in rows[:-1]]
    algorithm = CRYPTO_MODES[app.config["CRYPTO"]]  # sha256, or sm3 under `make test-sm`
    assert all(len(r.entry_hash) == 64 and r.algorithm == algorithm for r in rows)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "verified: 4 entries" in result.output


def test_an_entry_edited_with_sql_fails_verify_naming_it(make, db, runner):
    _entries(make, 4)
    _sql(db, "UPDATE audit_entries SET actor = 'someone else' WHERE id = 2")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entry 2 was changed" in result.output


def test_an_edit_whose_hash_was_recomputed_breaks_the_next_link(make, db, runner):
    _entries(make, 4)
    _sql(db, "UPDATE audit_entries SET entry_hash = :h WHERE id = 2", h="0" * 64)
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entry 2 was changed" in result.output
    _sql(db, "UPDATE audit_entries SET prev_hash = :h WHERE id = 3", h="0" * 64)
    result = _verify(runner)  # entry 2 still fails first: its own hash does not match
    assert "entry 2" in result.output and result.exit_code == 1


def test_a_deleted_entry_fails_verify_naming_where(make, db, runner):
    _entries(make, 4)
    _sql(db, "DELETE FROM audit_entries WHERE id = 2")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entry 3 does not follow entry 1" in result.output


def test_reordered_entries_fail_verify_naming_the_first_moved(make, db, runner):
    _entries(make, 4)
    _sql(db, "UPDATE audit_entries SET id = 100 WHERE id = 2")
    _sql(db, "UPDATE audit_entries SET id = 2 WHERE id = 3")
    _sql(db, "UPDATE audit_entries SET id = 3 WHERE id = 100")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entry 2 does not follow entry 1" in result.output


def test_the_newest_entry_deleted_fails_verify(make, db, runner):
    _entries(make, 3)
    _sql(db, "DELETE FROM audit_entries WHERE id = 3")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "up to 3 are missing from the end" in result.output


def test_the_oldest_entry_deleted_fails_verify_even_with_the_head_moved(make, db, runner):
    """Cutting the start and forging the head's checkpoint is not a prune: no ``audit.prune``
    entry in the chain records it."""
    _entries(make, 3)
    first_hash = db.session.execute(text("SELECT entry_hash FROM audit_entries WHERE id = 1"))
    first_hash = first_hash.scalar_one()
    _sql(db, "DELETE FROM audit_entries WHERE id = 1")
    assert "entry 2 does not follow entry 0" in _verify(runner).output
    _sql(db, "UPDATE audit_chain SET checkpoint_id = 1, checkpoint_hash = :h", h=first_hash)
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entry 2: older entries were removed without a recorded prune" in result.output


def test_a_mode_change_to_sm3_keeps_old_entries_verifiable(app, make, db, runner):
    from survey.models import AuditEntry

    app.config["CRYPTO"] = "international"  # whatever mode the suite runs in
    _entries(make, 2)
    app.config["CRYPTO"] = "sm"
    make.organisation("国密党委", "committee")
    app.config["CRYPTO"] = "international"
    make.organisation("之后党委", "committee")
    algorithms = [r.algorithm for r in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert algorithms == ["sha256", "sha256", "sm3", "sha256"]
    assert _verify(runner).exit_code == 0
    _sql(db, "UPDATE audit_entries SET action = 'x' WHERE id = 3")
    assert "entry 3 was changed" in _verify(runner).output


def test_two_writers_at_once_never_fork_the_chain(app, db, runner):
    """Eight threads append at once, each in its own session and transaction (as requests
    do): the head's lock makes them queue; the chain has eight links and verifies."""
    from survey.core.transactions import run_in_transaction
    from survey.staff import audit

    start, errors = threading.Barrier(8), []

    def write(i):
        try:
            with app.app_context():
                start.wait()
                run_in_transaction(
                    _db.session,
                    lambda: audit.record_event(_db.session, f"t{i}", "test.race", "users", str(i)),
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = db.session.execute(
        text("SELECT id, prev_hash, entry_hash FROM audit_entries ORDER BY id")
    )
    rows = rows.all()
    assert [r.id for r in rows] == list(range(1, 9))
    assert len({r.prev_hash for r in rows}) == 8  # no two entries follow the same one
    result = _verify(runner)
    assert result.exit_code == 0, result.output


def test_prune_removes_old_entries_and_the_chain_still_verifies(app, make, db, runner, monkeypatch):
    import survey.staff.audit as audit_module
    from survey.models import AuditEntry

    long_ago = datetime(2020, 1, 1)
    monkeypatch.setattr(audit_module, "utcnow", lambda: long_ago)
    _entries(make, 3)
    monkeypatch.undo()
    make.organisation("新党委", "committee")
    result = runner.invoke(args=["audit-log", "prune"])
    assert result.exit_code == 0, result.output
    assert "pruned 3 entries" in result.output
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["organisation.create", "audit.prune"]
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    _sql(db, "DELETE FROM audit_entries WHERE id = 4")
    assert _verify(runner).exit_code == 1


def test_prune_refuses_fewer_than_180_days_and_keeps_recent_entries(make, db, runner):
    _entries(make, 2)
    result = runner.invoke(args=["audit-log", "prune", "--days", "179"])
    assert result.exit_code != 0 and "at least 180 days" in result.output
    result = runner.invoke(args=["audit-log", "prune", "--days", "180"])
    assert "pruned 0 entries" in result.output
    assert db.session.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() == 2


@pytest.mark.parametrize(
    ("name", "value"), [("SURVEY_AUDIT_RETENTION_DAYS", "179"), ("SURVEY_CRYPTO", "md5")]
)
def test_a_weakening_setting_refuses_to_start(monkeypatch, name, value):
    from survey import create_app
    from survey.core.config import ProductionError

    monkeypatch.setenv(name, value)
    with pytest.raises(ProductionError):
        create_app({"TESTING": True, "SECRET_KEYS": ["k"]})


def test_the_log_exports_as_csv_with_its_hashes_and_no_formula(make, db, runner, tmp_path):
    import csv

    from survey.staff import audit

    _entries(make, 2)
    audit.record_event(db.session, "=HYPERLINK(1)", "user.sign_in_failed", "users", None)
    db.session.commit()
    out = tmp_path / "audit.csv"
    result = runner.invoke(args=["audit-log", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["prev_hash"] == rows[0]["entry_hash"]
    assert rows[2]["actor"] == "'=HYPERLINK(1)"


def test_the_audit_page_tells_the_auditor_whether_the_chain_holds(make, db, auth, client):
    make.user("auditor", "auditor")
    committee = make.organisation("机关党委", "committee")
    make.user("reviewer", "reviewer", committee)
    auth.login("auditor")
    assert "校验通过" in client.get("/staff/audit?lang=zh").text
    _sql(db, """UPDATE audit_entries SET detail = '{"name": "x"}' WHERE id = 3""")
    page = client.get("/staff/audit?lang=zh").text
    assert "校验通过" not in page and "第3条记录写入后被改动" in page
    auth.logout()
    auth.login("reviewer")
    page = client.get("/staff/audit?lang=zh").text
    assert 'id="chain"' not in page  # a reviewer sees a subtree, not the whole chain


def test_the_auditor_downloads_the_log_from_the_audit_page_and_others_cannot(make, auth, client):
    make.user("auditor", "auditor")
    committee = make.organisation("机关党委", "committee")
    make.user("reviewer", "reviewer", committee)
    auth.login("auditor")
    assert 'href="/staff/audit.csv"' in client.get("/staff/audit").text
    answer = client.get("/staff/audit.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "user.create" in answer.text and "entry_hash" in answer.text
    auth.logout()
    auth.login("reviewer")
    assert client.get("/staff/audit.csv").status_code == 403
    assert "/staff/audit.csv" not in client.get("/staff/audit").text


def test_accounts_their_roles_resets_and_api_tokens_are_audited(make, db, runner):
    from survey.models import AuditEntry

    committee = make.organisation("机关党委", "committee")
    make.user("reviewer", "reviewer", committee)
    runner.invoke(args=["create-api-token", "reviewer"])
    entries = db.session.query(AuditEntry).order_by(AuditEntry.id).all()
    created = next(e for e in entries if e.action == "user.create")
    assert created.detail["role"] == "reviewer"
    assert [e.action for e in entries].count("api_token.create") == 2
    assert all("password" not in str(e.detail).casefold() for e in entries)
