"""member appraisal (民主评议党员): appraisees frozen from the roll, the campaign's settings

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-27 13:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.add_column(
            sa.Column("all_rows_required", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("top_grade_cap_percent", sa.Integer(), nullable=True))
    op.create_table(
        "appraisees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("member_class", sa.String(length=16), nullable=False),
        sa.Column("final_grade", sa.String(length=32), nullable=True),
        sa.Column("final_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_appraisees_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisees")),
    )
    op.create_index(op.f("ix_appraisees_campaign_id"), "appraisees", ["campaign_id"])


def downgrade():
    op.drop_index(op.f("ix_appraisees_campaign_id"), table_name="appraisees")
    op.drop_table("appraisees")
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.drop_column("top_grade_cap_percent")
        batch_op.drop_column("all_rows_required")
