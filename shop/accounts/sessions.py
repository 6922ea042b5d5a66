"""Sessions, enrolled devices and API keys: long random tokens of which only the SHA-256 is stored, so a copy of
the database opens nothing."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.accounts.credentials import token_hash
from shop.accounts.models import ApiKey, Device, SignInMethod, User, UserSession
from shop.accounts.service import record
from shop.errors import N_, NotFound, ValidationFailed

# Touching a session's last-seen time on every click would write on every page; a minute is precise enough.
TOUCH_EVERY = timedelta(seconds=60)


def start_session(
    session: Session, user: User, *, method: SignInMethod, device: Device | None, now: datetime, lifetime: timedelta
) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(raw),
            user_id=user.id,
            device_id=device.id if device else None,
            method=method,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    record(session, user, user.name, "sign_in", "user", user.id, method.value, now=now)
    session.flush()
    return raw


def current_session(
    session: Session, raw: str | None, now: datetime, idle: timedelta, *, touch: bool = True
) -> tuple[UserSession, User] | None:
    """The live session for a cookie: not ended, not past its lifetime, and used within ``idle``."""
    if not raw or len(raw) > 100:
        return None
    found = session.scalar(sa.select(UserSession).where(UserSession.token_hash == token_hash(raw)))
    if found is None or found.ended_at is not None or found.expires_at <= now or found.last_seen_at + idle <= now:
        return None
    user = session.scalar(sa.select(User).where(User.id == found.user_id).options(selectinload(User.roles)))
    if user is None or not user.active:
        return None
    if touch and now - found.last_seen_at >= TOUCH_EVERY:
        touch_session(session, found.id, now)
    return found, user


def touch_session(session: Session, session_id: int, now: datetime) -> None:
    """Note that the person is still there (idle time counts from here)."""
    session.execute(sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))


def end_session(session: Session, raw: str | None, now: datetime) -> None:
    if raw:
        session.execute(
            sa.update(UserSession)
            .where(UserSession.token_hash == token_hash(raw), UserSession.ended_at.is_(None))
            .values(ended_at=now)
        )


def enroll_device(session: Session, name: str, by: User, now: datetime) -> tuple[Device, str]:
    name = name.strip()[:120]
    if not name:
        raise ValidationFailed(N_("Give the device a name, such as “Cooperative's computer”."), field="name")
    raw = secrets.token_urlsafe(32)
    device = Device(name=name, token_hash=token_hash(raw), enrolled_by=by.id, created_at=now)
    session.add(device)
    session.flush()
    return device, raw


def enrolled_device(session: Session, raw: str | None, now: datetime) -> Device | None:
    if not raw or len(raw) > 100:
        return None
    device = session.scalar(sa.select(Device).where(Device.token_hash == token_hash(raw)))
    if device is None or device.revoked_at is not None:
        return None
    return device


def revoke_device(session: Session, device_id: int, now: datetime) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(N_("We could not find that device."))
    device.revoked_at = now
    # Whoever is signed in on it with a PIN is signed out too.
    session.execute(
        sa.update(UserSession)
        .where(UserSession.device_id == device_id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    session.flush()
    return device


def create_api_key(session: Session, user: User, name: str, now: datetime) -> tuple[ApiKey, str]:
    raw = "jj_" + secrets.token_urlsafe(32)
    key = ApiKey(user_id=user.id, name=name.strip()[:120] or "API", key_hash=token_hash(raw), created_at=now)
    session.add(key)
    session.flush()
    return key, raw


def user_for_api_key(session: Session, raw: str, now: datetime) -> User | None:
    key = session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == token_hash(raw), ApiKey.revoked_at.is_(None)))
    if key is None:
        return None
    user = session.scalar(sa.select(User).where(User.id == key.user_id).options(selectinload(User.roles)))
    return user if user is not None and user.active else None
