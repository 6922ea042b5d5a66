"""Programme indicators: definitions, targets, values with their history, approvals and lock exceptions
(issue 14).

Revision ID: d1e2f3a4b5c6
Revises: c0d4e6f8a913
Create Date: 2026-12-05 08:10:03.603385+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "d1e2f3a4b5c6"
down_revision: str | None = "c0d4e6f8a913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name_es", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "pillar",
            sa.Enum(
                "mobilization",
                "gender_equality",
                "government_alliances",
                name="indicator_pillar",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "leadership",
                "government_cooperation",
                "sustainable_development",
                "mindset_shift",
                "food_security",
                "womens_empowerment",
                "income_generation",
                name="indicator_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "output",
                "outcome",
                "impact",
                name="indicator_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column(
            "measure",
            sa.Enum(
                "count",
                "percentage",
                "money",
                name="indicator_measure",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("ascending", sa.Boolean(), nullable=False),
        sa.Column("by_sex", sa.Boolean(), nullable=False),
        sa.Column("by_age", sa.Boolean(), nullable=False),
        sa.Column("baseline_value", sa.BigInteger(), nullable=True),
        sa.Column("baseline_year", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "baseline_year IS NULL OR baseline_year BETWEEN 1990 AND 2999", name=op.f("ck_indicators_baseline_year")
        ),
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name=op.f("ck_indicators_weight")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_indicators_code")),
    )
    op.create_table(
        "indicator_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_indicator_targets_value")),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_targets_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_targets")),
        sa.UniqueConstraint("indicator_id", "period", name=op.f("uq_indicator_targets_indicator_id_period")),
    )
    with op.batch_alter_table("indicator_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_targets_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("age_band", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=True),
        sa.Column("denominator", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.CheckConstraint(
            "(numerator IS NULL AND denominator IS NULL) OR (numerator >= 0 AND denominator >= numerator)",
            name=op.f("ck_indicator_values_fraction"),
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_indicator_values_value")),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_values_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
        sa.UniqueConstraint(
            "indicator_id",
            "period",
            "community",
            "sex",
            "age_band",
            name=op.f("uq_indicator_values_indicator_id_period_community_sex_age_band"),
        ),
    )
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_values_period"), ["period"], unique=False)

    op.create_table(
        "indicator_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_indicator_approvals_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_approvals")),
        sa.UniqueConstraint("period", "community", name=op.f("uq_indicator_approvals_period_community")),
    )
    op.create_table(
        "indicator_lock_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_indicator_lock_exceptions_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_lock_exceptions")),
    )
    op.create_table(
        "indicator_value_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("age_band", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("before", sa.BigInteger(), nullable=True),
        sa.Column("after", sa.BigInteger(), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=True),
        sa.Column("denominator", sa.BigInteger(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_indicator_value_changes_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_value_changes_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value_changes")),
    )
    with op.batch_alter_table("indicator_value_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_value_changes_indicator_id"), ["indicator_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicator_value_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_value_changes_indicator_id"))

    op.drop_table("indicator_value_changes")
    op.drop_table("indicator_lock_exceptions")
    op.drop_table("indicator_approvals")
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_values_period"))

    op.drop_table("indicator_values")
    with op.batch_alter_table("indicator_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_targets_indicator_id"))

    op.drop_table("indicator_targets")
    op.drop_table("indicators")
