"""Audits and what they find (issue 12): audits, visits and assessments of a certificate, non-conformities
that close only with evidence, and their immediate, corrective and preventive actions.

Revision ID: 9a6c3e1b5f72
Revises: 5e2a9c7f4d18
Create Date: 2026-12-05 00:35:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "9a6c3e1b5f72"
down_revision: str | None = "5e2a9c7f4d18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certification_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "initial",
                "surveillance",
                "renewal",
                "unannounced",
                "monitoring",
                "peer_visit",
                "self_assessment",
                "internal_inspection",
                name="audit_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("auditors", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("sites", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("strong_points", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("to_improve", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("report_path", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certification_audits_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_audits")),
    )
    with op.batch_alter_table("certification_audits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certification_audits_certificate_id"), ["certificate_id"], unique=False)

    op.create_table(
        "non_conformities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "criterion_type",
            sa.Enum(
                "core",
                "major",
                "development",
                name="criterion_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "severity",
            sa.Enum(
                "observation",
                "minor",
                "major",
                "critical",
                name="nc_severity",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("root_cause", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("evidence_path", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("effectiveness", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "closed_on IS NULL OR (evidence_path <> '' AND effectiveness <> '')",
            name=op.f("ck_non_conformities_closed_with_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["certification_audits.id"],
            name=op.f("fk_non_conformities_audit_id_certification_audits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_non_conformities")),
    )
    with op.batch_alter_table("non_conformities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_non_conformities_audit_id"), ["audit_id"], unique=False)

    op.create_table(
        "corrective_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("non_conformity_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "immediate",
                "corrective",
                "preventive",
                name="action_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["non_conformity_id"],
            ["non_conformities.id"],
            name=op.f("fk_corrective_actions_non_conformity_id_non_conformities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_actions")),
    )
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corrective_actions_non_conformity_id"), ["non_conformity_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrective_actions_non_conformity_id"))

    op.drop_table("corrective_actions")
    with op.batch_alter_table("non_conformities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_non_conformities_audit_id"))

    op.drop_table("non_conformities")
    with op.batch_alter_table("certification_audits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_audits_certificate_id"))

    op.drop_table("certification_audits")
