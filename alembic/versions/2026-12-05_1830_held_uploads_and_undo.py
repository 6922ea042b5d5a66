"""Held uploads: photos chosen on the new-piece form are kept privately (a row naming who chose them and when)
so that a form coming back with a mistake does not lose them; a day later they are thrown away.

Revision ID: f1a2b3c4d5e6
Revises: d9e0f1a2b3c4
Create Date: 2026-12-05 17:18:33.641590+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "f1a2b3c4d5e6"
down_revision: str | None = "d9e0f1a2b3c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("original_ext", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_held_uploads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_uploads")),
        sa.UniqueConstraint("token", name=op.f("uq_held_uploads_token")),
    )
    with op.batch_alter_table("held_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_held_uploads_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_held_uploads_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("held_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_uploads_user_id"))
        batch_op.drop_index(batch_op.f("ix_held_uploads_created_at"))

    op.drop_table("held_uploads")
