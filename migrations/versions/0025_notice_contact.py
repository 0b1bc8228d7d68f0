"""Public notice: the contact for objections (联系人, 电话, 地址) on the notice

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 19:00:00

Entered when the committee publishes, shown on the notice and its poster. Notices published
before this revision have none (the page then names only the committee).
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notices") as batch_op:
        batch_op.add_column(sa.Column("contact_person", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("contact_address", sa.String(200), nullable=True))


def downgrade():
    with op.batch_alter_table("notices") as batch_op:
        batch_op.drop_column("contact_address")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_person")
