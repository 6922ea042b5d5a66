"""The workspace's Tzotzil moves into the database, written and reviewed by the cooperative's own speakers
(issue 15): a text per workspace string with who wrote and who reviewed it, a counter every worker checks to
compile the catalog again, and a short spoken-help recording per workspace screen.

The sourced words the Tzotzil .po already used (each from the project's word list, with its source) are put in
as reviewed, so the workspace shows the same Tzotzil as before the move.

Revision ID: a2b3c4d5e6f7
Revises: e0f1a2b3c4d5
Create Date: 2026-12-05 17:16:28.857871+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "a2b3c4d5e6f7"
down_revision: str | None = "e0f1a2b3c4d5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (English message id, Tzotzil, source in the word list): W is WOLD vocabulary 33, MC the "Bats'i k'op (Jobel)"
# interface translation, CP Cuarto Poder. Spelled with "ts", as the catalog chose ("antz" is written "ants").
SOURCED = [
    ("Back", "Pat", "MC"),
    ("Inventory", "K'ejebal", "MC"),
    ("Money", "Tak'in", "W 11-43"),
    ("Month", "U", "W 14-71"),
    ("Name", "Biil", "W 18-28"),
    ("Next", "Yaketajan", "MC"),
    ("No", "Mu'yuk", "W 17-56; MC"),
    ("Number", "Lumero", "W 23-39"),
    ("Price", "Tojol", "W 11-87"),
    ("Save", "Tsk'ej", "MC"),
    ("Weavers", "Jalometik", "CP"),
    ("Welcome", "Ochan me", "MC"),
    ("Work", "Abtelil", "W 9-12"),
    ("Yes", "Ja'", "W 17-55"),
    ("woman", "ants", "W 2-22"),
]
SEEDED_AT = datetime(2026, 12, 5, 17, 40, tzinfo=UTC)


def upgrade() -> None:
    op.create_table(
        "translation_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_revision")),
    )
    op.create_table(
        "spoken_help",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screen", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_spoken_help_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spoken_help")),
        sa.UniqueConstraint("screen", name=op.f("uq_spoken_help_screen")),
    )
    op.create_table(
        "tzotzil_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("msgid", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("text_plural", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "waiting", "reviewed", name="tzotzil_text_state", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=True),
        sa.Column("written_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_tzotzil_texts_reviewed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"], ["users.id"], name=op.f("fk_tzotzil_texts_written_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tzotzil_texts")),
        sa.UniqueConstraint("msgid", name=op.f("uq_tzotzil_texts_msgid")),
    )
    with op.batch_alter_table("tzotzil_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tzotzil_texts_state"), ["state"], unique=False)

    revision_table = sa.table("translation_revision", sa.column("id"), sa.column("revision"), sa.column("changed_at"))
    op.bulk_insert(revision_table, [{"id": 1, "revision": 1, "changed_at": SEEDED_AT}])
    texts = sa.table(
        "tzotzil_texts",
        *(sa.column(name) for name in ("msgid", "text", "state", "source", "written_by", "written_at")),
        *(sa.column(name) for name in ("reviewed_by", "reviewed_at")),
    )
    op.bulk_insert(
        texts,
        [
            {
                "msgid": msgid,
                "text": text,
                "state": "reviewed",
                "source": source,
                "written_by": "TZOTZIL.md",
                "written_at": SEEDED_AT,
                "reviewed_by": "TZOTZIL.md",
                "reviewed_at": SEEDED_AT,
            }
            for msgid, text, source in SOURCED
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("tzotzil_texts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tzotzil_texts_state"))

    op.drop_table("tzotzil_texts")
    op.drop_table("spoken_help")
    op.drop_table("translation_revision")
