"""The migrations have one head and produce exactly the models' schema."""

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


def test_0018_chains_the_entries_already_written_and_downgrades(app, fresh_database_url):
    """0013 -> 0018 hashes the existing audit entries into a chain that verifies (and that
    new entries continue); back to 0013 removes the chain; up again rebuilds it."""
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
        downgrade(revision="0013")
        inspector = inspect(db.engine)
        assert "audit_chain" not in inspector.get_table_names()
        assert "entry_hash" not in {c["name"] for c in inspector.get_columns("audit_entries")}
        upgrade()
        assert verify_chain(db.session).ok
        db.session.remove()
        db.engine.dispose()
