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
        from survey.staff import accounts

        committee = accounts.create_organisation(db.session, "t", name="机关党委", kind="committee")
        branch = accounts.create_organisation(
            db.session, "t", name="第一党支部", kind="branch", parent=committee
        )
        db.session.commit()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO campaigns (id, organisation_id, kind, year, title, status, "
                    "geofence, created_at) VALUES (1, :branch, 'member_review', 2026, '评议', "
                    "'draft', 'off', CURRENT_TIMESTAMP)"
                ).bindparams(branch=branch.id)
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
