"""The ledger's summaries by month and by order, kept with each posting, filled from the entries already posted
(issue 14: the dashboard's rollups read these instead of every entry).

Revision ID: b7c8d9e0f1a2
Revises: f3a4b5c6d7e8
Create Date: 2026-12-05 11:07:31.403696+00:00
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "b7c8d9e0f1a2"
down_revision: str | None = "f3a4b5c6d7e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ZONE = ZoneInfo("America/Mexico_City")  # the cooperative's months


def upgrade() -> None:
    order_totals = op.create_table(
        "ledger_order_totals",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sold_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sold_on", sa.Date(), nullable=True),
        sa.Column("pieces", sa.Integer(), nullable=False),
        sa.Column("charged", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("weavers", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_order_totals_order_id_orders"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_ledger_order_totals")),
    )
    with op.batch_alter_table("ledger_order_totals", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_order_totals_sold_at", ["sold_at"], unique=False)
    month_totals = op.create_table(
        "ledger_month_totals",
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("line", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_month_totals_account_id_ledger_accounts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "month", "account_id", "category_id", "channel", "line", name=op.f("pk_ledger_month_totals")
        ),
    )
    _fill(op.get_bind(), month_totals, order_totals)


def _moment(value) -> datetime:
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _fill(connection, month_totals, order_totals) -> None:
    """Every entry posted so far, summed as the shop sums new ones."""
    months: dict[tuple, int] = defaultdict(int)
    orders: dict[int, dict] = {}
    rows = connection.execute(
        sa.text(
            "SELECT t.created_at, t.kind, t.order_id, e.account_id, e.order_line_id IS NOT NULL, "
            "COALESCE(p.category_id, 0), COALESCE(o.channel, ''), a.code = 'processor_fees', "
            "a.weaver_id IS NOT NULL, e.amount "
            "FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id "
            "JOIN ledger_accounts a ON a.id = e.account_id LEFT JOIN orders o ON o.id = t.order_id "
            "LEFT JOIN order_lines l ON l.id = e.order_line_id LEFT JOIN products p ON p.id = l.product_id"
        )
    )
    for at, kind, order_id, account_id, line, category, channel, fees, weaver, amount in rows:
        local = _moment(at).astimezone(ZONE)
        months[(local.strftime("%Y-%m"), account_id, category, channel, bool(line))] += amount
        if order_id is None:
            continue
        sums = orders.setdefault(order_id, {"sold_at": None, "sold_on": None, "fee": 0, "weavers": 0})
        if kind == "sale" and (sums["sold_at"] is None or _moment(at) < sums["sold_at"]):
            sums["sold_at"], sums["sold_on"] = _moment(at), local.date()
        sums["fee"] += amount if fees else 0
        sums["weavers"] -= amount if weaver else 0
    pieces = dict(
        connection.execute(sa.text("SELECT order_id, SUM(quantity) FROM order_lines GROUP BY order_id")).all()
    )
    charged = dict(
        connection.execute(
            sa.text("SELECT id, CASE WHEN amount_paid <> 0 THEN amount_paid ELSE total END FROM orders")
        ).all()
    )
    for order_id, sums in orders.items():
        sums["pieces"], sums["charged"] = int(pieces.get(order_id) or 0), int(charged[order_id])
    keys = ("month", "account_id", "category_id", "channel", "line")
    if months:
        op.bulk_insert(month_totals, [dict(zip(keys, k, strict=True), amount=v) for k, v in months.items()])
    if orders:
        op.bulk_insert(order_totals, [{"order_id": k, **v} for k, v in orders.items()])


def downgrade() -> None:
    op.drop_table("ledger_month_totals")
    with op.batch_alter_table("ledger_order_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_order_totals_sold_at")
    op.drop_table("ledger_order_totals")
