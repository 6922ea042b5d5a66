"""Orders sold wholesale and on marketplaces: two more channels, and a marketplace order's own number, imported
once (issue 14).

Revision ID: c8d9e0f1a2b3
Revises: b7c8d9e0f1a2
Create Date: 2026-12-05 12:10:54.352195+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "c8d9e0f1a2b3"
down_revision: str | None = "b7c8d9e0f1a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _channels(*names: str) -> sa.TextClause:
    return sa.text("channel IN (" + ", ".join(f"'{name}'" for name in names) + ")")


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marketplace", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column("external_ref", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.create_unique_constraint("uq_orders_marketplace_external_ref", ["marketplace", "external_ref"])
        batch_op.create_check_constraint(
            batch_op.f("ck_orders_marketplace_known"), sa.text("marketplace IN ('ebay', 'etsy')")
        )
        batch_op.drop_constraint(batch_op.f("ck_orders_order_channel"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_orders_order_channel"), _channels("online", "in_person", "wholesale", "marketplace")
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_orders_order_channel"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_orders_order_channel"), _channels("online", "in_person"))
        batch_op.drop_constraint(batch_op.f("ck_orders_marketplace_known"), type_="check")
        batch_op.drop_constraint("uq_orders_marketplace_external_ref", type_="unique")
        batch_op.drop_column("external_ref")
        batch_op.drop_column("marketplace")
