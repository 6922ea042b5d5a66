"""The cooperative's registry (issue 13): bylaws versions, members and their status changes, governing bodies
and terms, assemblies with attendance and resolutions.

Revision ID: f3a9c2d71b8e
Revises: e4b8a1c5d2f9
Create Date: 2026-12-05 03:41:06.480023+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "f3a9c2d71b8e"
down_revision: str | None = "e4b8a1c5d2f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assemblies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ordinary", "extraordinary", name="assembly_kind", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "called_by",
            sa.Enum(
                "administration",
                "vigilance",
                "members",
                name="assembly_caller",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "call",
            sa.Enum("first", "second", name="assembly_call", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("meets_on", sa.Date(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("notice_posted_on", sa.Date(), nullable=False),
        sa.Column("notice_posted_at", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("agenda", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("second_call_announced", sa.Boolean(), nullable=False),
        sa.Column("minutes", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("notice_posted_on <= meets_on", name=op.f("ck_assemblies_notice_before")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assemblies")),
    )
    with op.batch_alter_table("assemblies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assemblies_meets_on"), ["meets_on"], unique=False)

    op.create_table(
        "bodies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "assembly",
                "administration",
                "vigilance",
                "commission",
                "administrator",
                "vigilance_commissioner",
                name="body_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bodies")),
        sa.UniqueConstraint("name", name=op.f("uq_bodies_name")),
    )
    op.create_table(
        "resolutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False),
        sa.Column("votes_abstaining", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND votes_abstaining >= 0", name=op.f("ck_resolutions_votes")
        ),
        sa.ForeignKeyConstraint(
            ["assembly_id"], ["assemblies.id"], name=op.f("fk_resolutions_assembly_id_assemblies"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolutions")),
        sa.UniqueConstraint("assembly_id", "number", name=op.f("uq_resolutions_assembly_id_number")),
    )
    with op.batch_alter_table("resolutions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resolutions_assembly_id"), ["assembly_id"], unique=False)

    op.create_table(
        "bylaws_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=True),
        sa.Column("term_years", sa.Integer(), nullable=False),
        sa.Column("first_call_quorum_bp", sa.Integer(), nullable=False),
        sa.Column("proxies_allowed", sa.Boolean(), nullable=False),
        sa.Column("extra_positions", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("payout_minimum", sa.Integer(), nullable=True),
        sa.Column("weavers_bp", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("first_call_quorum_bp BETWEEN 1 AND 10000", name=op.f("ck_bylaws_versions_quorum")),
        sa.CheckConstraint(
            "payout_minimum IS NULL OR payout_minimum > 0", name=op.f("ck_bylaws_versions_payout_minimum")
        ),
        sa.CheckConstraint("term_years BETWEEN 1 AND 5", name=op.f("ck_bylaws_versions_term_years")),
        sa.CheckConstraint(
            "weavers_bp IS NULL OR weavers_bp BETWEEN 0 AND 10000", name=op.f("ck_bylaws_versions_weavers_share")
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["resolutions.id"],
            name=op.f("fk_bylaws_versions_resolution_id_resolutions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bylaws_versions")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_bylaws_versions_effective_from")),
        sa.UniqueConstraint("resolution_id", name=op.f("uq_bylaws_versions_resolution_id")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weaver_id", sa.Integer(), nullable=False),
        sa.Column("curp", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("municipio", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=True),
        sa.Column("admitted_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "applicant",
                "active",
                "withdrawn",
                "excluded",
                "deceased",
                name="member_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("signs_with_thumbprint", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["admitted_by_id"],
            ["assemblies.id"],
            name=op.f("fk_members_admitted_by_id_assemblies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["weaver_id"], ["weavers.id"], name=op.f("fk_members_weaver_id_weavers"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("curp", name=op.f("uq_members_curp")),
        sa.UniqueConstraint("weaver_id", name=op.f("uq_members_weaver_id")),
    )
    op.create_table(
        "assembly_attendance",
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("represented_by_id", sa.Integer(), nullable=True),
        sa.Column("letter_witnessed", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "represented_by_id IS NULL OR letter_witnessed", name=op.f("ck_assembly_attendance_proxy_letter")
        ),
        sa.CheckConstraint(
            "represented_by_id IS NULL OR represented_by_id <> member_id",
            name=op.f("ck_assembly_attendance_not_herself"),
        ),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assemblies.id"],
            name=op.f("fk_assembly_attendance_assembly_id_assemblies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_assembly_attendance_member_id_members"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["represented_by_id"],
            ["members.id"],
            name=op.f("fk_assembly_attendance_represented_by_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("assembly_id", "member_id", name=op.f("pk_assembly_attendance")),
    )
    op.create_table(
        "member_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "applicant",
                "active",
                "withdrawn",
                "excluded",
                "deceased",
                name="member_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("act", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assemblies.id"],
            name=op.f("fk_member_status_changes_assembly_id_assemblies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_status_changes_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_status_changes")),
    )
    with op.batch_alter_table("member_status_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_status_changes_member_id"), ["member_id"], unique=False)

    op.create_table(
        "terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("position", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("alternate", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_on < ends_on", name=op.f("ck_terms_ends_after_start")),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_terms_body_id_bodies"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_terms_member_id_members"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"], ["resolutions.id"], name=op.f("fk_terms_resolution_id_resolutions"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terms")),
    )
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_terms_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_terms_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_terms_resolution_id"), ["resolution_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_terms_resolution_id"))
        batch_op.drop_index(batch_op.f("ix_terms_member_id"))
        batch_op.drop_index(batch_op.f("ix_terms_body_id"))

    op.drop_table("terms")
    with op.batch_alter_table("member_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_status_changes_member_id"))

    op.drop_table("member_status_changes")
    op.drop_table("assembly_attendance")
    op.drop_table("members")
    op.drop_table("bylaws_versions")
    with op.batch_alter_table("resolutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolutions_assembly_id"))

    op.drop_table("resolutions")
    op.drop_table("bodies")
    with op.batch_alter_table("assemblies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assemblies_meets_on"))

    op.drop_table("assemblies")
