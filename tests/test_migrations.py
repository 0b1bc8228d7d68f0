"""The migrations have one head and produce exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from survey.database import _migrations_dir, migrations


def test_migrations_have_one_head(app):
    config = migrations(app).migrate.get_config(str(_migrations_dir()))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_match_the_migrated_schema(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
