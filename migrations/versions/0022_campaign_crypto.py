"""Campaigns record the crypto suite that seals them (international or sm)

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-04 19:00:00

SURVEY_CRYPTO when the campaign was created: its envelopes, its scrutineers' key pair and
its seals follow it whatever the setting says later, so a change of mode strands no open
box. Every campaign made before this revision was sealed by the international suite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER on both databases: a batch would rebuild campaigns on SQLite, and its
    # DROP TABLE is refused while rows of other tables reference a campaign.
    op.add_column(
        "campaigns",
        sa.Column("crypto", sa.String(16), nullable=False, server_default="international"),
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":  # SQLite >= 3.35 drops a column in place
        op.execute("ALTER TABLE campaigns DROP COLUMN crypto")
        return
    op.drop_column("campaigns", "crypto")
