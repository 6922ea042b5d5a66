"""Signing in with a PIN (on an enrolled device) or a password, and the wait that wrong PINs earn a device.

Sign-in never raises on a wrong secret: it returns an outcome, so the caller can commit the failed PIN that counts
towards that device's wait. Passwords lock nothing: the web layer slows strangers down instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from shop.accounts.credentials import verify_secret
from shop.accounts.models import Device, PinAttempts, User
from shop.accounts.service import record

MAX_ATTEMPTS = 5
# After the fifth wrong PIN in a row on a device, each further one makes that device wait longer.
PIN_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4))


class Outcome(StrEnum):
    ok = "ok"
    wrong = "wrong"
    locked = "locked"
    unknown = "unknown"


@dataclass(frozen=True)
class SignIn:
    outcome: Outcome
    user: User | None = None
    locked_until: datetime | None = None
    attempts_left: int = MAX_ATTEMPTS


def lock_for(failures: int) -> timedelta | None:
    """How long a device waits after ``failures`` wrong PINs in a row: nothing before the fifth, then longer
    and longer, so guessing a 4-digit PIN takes months while a member who mistypes waits a minute."""
    if failures < MAX_ATTEMPTS:
        return None
    return PIN_DELAYS[min(failures - MAX_ATTEMPTS, len(PIN_DELAYS) - 1)]


def _pin_row(session: Session, user_id: int, device_id: int) -> PinAttempts:
    """This person's count on this device, created if missing (safely when two tries race)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(PinAttempts).values(user_id=user_id, device_id=device_id, failures=0).on_conflict_do_nothing()
    )
    return session.get(PinAttempts, (user_id, device_id), populate_existing=True)


def sign_in_with_pin(
    session: Session, user_id: int, pin: str, now: datetime, *, device_id: int, address: str = ""
) -> SignIn:
    """Check a PIN typed on an enrolled device; wrong ones count for this person on this device only."""
    user = session.get(User, user_id, populate_existing=True)
    if user is None or not user.active or user.pin_hash is None:
        verify_secret(None, pin)
        return SignIn(Outcome.unknown)
    row = _pin_row(session, user.id, device_id)
    if row.locked_until is not None and row.locked_until > now:
        return SignIn(Outcome.locked, user, row.locked_until, 0)
    if verify_secret(user.pin_hash, pin):
        row.failures, row.locked_until, user.last_login_at = 0, None, now
        session.flush()
        return SignIn(Outcome.ok, user)
    # Counted in the database itself, so simultaneous wrong tries (from any worker) all count.
    session.execute(
        sa.update(PinAttempts)
        .where(PinAttempts.user_id == user.id, PinAttempts.device_id == device_id)
        .values(failures=PinAttempts.failures + 1)
    )
    session.refresh(row, attribute_names=["failures"])
    wait = lock_for(row.failures)
    if wait is None:
        session.flush()
        return SignIn(Outcome.wrong, user, attempts_left=MAX_ATTEMPTS - row.failures)
    row.locked_until = now + wait
    session.flush()
    device = session.get(Device, device_id)
    summary = f"PIN: {row.failures} wrong tries on “{device.name if device else device_id}”, from {address or '?'}"
    record(session, None, user.name, "locked", "user", user.id, summary, now=now)
    return SignIn(Outcome.locked, user, row.locked_until, 0)


def pin_locks(session: Session, now: datetime) -> dict[int, datetime]:
    """Who must wait before trying her PIN again on some device, and until when (the latest)."""
    rows = session.execute(
        sa.select(PinAttempts.user_id, sa.func.max(PinAttempts.locked_until))
        .where(PinAttempts.locked_until > now)
        .group_by(PinAttempts.user_id)
    ).all()
    return dict(rows)


def find_login(session: Session, login: str) -> User | None:
    """The person a sign-in name (username or e-mail) names, if any."""
    login = login.strip().lower()
    if not login:
        return None
    return session.scalar(sa.select(User).where(sa.or_(User.username == login, User.email == login)))


def sign_in_with_password(session: Session, login: str, password: str, now: datetime) -> SignIn:
    """Check a password. Nothing is counted here (strangers are slowed down per address and name by the web
    layer), so no one can lock anyone out through this form; unknown, switched-off and password-less names
    take the same time as a wrong password."""
    user = find_login(session, login)
    if user is None or not user.active or user.password_hash is None:
        verify_secret(None, password)
        return SignIn(Outcome.unknown)
    if not verify_secret(user.password_hash, password):
        return SignIn(Outcome.wrong, user)
    user.last_login_at = now
    session.flush()
    return SignIn(Outcome.ok, user)


def tile_people(session: Session) -> list[User]:
    """Members who can sign in with a PIN, for the tiles of an enrolled device."""
    return list(
        session.scalars(
            sa.select(User).where(User.active.is_(True), User.pin_hash.is_not(None)).order_by(User.name)
        ).all()
    )
