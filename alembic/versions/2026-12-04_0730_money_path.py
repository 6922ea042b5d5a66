"""Money and stock across channels: payments to resolve, Stripe refunds matched by id, stock movements of sales.

Revision ID: 5d1e0c0a9b01
Revises: 038411b39931
Create Date: 2026-12-04 07:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders AutoString columns with it)

from alembic import op  # noqa: F401

revision: str = "5d1e0c0a9b01"
down_revision: str | None = "038411b39931"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
