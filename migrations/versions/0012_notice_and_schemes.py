"""public notice (公示) with objections (异议); organisations.approves_probationary; committees' own schemes

A committee that approves probationary members is the one whose titles count toward the
target share (001 工作指南 §三(三)). Objections keep no address, no time of day and no device:
the one-per-device rule lives in notice_devices, unlinked to any objection.

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-27 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.add_column(
            sa.Column(
                "approves_probationary", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=32), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["organisations.id"], name=op.f("fk_notices_committee_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("slug", name=op.f("uq_notices_slug")),
    )
    op.create_index(op.f("ix_notices_committee_id"), "notices", ["committee_id"])
    op.create_table(
        "notice_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_entries_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_notice_entries_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_entries")),
        sa.UniqueConstraint(
            "notice_id", "organisation_id", name=op.f("uq_notice_entries_notice_id")
        ),
    )
    op.create_index(op.f("ix_notice_entries_notice_id"), "notice_entries", ["notice_id"])
    op.create_index(
        op.f("ix_notice_entries_organisation_id"), "notice_entries", ["organisation_id"]
    )
    op.create_table(
        "notice_devices",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("device_hmac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_devices_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("notice_id", "device_hmac", name=op.f("pk_notice_devices")),
    )
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lodged_on", sa.Date(), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("checked_by", sa.String(length=120), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_objections_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_objections_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
        sa.UniqueConstraint("receipt", name=op.f("uq_objections_receipt")),
    )
    op.create_index(op.f("ix_objections_notice_id"), "objections", ["notice_id"])
    op.create_index(op.f("ix_objections_organisation_id"), "objections", ["organisation_id"])
    op.create_table(
        "committee_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["organisations.id"],
            name=op.f("fk_committee_schemes_committee_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_schemes")),
        sa.UniqueConstraint(
            "committee_id", "key", "version", name=op.f("uq_committee_schemes_committee_id")
        ),
    )
    op.create_index(
        op.f("ix_committee_schemes_committee_id"), "committee_schemes", ["committee_id"]
    )


def downgrade():
    op.drop_table("committee_schemes")
    op.drop_table("objections")
    op.drop_table("notice_devices")
    op.drop_table("notice_entries")
    op.drop_table("notices")
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_column("approves_probationary")
