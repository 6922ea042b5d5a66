"""Internal inspections of weavers and self-assessment improvement plans (issue 12); a sanction names the
inspection that imposed it.

Revision ID: c71d4a2e9b36
Revises: 9a6c3e1b5f72
Create Date: 2026-12-05 00:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "c71d4a2e9b36"
down_revision: str | None = "9a6c3e1b5f72"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "internal_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weaver_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("inspector", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("findings", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["weaver_id"], ["weavers.id"], name=op.f("fk_internal_inspections_weaver_id_weavers"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_inspections")),
    )
    with op.batch_alter_table("internal_inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_internal_inspections_weaver_id"), ["weaver_id"], unique=False)

    op.create_table(
        "improvement_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "planned",
                "in_progress",
                "done",
                "dropped",
                name="plan_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["certification_audits.id"],
            name=op.f("fk_improvement_items_audit_id_certification_audits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_items")),
    )
    with op.batch_alter_table("improvement_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_improvement_items_audit_id"), ["audit_id"], unique=False)

    with op.batch_alter_table("weaver_sanctions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspection_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_weaver_sanctions_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_weaver_sanctions_inspection_id_internal_inspections"),
            "internal_inspections",
            ["inspection_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("weaver_sanctions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_weaver_sanctions_inspection_id_internal_inspections"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_weaver_sanctions_inspection_id"))
        batch_op.drop_column("inspection_id")

    with op.batch_alter_table("improvement_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_improvement_items_audit_id"))

    op.drop_table("improvement_items")
    with op.batch_alter_table("internal_inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_internal_inspections_weaver_id"))

    op.drop_table("internal_inspections")
