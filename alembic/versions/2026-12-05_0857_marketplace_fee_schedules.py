"""Marketplace fee schedules and exchange rates, with eBay's and Etsy's schedules seeded (issue 14).

Revision ID: f3a4b5c6d7e8
Revises: e2f3a4b5c6d7
Create Date: 2026-12-05 08:57:22.733958+00:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "f3a4b5c6d7e8"
down_revision: str | None = "e2f3a4b5c6d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("mxn_micro", sa.BigInteger(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mxn_micro > 0", name=op.f("ck_exchange_rates_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint("day", "currency", name=op.f("uq_exchange_rates_day_currency")),
    )
    with op.batch_alter_table("exchange_rates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_rates_day"), ["day"], unique=False)

    op.create_table(
        "fee_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "marketplace",
            sa.Enum("ebay", "etsy", name="marketplace", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("order_fee", sa.Integer(), nullable=False),
        sa.Column("order_fee_at_or_below", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("listing_fee", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("order_fee >= 0 AND listing_fee >= 0", name=op.f("ck_fee_schedules_fees")),
        sa.CheckConstraint("rate_bp BETWEEN 0 AND 10000", name=op.f("ck_fee_schedules_rate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedules")),
        sa.UniqueConstraint("marketplace", "valid_from", name=op.f("uq_fee_schedules_marketplace_valid_from")),
    )

    schedules = sa.table(
        "fee_schedules",
        sa.column("marketplace", sa.String),
        sa.column("valid_from", sa.Date),
        sa.column("rate_bp", sa.Integer),
        sa.column("order_fee", sa.Integer),
        sa.column("order_fee_at_or_below", sa.Integer),
        sa.column("threshold", sa.Integer),
        sa.column("listing_fee", sa.Integer),
        sa.column("currency", sa.String),
        sa.column("source", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        schedules,
        [
            {
                "marketplace": "ebay",
                "valid_from": date(2023, 1, 1),
                "rate_bp": 1325,
                "order_fee": 40,
                "order_fee_at_or_below": 30,
                "threshold": 1000,
                "listing_fee": 0,
                "currency": "USD",
                "source": "eBay selling fees: 13.25% final value fee on the total with shipping, plus USD 0.40 an "
                "order over USD 10 (0.30 at or below); ebay.com/help/selling/fees-credits-invoices/selling-fees",
                "created_at": datetime.now(UTC),
            },
            {
                "marketplace": "etsy",
                "valid_from": date(2022, 4, 11),
                "rate_bp": 650,
                "order_fee": 0,
                "order_fee_at_or_below": None,
                "threshold": None,
                "listing_fee": 20,
                "currency": "USD",
                "source": "Etsy fees: 6.5% transaction fee on the total with shipping, USD 0.20 a listing; "
                "etsy.com/legal/fees",
                "created_at": datetime.now(UTC),
            },
        ],
    )


def downgrade() -> None:
    op.drop_table("fee_schedules")
    with op.batch_alter_table("exchange_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_rates_day"))

    op.drop_table("exchange_rates")
