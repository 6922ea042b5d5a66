"""Users with roles, enrolled devices, sessions, and the audit log of every change made in the workspace."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from shop.audit import track
from shop.clock import UTCDateTime
from shop.models_base import created_at_field, str_enum


class Role(StrEnum):
    member = "member"  # a weaver: her own products and earnings
    treasurer = "treasurer"  # confirms payments, refunds, pays weavers
    council = "council"  # sees and edits everything, reads the audit log, approves payouts
    admin = "admin"  # people, devices, settings
    partner_staff = "partner_staff"  # read-only dashboards and indicator entry


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    # Staff sign in with email (or a username) and password; members mostly with their PIN on an enrolled device.
    username: str = Field(max_length=120, unique=True)
    email: str | None = Field(default=None, max_length=254, unique=True)
    password_hash: str | None = Field(default=None, max_length=255)
    pin_hash: str | None = Field(default=None, max_length=255)
    weaver_id: int | None = Field(default=None, foreign_key="weavers.id", ondelete="SET NULL", unique=True)
    language: str = Field(default="es", max_length=5)
    active: bool = True
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()

    roles: list["UserRole"] = Relationship(sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"})

    def has(self, *roles: Role) -> bool:
        mine = {r.role for r in self.roles}
        return any(role in mine for role in roles)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_roles"

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    role: Role = Field(sa_type=str_enum(Role, "user_role"), primary_key=True)


class Device(SQLModel, table=True):
    """A browser an admin enrolled (the cooperative's computer, a member's phone): it may show the PIN tiles."""

    __tablename__ = "devices"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, unique=True)
    enrolled_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PinAttempts(SQLModel, table=True):
    """Wrong PINs in a row for one person on one enrolled device, and how long that device must wait.

    Counted per device, never shared with the password form, so nobody on the internet can lock a member
    out of the cooperative's computer.
    """

    __tablename__ = "pin_attempts"
    __table_args__ = (sa.CheckConstraint("failures >= 0", name="failures_not_negative"),)

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    device_id: int = Field(foreign_key="devices.id", ondelete="CASCADE", primary_key=True)
    failures: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInMethod(StrEnum):
    pin = "pin"
    password = "password"  # noqa: S105  (the name of a sign-in method, not a secret)


class UserSession(SQLModel, table=True):
    """A signed-in person on one browser; ends when idle too long, when too old, or when she leaves."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    device_id: int | None = Field(default=None, foreign_key="devices.id", ondelete="SET NULL")
    method: SignInMethod = Field(sa_type=str_enum(SignInMethod, "sign_in_method"), nullable=False)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    """A personal key for the JSON API, acting as its user with her roles; stored only as a hash."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=120)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The audit log keeps every change a person makes to these tables.
track(
    User,
    UserRole,
    Device,
    ApiKey,
    secret={"password_hash", "pin_hash", "token_hash", "key_hash"},
    skipped={"last_seen_at", "last_login_at"},
)
