"""The migrations have one head and produce exactly the models' schema."""

import os
from datetime import date
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from survey.core.database import _migrations_dir, migrations


def test_migrations_have_one_head(app):
    config = migrations(app).migrate.get_config(str(_migrations_dir()))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_match_the_migrated_schema(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_0013_member_appraisal_upgrades_over_old_rows_and_downgrades(app, fresh_database_url):
    """0011 -> 0013 adds the appraisal's settings (an existing campaign wants every row, no
    cap) and its appraisees; back to 0011 removes them; up again restores them."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from survey import create_app
    from survey.core.extensions import db

    fresh = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEYS": ["k"]}
    )
    migrations(fresh)  # Flask-Migrate is registered on first need, not at start
    with fresh.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            _old_organisations(conn)  # with SQL: today's services write today's schema
            conn.execute(
                text(
                    "INSERT INTO campaigns (id, organisation_id, kind, year, title, status, "
                    "geofence, created_at) VALUES (1, 2, 'member_review', 2026, '评议', "
                    "'draft', 'off', CURRENT_TIMESTAMP)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            row = conn.execute(
                text("SELECT all_rows_required, top_grade_cap_percent FROM campaigns")
            ).one()
        assert tuple(row) == (True, None)
        assert "appraisees" in inspect(db.engine).get_table_names()
        downgrade(revision="0011")
        inspector = inspect(db.engine)
        assert "appraisees" not in inspector.get_table_names()
        assert "all_rows_required" not in {c["name"] for c in inspector.get_columns("campaigns")}
        upgrade()
        assert "appraisees" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


GONE_TEXT = "作废的旁注-deleted-text-7f3a9c"  # a text on a 满意 answer: not a reason, dropped
REASON = "路灯不亮-kept-reason-51d2"
CAST = {
    # campaign 1, a member review: 6 full 优秀/合格, 2 probationary 合格 (under 5: merged)
    1: [("full", None, "excellent")] * 5
    + [("full", None, "competent")]
    + [("probationary", None, "competent")] * 2,
    # campaign 2, a public poll: two 不满意 (one with a reason, checked), a 满意 with a text
    2: [("public", "inside", "dissatisfied"), ("public", "outside", "dissatisfied")]
    + [("public", "inside", "satisfied")] * 5,
}


def _old_ballots(conn, text) -> dict[int, list[str]]:
    """Closed campaigns as 0013 stored them: one response row per ballot, its answers."""
    ids: dict[int, list[str]] = {}
    for campaign_id, ballots in CAST.items():
        for k, (cls, geo, choice) in enumerate(ballots):
            rid = f"{campaign_id:02d}{k:030d}"
            ids.setdefault(campaign_id, []).append(rid)
            conn.execute(
                text("INSERT INTO responses VALUES (:id, :c, :cls, :geo)"),
                {"id": rid, "c": campaign_id, "cls": cls, "geo": geo},
            )
            note = REASON if k == 0 and campaign_id == 2 else None
            note = GONE_TEXT if choice == "satisfied" and k == 2 else note
            conn.execute(
                text("INSERT INTO answers VALUES (:r, :q, :choice, :t)"),
                {"r": rid, "q": campaign_id * 10, "choice": choice, "t": note},
            )
            if campaign_id == 1:  # and an extra question
                conn.execute(
                    text("INSERT INTO answers VALUES (:r, 11, 'excellent', NULL)"), {"r": rid}
                )
    conn.execute(
        text(
            "INSERT INTO tallies VALUES (1, 'full', 'excellent', 5), (1, 'full', 'competent', 1),"
            " (1, 'probationary', 'competent', 2), (2, 'public', 'dissatisfied', 2),"
            " (2, 'public', 'satisfied', 5)"
        )
    )
    conn.execute(
        text("INSERT INTO verifications VALUES (:r, 'verified', '查实', 't', CURRENT_TIMESTAMP)"),
        {"r": ids[2][0]},
    )
    return ids


def _old_organisations(conn) -> None:
    """A committee (1) and its branch (2), as rows of an older schema."""
    from sqlalchemy import text

    conn.execute(
        text(
            "INSERT INTO organisations (id, name, kind, parent_id, public_facing, weak, "
            "created_at) VALUES (1, '机关党委', 'committee', NULL, true, false, "
            "CURRENT_TIMESTAMP), (2, '第一党支部', 'branch', 1, true, false, CURRENT_TIMESTAMP)"
        )
    )


def test_0014_turns_old_ballots_into_counts_and_leaves_no_trace_of_them(app, fresh_database_url):
    """0013 -> 0014: closed campaigns' responses become counts (classes merged under 5),
    each 不满意 a complaint keeping its id, reason and finding; the per-ballot tables go, and
    on SQLite not a byte of a deleted row stays in the file (VACUUM after upgrading)."""
    from flask_migrate import downgrade
    from sqlalchemy import inspect, text

    from survey import create_app
    from survey.core.database import upgrade
    from survey.core.extensions import db

    fresh = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEYS": ["k"]}
    )
    migrations(fresh)
    with fresh.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            _old_organisations(conn)  # rows, not the service: it writes today's audit chain
            for cid, kind, scale in (
                (1, "member_review", "member"),
                (2, "public_satisfaction", "satisfaction"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO campaigns (id, organisation_id, kind, year, title, status, "
                        "geofence, created_at, all_rows_required) VALUES (:c, :b, :k, 2026, 't', "
                        "'closed', 'off', CURRENT_TIMESTAMP, :yes)"
                    ),
                    {"c": cid, "b": 2, "k": kind, "yes": True},
                )
                conn.execute(
                    text("INSERT INTO questions VALUES (:q, :c, 0, 'overall', '?', :s)"),
                    {"q": cid * 10, "c": cid, "s": scale},
                )
            conn.execute(
                text("INSERT INTO questions VALUES (11, 1, 1, 'political', '?', 'member')")
            )
            ids = _old_ballots(conn, text)
        db.session.remove()  # no reader left open: it would keep the WAL's frames
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert not {"responses", "answers"} & tables
        with db.engine.connect() as conn:
            counts = {
                tuple(row)
                for row in conn.execute(
                    text(
                        "SELECT campaign_id, question_id, respondent_class, geo, choice, n "
                        "FROM counts"
                    )
                )
            }
            complaints = conn.execute(text("SELECT id, reason FROM complaints")).all()
            found = conn.execute(text("SELECT complaint_id, result FROM verifications")).all()
            tallies = set(map(tuple, conn.execute(text("SELECT * FROM tallies"))))
            counted = dict(conn.execute(text("SELECT id, votes_counted FROM campaigns")).all())
        assert counts == {
            (1, 10, "all", "none", "excellent", 5),
            (1, 10, "all", "none", "competent", 3),
            (1, 11, "all", "none", "excellent", 8),
            (2, 20, "public", "inside", "dissatisfied", 1),
            (2, 20, "public", "outside", "dissatisfied", 1),
            (2, 20, "public", "inside", "satisfied", 5),
        }
        assert sorted(complaints) == sorted([(ids[2][0], REASON), (ids[2][1], None)])
        assert found == [(ids[2][0], "verified")]
        assert tallies == {
            (1, "all", "excellent", 5),
            (1, "all", "competent", 3),
            (2, "public", "dissatisfied", 2),
            (2, "public", "satisfied", 5),
        }
        assert counted == {1: 8, 2: 7}
        if fresh_database_url.startswith("sqlite"):
            path = fresh_database_url.removeprefix("sqlite:///")
            stored = b"".join(
                Path(f).read_bytes() for f in (path, path + "-wal") if os.path.exists(f)
            )
            assert GONE_TEXT.encode() not in stored
            assert not [rid for rid in ids[1] if rid.encode() in stored]  # ballots' ids gone
            assert REASON.encode() in stored  # the reason kept, as the check's control
        else:  # the merged tallies' old per-class rows: no dead tuple left in a page
            with db.engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
                pages = conn.execute(
                    text("SELECT pg_relation_size('tallies') / current_setting('block_size')::int")
                ).scalar()
                raw = b"".join(
                    bytes(conn.execute(text(f"SELECT get_raw_page('tallies', {n})")).scalar())
                    for n in range(pages)
                )
            assert pages and b"public" in raw  # the pages are read: the live rows are there
            assert b"probationary" not in raw
        downgrade(revision="0013")
        assert {"responses", "answers"} <= set(inspect(db.engine).get_table_names())
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_0018_chains_the_entries_already_written_and_downgrades(app, fresh_database_url):
    """0013 -> 0018 hashes the existing audit entries into a chain that verifies (and that
    new entries continue); back to 0015 removes the chain; up again rebuilds it."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from survey import create_app
    from survey.core.extensions import db
    from survey.staff import audit
    from survey.staff.audit_reading import verify_chain

    fresh = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEYS": ["k"]}
    )
    migrations(fresh)
    with fresh.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            _old_organisations(conn)
            for i, action in enumerate(("organisation.create", "organisation.create"), 1):
                conn.execute(
                    text(
                        "INSERT INTO audit_entries (id, at, actor, action, object_type, "
                        "object_id, detail) VALUES (:id, CURRENT_TIMESTAMP, 'cli', :action, "
                        "'organisations', :id, '{\"kind\": \"x\"}')"
                    ).bindparams(id=i, action=action)
                )
        upgrade()
        check = verify_chain(db.session)
        assert check.ok and check.checked == 2, check.describe()
        audit.record_event(db.session, "cli", "test.after", "organisations", "1")
        db.session.commit()
        assert verify_chain(db.session).checked == 3
        db.session.remove()
        downgrade(revision="0015")
        inspector = inspect(db.engine)
        assert "audit_chain" not in inspector.get_table_names()
        assert "entry_hash" not in {c["name"] for c in inspector.get_columns("audit_entries")}
        upgrade()
        assert verify_chain(db.session).ok
        db.session.remove()
        db.engine.dispose()


def test_0029_links_appraisal_rows_to_the_one_member_they_can_be_and_downgrades(
    app, fresh_database_url
):
    """0028 -> 0029 links an appraisal's row to its roll member where the branch holds one
    member of that name (or of that labelled name and year); a name held twice, or a
    numbered label, stays unlinked. Back to 0028 removes the column; up again restores it."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from survey import create_app
    from survey.core.extensions import db

    fresh = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEYS": ["k"]}
    )
    migrations(fresh)
    roll = [  # id, name, joined_on
        (1, "王芳", None),
        (2, "赵磊", date(2015, 7, 1)),
        (3, "赵磊", date(2023, 7, 1)),
        (4, "李明", None),
        (5, "李明", None),
    ]
    rows = ["王芳", "赵磊（2015年入党）", "赵磊（2023年入党）", "李明（1）", "李明（2）", "李明"]
    with fresh.app_context():
        upgrade(revision="0028")
        with db.engine.begin() as conn:
            _old_organisations(conn)
            conn.execute(
                text(
                    "INSERT INTO campaigns (id, organisation_id, kind, year, title, status, "
                    "geofence, created_at) VALUES (1, 2, 'member_appraisal', 2026, '评议', "
                    "'closed', 'off', CURRENT_TIMESTAMP)"
                )
            )
            for member_id, name, joined in roll:
                conn.execute(
                    text(
                        "INSERT INTO members (id, organisation_id, name, member_class, active, "
                        "joined_on) VALUES (:id, 2, :name, 'full', true, :joined)"
                    ).bindparams(id=member_id, name=name, joined=joined)
                )
            for position, name in enumerate(rows):
                conn.execute(
                    text(
                        "INSERT INTO appraisees (id, campaign_id, position, name, member_class) "
                        "VALUES (:id, 1, :position, :name, 'full')"
                    ).bindparams(id=position + 1, position=position, name=name)
                )
        upgrade()
        with db.engine.connect() as conn:
            linked = conn.execute(text("SELECT member_id FROM appraisees ORDER BY id")).scalars()
            assert list(linked) == [1, 2, 3, None, None, None]
        downgrade(revision="0028")
        columns = {c["name"] for c in inspect(db.engine).get_columns("appraisees")}
        assert "member_id" not in columns
        upgrade()
        columns = {c["name"] for c in inspect(db.engine).get_columns("appraisees")}
        assert "member_id" in columns
        db.session.remove()
        db.engine.dispose()
