"""An order line keeps the fair-trade claims its piece carried when ordered (issue 12): scheme, certificate and
wording, so what the buyer paid for stays on record whatever later happens to the certificate. Lines ordered
before have none.

Revision ID: 5e2a9c7f4d18
Revises: 3b9e7d15c0a4
Create Date: 2026-12-05 00:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5e2a9c7f4d18"
down_revision: str | None = "3b9e7d15c0a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch_op:
        batch_op.add_column(sa.Column("fair_trade", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("order_lines") as batch_op:
        batch_op.alter_column("fair_trade", server_default=None, existing_type=sa.JSON())


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch_op:
        batch_op.drop_column("fair_trade")
