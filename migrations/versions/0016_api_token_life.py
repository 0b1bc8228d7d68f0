"""API tokens' life: a name, a read-only scope, an expiry and the last day used

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-04 16:00:00

Tokens made before this revision lived forever: they now expire 90 days after the upgrade.
"""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0018"
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90


def upgrade():
    expires = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=DEFAULT_DAYS)
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(80), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("read_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_used_on", sa.Date(), nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime()))
    op.execute(tokens.update().values(expires_at=expires))
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("last_used_on")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("read_only")
        batch_op.drop_column("name")
