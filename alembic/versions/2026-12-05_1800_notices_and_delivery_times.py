"""Notices and delivery times: the product page tells how long a parcel takes to each shipping zone (business
days, seeded for the three zones the shop starts with), and visitors may ask to be told by e-mail when a similar
piece by a weaver is published or card payment starts working (each request with its own token to take it back).

Revision ID: e0f1a2b3c4d5
Revises: b3c4d5e6f7a8
Create Date: 2026-12-05 17:25:21.838150+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "e0f1a2b3c4d5"
down_revision: str | None = "b3c4d5e6f7a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "similar_piece",
                "card_payment",
                name="notice_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("weaver_id", sa.Integer(), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["weaver_id"], ["weavers.id"], name=op.f("fk_notices_weaver_id_weavers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("token", name=op.f("uq_notices_token")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_email"), ["email"], unique=False)
        batch_op.create_index("ix_notices_pending", ["kind", "sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_weaver_id"), ["weaver_id"], unique=False)

    with op.batch_alter_table("shipping_zones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_days", sa.Integer(), server_default="3", nullable=False))
        batch_op.add_column(sa.Column("max_days", sa.Integer(), server_default="10", nullable=False))
        batch_op.create_check_constraint(
            batch_op.f("ck_shipping_zones_delivery_days"), sa.text("min_days > 0 AND max_days >= min_days")
        )
    # Business days from dispatch, as the carriers promise them; the treasurer can change them later.
    for code, least, most in (("mx", 2, 6), ("us_ca", 5, 10), ("world", 8, 20)):
        op.execute(
            sa.text("UPDATE shipping_zones SET min_days = :least, max_days = :most WHERE code = :code").bindparams(
                least=least, most=most, code=code
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("shipping_zones", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_shipping_zones_delivery_days"), type_="check")
        batch_op.drop_column("max_days")
        batch_op.drop_column("min_days")

    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_weaver_id"))
        batch_op.drop_index("ix_notices_pending")
        batch_op.drop_index(batch_op.f("ix_notices_email"))

    op.drop_table("notices")
