"""The register of partnerships and grants, their reports due, status changes and documents (issue 14).

Revision ID: e2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-05 08:20:32.079609+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "e2f3a4b5c6d7"
down_revision: str | None = "d1e2f3a4b5c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "municipal",
                "state",
                "federal",
                "civil_society",
                name="partner_level",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "grant",
                "agreement",
                "in_kind",
                name="partnership_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "proposal",
                "submitted",
                "granted",
                "declined",
                "active",
                "closed",
                name="partnership_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name=op.f("ck_partnerships_amount")),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR starts_on <= ends_on", name=op.f("ck_partnerships_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
    )
    op.create_table(
        "partnership_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_partnership_documents_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_documents")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_partnership_documents_stored_name")),
    )
    with op.batch_alter_table("partnership_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnership_documents_partnership_id"), ["partnership_id"], unique=False)

    op.create_table(
        "partnership_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_partnership_reports_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_reports")),
    )
    with op.batch_alter_table("partnership_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnership_reports_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_partnership_reports_partnership_id"), ["partnership_id"], unique=False)

    op.create_table(
        "partnership_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposal",
                "submitted",
                "granted",
                "declined",
                "active",
                "closed",
                name="partnership_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_partnership_status_changes_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_status_changes")),
    )
    with op.batch_alter_table("partnership_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partnership_status_changes_partnership_id"), ["partnership_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("partnership_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_status_changes_partnership_id"))

    op.drop_table("partnership_status_changes")
    with op.batch_alter_table("partnership_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_reports_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_partnership_reports_due_on"))

    op.drop_table("partnership_reports")
    with op.batch_alter_table("partnership_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_documents_partnership_id"))

    op.drop_table("partnership_documents")
    op.drop_table("partnerships")
