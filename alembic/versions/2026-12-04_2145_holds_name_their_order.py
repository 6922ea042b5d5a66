"""A stock hold keeps its order's number and buyer, copied when it is made (issue 11): the catalogue tells a
member whom a piece is held for from its own table, without reading the orders'.

Revision ID: 7c2e4b9a1f3d
Revises: 5d1c7a93e2b8
Create Date: 2026-12-04 21:45:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "7c2e4b9a1f3d"
down_revision: str | None = "5d1c7a93e2b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stock_reservations") as batch_op:
        batch_op.add_column(sa.Column("order_number", sa.String(20), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("buyer", sa.String(200), nullable=False, server_default=""))
    op.execute(
        "UPDATE stock_reservations SET "
        "order_number = (SELECT orders.number FROM orders WHERE orders.id = stock_reservations.order_id), "
        "buyer = (SELECT orders.name FROM orders WHERE orders.id = stock_reservations.order_id)"
    )
    with op.batch_alter_table("stock_reservations") as batch_op:
        batch_op.alter_column("order_number", server_default=None, existing_type=sa.String(20))
        batch_op.alter_column("buyer", server_default=None, existing_type=sa.String(200))


def downgrade() -> None:
    with op.batch_alter_table("stock_reservations") as batch_op:
        batch_op.drop_column("buyer")
        batch_op.drop_column("order_number")
