"""A payment recorded as received waits a few minutes before it takes effect, so the treasurer can undo it
(issue 15).

Revision ID: c4d5e6f7a8b9
Revises: f1a2b3c4d5e6
Create Date: 2026-12-05 18:35:38.868938+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "c4d5e6f7a8b9"
down_revision: str | None = "f1a2b3c4d5e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waiting_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("takes_effect_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_waiting_receipts_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_receipts")),
        sa.UniqueConstraint("order_id", name=op.f("uq_waiting_receipts_order_id")),
    )
    with op.batch_alter_table("waiting_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waiting_receipts_takes_effect_at"), ["takes_effect_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("waiting_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waiting_receipts_takes_effect_at"))

    op.drop_table("waiting_receipts")
