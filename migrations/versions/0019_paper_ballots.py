"""Paper ballots: the channel a ballot was spent by (phone or paper)

Revision ID: 0019
Revises: 0021
Create Date: 2026-12-04 17:00:00

Set by the spend itself (the same conditional UPDATE that marks the card used). It says
only how a card came back -- which the tellers saw, and which the used/unused status
already half says -- never what it carried. Ballots spent before this revision have none:
they were all phone casts.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ballots") as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(8), nullable=True))


def downgrade():
    with op.batch_alter_table("ballots") as batch_op:
        batch_op.drop_column("channel")
