"""Documents kept with a certificate (issue 12): the certificate itself, letters, licences; stored privately.

Revision ID: e4b8a1c5d2f9
Revises: c71d4a2e9b36
Create Date: 2026-12-05 02:31:30.294902+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "e4b8a1c5d2f9"
down_revision: str | None = "c71d4a2e9b36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "certificate",
                "report",
                "evidence",
                "licence",
                "other",
                name="document_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_documents_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_documents")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_certificate_documents_stored_name")),
    )
    with op.batch_alter_table("certificate_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_documents_certificate_id"), ["certificate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certificate_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_documents_certificate_id"))

    op.drop_table("certificate_documents")
