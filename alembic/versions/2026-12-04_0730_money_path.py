"""Money and stock across channels: payments to resolve, Stripe refunds matched by id, stock movements of sales.

Revision ID: 5d1e0c0a9b01
Revises: 038411b39931
Create Date: 2026-12-04 07:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders AutoString columns with it)

from alembic import op

revision: str = "5d1e0c0a9b01"
down_revision: str | None = "038411b39931"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STOCK_REASONS = ("count_correction", "sold_in_person", "damaged", "returned", "new_stock")
PAYMENT_STATUSES = ("open", "succeeded", "failed", "expired", "cancelled")


def _enum_check(batch_op, table: str, name: str, column: str, values: tuple[str, ...]) -> None:
    """Replace the CHECK that a non-native Enum column carries (its name follows the naming convention)."""
    batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}"), type_="check")
    listed = ", ".join(f"'{value}'" for value in values)
    batch_op.create_check_constraint(name, f"{column} IN ({listed})")


def upgrade() -> None:
    # A "sold in person" stock change is now made only by an in-person sale, which it names. Earlier ones
    # had no sale behind them: they keep their history under a reason that says so.
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        _enum_check(batch_op, "stock_movements", "stock_reason", "reason", (*STOCK_REASONS, "sold_unrecorded"))
    op.execute("UPDATE stock_movements SET reason = 'sold_unrecorded' WHERE reason = 'sold_in_person'")
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_stock_movements_order_id"), ["order_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_stock_movements_order_id_orders"), "orders", ["order_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_check_constraint("sale_has_order", "reason <> 'sold_in_person' OR order_id IS NOT NULL")

    # Money an order could not take waits as "unallocated" until it is reinstated or "returned".
    with op.batch_alter_table("payments", schema=None) as batch_op:
        _enum_check(batch_op, "payments", "payment_status", "status", (*PAYMENT_STATUSES, "unallocated", "returned"))
    # A refund keeps what it was asked to give back, so the webhook or the job can book exactly that.
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan", sa.JSON(), nullable=True))
    # Stripe's fee is booked when its balance transaction is known; until then it is NULL.
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.alter_column("fee", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE payments SET fee = 0 WHERE fee IS NULL")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.alter_column("fee", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_column("plan")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        _enum_check(batch_op, "payments", "payment_status", "status", PAYMENT_STATUSES)
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_stock_movements_sale_has_order"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_stock_movements_order_id_orders"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_stock_movements_order_id"))
        batch_op.drop_column("order_id")
    op.execute("UPDATE stock_movements SET reason = 'sold_in_person' WHERE reason = 'sold_unrecorded'")
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        _enum_check(batch_op, "stock_movements", "stock_reason", "reason", STOCK_REASONS)
