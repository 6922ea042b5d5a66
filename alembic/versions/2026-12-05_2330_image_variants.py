"""Each image names the set of thumbnails made for it (issue 16): AVIF beside WebP, and 480 and 960 wide beside
320, 640 and 1280. Photos stored until now have the first set (WebP at 320, 640 and 1280), so pages keep linking
only those until ``shop photos thumbnails`` makes the rest from their originals.

Revision ID: d2598f4a2742
Revises: 5b8c0d2e4f6a
Create Date: 2026-12-05 23:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "d2598f4a2742"
down_revision: str | None = "5b8c0d2e4f6a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("images") as batch_op:
        batch_op.add_column(sa.Column("variants", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("images") as batch_op:
        batch_op.drop_column("variants")
