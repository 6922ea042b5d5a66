"""Sign-in without lockouts (issue 10): wrong PINs are counted per person and enrolled device
(pin_attempts), the password form locks nothing (users.failed_attempts and locked_until go), and sign-in
names that were a weaver's public slug get a short random suffix, each rename in the audit log.

Revision ID: 3f8a61c2d4b7
Revises: 3b8e5f27c1d4
Create Date: 2026-12-04 16:30:00+00:00
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op

revision: str = "3f8a61c2d4b7"
down_revision: str | None = "3b8e5f27c1d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String))
weavers = sa.table("weavers", sa.column("slug", sa.String))
audit_events = sa.table(
    "audit_events",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("summary", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)


def _check_sqlite_keys_off() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("run this migration with SQLite's foreign keys off (shop db upgrade does)")


def rename_public_usernames() -> None:
    """Give every person whose username is a weaver's public slug a new one (slug + 4 random characters)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(users.c.id, users.c.username).where(users.c.username.in_(sa.select(weavers.c.slug)))
    ).all()
    now = datetime.now(UTC)
    for user_id, old in rows:
        while True:
            new = f"{old[:110]}-{secrets.token_hex(2)}"
            if bind.execute(sa.select(users.c.id).where(users.c.username == new)).first() is None:
                break
        bind.execute(sa.update(users).where(users.c.id == user_id).values(username=new))
        bind.execute(
            audit_events.insert().values(
                at=now,
                actor_id=None,
                actor_name="shop",
                action="rename",
                entity="user",
                entity_id=str(user_id),
                summary=f"new username {new} (was {old}, her public page's address): tell her",
                before={"username": old},
                after={"username": new},
            )
        )


def upgrade() -> None:
    _check_sqlite_keys_off()
    op.create_table(
        "pin_attempts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_pin_attempts_failures_not_negative")),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_pin_attempts_device_id_devices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pin_attempts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "device_id", name=op.f("pk_pin_attempts")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_failed_attempts_not_negative"), type_="check")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_attempts")
    rename_public_usernames()


def downgrade() -> None:
    # The renamed usernames stay renamed: the people were told their new ones.
    _check_sqlite_keys_off()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_users_failed_attempts_not_negative"), sa.text("failed_attempts >= 0")
        )
    op.drop_table("pin_attempts")
