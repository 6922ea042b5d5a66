"""When the buyer of an offline order confirmed her e-mail address (or the cooperative confirmed the order):
until then its pieces are held only briefly (issue 10).

Revision ID: 3b8e5f27c1d4
Revises: 7c2b9e41f0a3
Create Date: 2026-12-04 16:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "3b8e5f27c1d4"
down_revision: str | None = "7c2b9e41f0a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("confirmed_at")
