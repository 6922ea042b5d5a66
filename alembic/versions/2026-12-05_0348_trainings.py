"""Trainings and workshops (issue 13): courses with their completion rule, sessions, and the attendance register
of members and guests.

Revision ID: a82d5e0c4f17
Revises: f3a9c2d71b8e
Create Date: 2026-12-05 03:48:20.887502+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "a82d5e0c4f17"
down_revision: str | None = "f3a9c2d71b8e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "topic",
            sa.Enum(
                "computer_skills",
                "vcaw",
                "catalyst",
                "trainers",
                "womens_rights",
                "fair_trade",
                "other",
                name="course_topic",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "sessions",
                "share",
                "required",
                name="completion_rule",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("min_sessions", sa.Integer(), nullable=True),
        sa.Column("min_share_bp", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(rule = 'sessions' AND min_sessions > 0) OR (rule = 'share' AND min_share_bp BETWEEN 1 AND 10000) OR rule = 'required'",
            name=op.f("ck_courses_rule_has_its_figure"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
    )
    op.create_table(
        "course_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("facilitator", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column(
            "language",
            sa.Enum("es", "tzo", "both", name="session_language", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_sessions_course_id_courses"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_sessions")),
    )
    with op.batch_alter_table("course_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_sessions_course_id"), ["course_id"], unique=False)

    op.create_table(
        "session_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("guest_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column(
            "guest_sex",
            sa.Enum("woman", "man", "other", name="guest_sex", native_enum=False, create_constraint=True, length=20),
            nullable=True,
        ),
        sa.Column(
            "guest_age_band",
            sa.Enum(
                "under_18",
                "18_29",
                "30_44",
                "45_59",
                "60_plus",
                name="age_band",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(member_id IS NOT NULL AND guest_name IS NULL) OR (member_id IS NULL AND guest_name IS NOT NULL AND guest_sex IS NOT NULL AND guest_age_band IS NOT NULL)",
            name=op.f("ck_session_attendance_member_or_guest"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_session_attendance_member_id_members"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_sessions.id"],
            name=op.f("fk_session_attendance_session_id_course_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attendance")),
        sa.UniqueConstraint("session_id", "member_id", name=op.f("uq_session_attendance_session_id_member_id")),
    )
    with op.batch_alter_table("session_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_attendance_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_session_attendance_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("session_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_attendance_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_attendance_member_id"))

    op.drop_table("session_attendance")
    with op.batch_alter_table("course_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_sessions_course_id"))

    op.drop_table("course_sessions")
    op.drop_table("courses")
