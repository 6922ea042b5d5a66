"""Buyers abroad and made-to-order notes (issue 15): the cooperative's international transfer details, kept in
the database so the admin or the treasurer can set them (buyers outside Mexico are offered a transfer only when
they are set), and the notes a buyer writes at checkout for a made-to-order piece (size, colours), kept on its
order line for the weaver.

Revision ID: d9e0f1a2b3c4
Revises: a2b3c4d5e6f7
Create Date: 2026-12-05 17:14:05.514421+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "d9e0f1a2b3c4"
down_revision: str | None = "a2b3c4d5e6f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "international_transfer_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("bank_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("bank_address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("swift_bic", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_international_transfer_details")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=500), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("notes")

    op.drop_table("international_transfer_details")
