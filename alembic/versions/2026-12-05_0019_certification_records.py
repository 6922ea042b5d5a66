"""Certification records (issue 12): fair-trade schemes as data, certificates with their scope (products,
categories, weavers, sites), label licences, and the sanctions that take a weaver out of every scope.

Revision ID: 8d4f1c2a6b7e
Revises: 7c2e4b9a1f3d
Create Date: 2026-12-05 00:19:07.519001+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "8d4f1c2a6b7e"
down_revision: str | None = "7c2e4b9a1f3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certification_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("standard_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("standard_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "claim_kind",
            sa.Enum("product", "organisation", name="claim_kind", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("wording_es", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("wording_en", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("renewal_grace_days", sa.Integer(), nullable=False),
        sa.Column("needs_licence", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("renewal_grace_days >= 0", name=op.f("ck_certification_schemes_grace_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_schemes")),
        sa.UniqueConstraint("name", name=op.f("uq_certification_schemes_name")),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("certifier", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("risk_category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "applicant",
                "provisional",
                "certified",
                "suspended",
                "withdrawn",
                "expired",
                "superseded",
                name="certificate_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("next_audit_due", sa.Date(), nullable=True),
        sa.Column("sites", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("supersedes_id IS NULL OR supersedes_id <> id", name=op.f("ck_certificates_not_itself")),
        sa.CheckConstraint("valid_from <= expires_on", name=op.f("ck_certificates_valid_before_expiry")),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["certification_schemes.id"],
            name=op.f("fk_certificates_scheme_id_certification_schemes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["certificates.id"],
            name=op.f("fk_certificates_supersedes_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_certificates_supersedes_id")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_scheme_id"), ["scheme_id"], unique=False)

    op.create_table(
        "certificate_categories",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_certificate_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_categories_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("certificate_id", "category_id", name=op.f("pk_certificate_categories")),
    )
    with op.batch_alter_table("certificate_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_categories_category_id"), ["category_id"], unique=False)

    op.create_table(
        "certificate_products",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_products_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_certificate_products_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("certificate_id", "product_id", name=op.f("pk_certificate_products")),
    )
    with op.batch_alter_table("certificate_products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_products_product_id"), ["product_id"], unique=False)

    op.create_table(
        "certificate_weavers",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("weaver_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_weavers_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["weaver_id"], ["weavers.id"], name=op.f("fk_certificate_weavers_weaver_id_weavers"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("certificate_id", "weaver_id", name=op.f("pk_certificate_weavers")),
    )
    with op.batch_alter_table("certificate_weavers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_weavers_weaver_id"), ["weaver_id"], unique=False)

    op.create_table(
        "label_licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from <= valid_until", name=op.f("ck_label_licences_dates_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_label_licences_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_licences")),
    )
    with op.batch_alter_table("label_licences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_licences_certificate_id"), ["certificate_id"], unique=False)

    op.create_table(
        "weaver_sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weaver_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "lifted_on IS NULL OR starts_on <= lifted_on", name=op.f("ck_weaver_sanctions_dates_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["weaver_id"], ["weavers.id"], name=op.f("fk_weaver_sanctions_weaver_id_weavers"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weaver_sanctions")),
    )
    with op.batch_alter_table("weaver_sanctions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_weaver_sanctions_weaver_id"), ["weaver_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("weaver_sanctions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weaver_sanctions_weaver_id"))

    op.drop_table("weaver_sanctions")
    with op.batch_alter_table("label_licences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_licences_certificate_id"))

    op.drop_table("label_licences")
    with op.batch_alter_table("certificate_weavers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_weavers_weaver_id"))

    op.drop_table("certificate_weavers")
    with op.batch_alter_table("certificate_products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_products_product_id"))

    op.drop_table("certificate_products")
    with op.batch_alter_table("certificate_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_categories_category_id"))

    op.drop_table("certificate_categories")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_scheme_id"))

    op.drop_table("certificates")
    op.drop_table("certification_schemes")
