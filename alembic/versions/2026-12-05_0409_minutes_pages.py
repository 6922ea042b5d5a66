"""Scanned pages of assembly minutes (issue 13), kept privately.

Revision ID: b5e17c9a0d42
Revises: a82d5e0c4f17
Create Date: 2026-12-05 04:09:37.710207+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "b5e17c9a0d42"
down_revision: str | None = "a82d5e0c4f17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "minutes_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assemblies.id"],
            name=op.f("fk_minutes_pages_assembly_id_assemblies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_pages")),
        sa.UniqueConstraint("assembly_id", "page", name=op.f("uq_minutes_pages_assembly_id_page")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_minutes_pages_stored_name")),
    )
    with op.batch_alter_table("minutes_pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_pages_assembly_id"), ["assembly_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("minutes_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_pages_assembly_id"))

    op.drop_table("minutes_pages")
