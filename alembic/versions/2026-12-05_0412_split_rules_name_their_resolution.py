"""Split rules name the assembly resolution that set them (issue 13).

Revision ID: c0d4e6f8a913
Revises: b5e17c9a0d42
Create Date: 2026-12-05 04:12:58.292616+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "c0d4e6f8a913"
down_revision: str | None = "b5e17c9a0d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("split_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_split_rules_resolution_id_resolutions"),
            "resolutions",
            ["resolution_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("split_rules", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_split_rules_resolution_id_resolutions"), type_="foreignkey")
        batch_op.drop_column("resolution_id")
