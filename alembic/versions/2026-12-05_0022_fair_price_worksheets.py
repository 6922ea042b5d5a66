"""Fair prices (issue 12): wage benchmarks as data, seeded each with its source, and a worksheet per product
from which its fair minimum price is computed.

Revision ID: 3b9e7d15c0a4
Revises: 8d4f1c2a6b7e
Create Date: 2026-12-05 00:22:33.867167+00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "3b9e7d15c0a4"
down_revision: str | None = "8d4f1c2a6b7e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Amounts in centavos. Each figure keeps its unit, its basis and the period it measures.
BENCHMARKS = [
    (
        "Salario mínimo general 2026",
        31_504,
        "day",
        "per_worker",
        "CONASAMI, salario mínimo general vigente desde el 1 de enero de 2026 (Diario Oficial de la Federación)",
        "2026",
        date(2026, 1, 1),
    ),
    (
        "Salario mínimo 2026, Zona Libre de la Frontera Norte",
        44_087,
        "day",
        "per_worker",
        "CONASAMI, salario mínimo de la Zona Libre de la Frontera Norte desde el 1 de enero de 2026 "
        "(Diario Oficial de la Federación)",
        "2026",
        date(2026, 1, 1),
    ),
    (
        "Línea de pobreza por ingresos, rural",
        346_576,
        "month",
        "per_person",
        "INEGI, línea de pobreza por ingresos del ámbito rural con la metodología del CONEVAL, valor mensual "
        "por persona (serie mensual)",
        "2026-01",
        date(2026, 1, 1),
    ),
    (
        "Salario digno rural, Nayarit (Global Living Wage Coalition)",
        1_327_200,
        "month",
        "per_worker",
        "Global Living Wage Coalition, valor de referencia del salario digno rural de Nayarit, 2023",
        "2023",
        date(2023, 1, 1),
    ),
]


def upgrade() -> None:
    benchmarks = op.create_table(
        "wage_benchmarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column(
            "unit",
            sa.Enum("hour", "day", "month", name="wage_unit", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column(
            "basis",
            sa.Enum(
                "per_worker", "per_person", name="wage_basis", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_wage_benchmarks_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wage_benchmarks")),
        sa.UniqueConstraint("name", name=op.f("uq_wage_benchmarks_name")),
    )
    op.create_table(
        "fair_price_worksheets",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("benchmark_id", sa.Integer(), nullable=False),
        sa.Column("materials", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("overhead_bp", sa.Integer(), nullable=False),
        sa.Column("margin_bp", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "materials >= 0 AND minutes >= 0 AND overhead_bp >= 0 AND margin_bp >= 0",
            name=op.f("ck_fair_price_worksheets_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["benchmark_id"],
            ["wage_benchmarks.id"],
            name=op.f("fk_fair_price_worksheets_benchmark_id_wage_benchmarks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_fair_price_worksheets_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_fair_price_worksheets")),
    )
    for name, amount, unit, basis, source, period, valid_from in BENCHMARKS:
        op.execute(
            benchmarks.insert().values(
                name=name,
                amount=amount,
                unit=unit,
                basis=basis,
                source=source,
                period=period,
                valid_from=valid_from,
                created_at=sa.func.current_timestamp(),
            )
        )
    with op.batch_alter_table("fair_price_worksheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fair_price_worksheets_benchmark_id"), ["benchmark_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fair_price_worksheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fair_price_worksheets_benchmark_id"))

    op.drop_table("fair_price_worksheets")
    op.drop_table("wage_benchmarks")
