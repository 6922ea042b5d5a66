"""People, their secrets, sign-in, sessions, enrolled devices and API keys.

Passwords and PINs are hashed with argon2id. Session, device and API key tokens are long random strings;
only their SHA-256 is stored, so a copy of the database opens nothing. Sign-in never raises on a wrong
secret: it returns an outcome, so the caller can commit the failed PIN that counts towards that device's
wait. Passwords lock nothing: the web layer slows strangers down instead.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from shop.accounts.models import (
    ApiKey,
    Device,
    PinAttempts,
    Role,
    SignInMethod,
    User,
    UserRole,
    UserSession,
)
from shop.audit.models import AuditEvent
from shop.catalogue.models import Weaver
from shop.errors import N_, Conflict, NotFound, ValidationFailed

# OWASP's recommended minimum for argon2id: 19 MiB, 2 passes. About 20 ms here.
HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
MAX_ATTEMPTS = 5
# After the fifth wrong PIN in a row on a device, each further one makes that device wait longer.
PIN_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
)
PIN_LENGTHS = range(4, 7)
MIN_PASSWORD = 10
# Touching a session's last-seen time on every click would write on every page; a minute is precise enough.
TOUCH_EVERY = timedelta(seconds=60)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def hash_secret(secret: str) -> str:
    return HASHER.hash(secret)


def verify_secret(stored: str | None, secret: str) -> bool:
    if not stored or not secret:
        # Spend the same time as a real check, so nobody learns which accounts have a PIN or password.
        HASHER.hash("x")
        return False
    try:
        return HASHER.verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False


def pin_problem(pin: str) -> str | None:
    if not pin.isdigit() or len(pin) not in PIN_LENGTHS:
        return N_("A PIN has 4 to 6 digits.")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return N_("Choose a PIN that is harder to guess than %(pin)s.")
    return None


def password_problem(password: str, username: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return N_("Use at least %(length)d characters.")
    if username and username.lower() in password.lower():
        return N_("The password must not contain the username.")
    return None


def _check_pin(pin: str) -> None:
    problem = pin_problem(pin)
    if problem:
        raise ValidationFailed(problem, field="pin", pin=pin)


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise ValidationFailed(problem, field="password", length=MIN_PASSWORD)


def _profile_problems(
    session: Session,
    *,
    user_id: int | None,
    name: str,
    email: str | None,
    roles: list[Role],
    weaver_id: int | None,
) -> list[ValidationFailed]:
    """What is wrong with a person's name, e-mail, roles and weaver profile (shared by adding and editing)."""
    problems = []
    others = User.id != user_id if user_id is not None else sa.true()
    if not name:
        problems.append(ValidationFailed(N_("Write the person's name."), field="name"))
    if email and session.scalar(sa.select(User.id).where(User.email == email, others)) is not None:
        problems.append(Conflict(N_("Someone already uses that email."), field="email"))
    if not roles:
        problems.append(ValidationFailed(N_("Give the person at least one role."), field="roles"))
    if Role.member in roles and weaver_id is None:
        problems.append(ValidationFailed(N_("A member is a weaver: choose her weaver profile."), field="weaver_id"))
    if weaver_id is not None:
        if session.get(Weaver, weaver_id) is None:
            problems.append(NotFound(N_("We could not find that weaver."), field="weaver_id"))
        elif session.scalar(sa.select(User.id).where(User.weaver_id == weaver_id, others)) is not None:
            problems.append(Conflict(N_("That weaver already has an account."), field="weaver_id"))
    return problems


def _raise(problems: list[ValidationFailed]) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)


def _language(language: str) -> str:
    return language if language in ("es", "tzo", "en") else "es"


def create_user(
    session: Session,
    *,
    name: str,
    username: str,
    roles: list[Role],
    email: str | None = None,
    password: str | None = None,
    pin: str | None = None,
    weaver_id: int | None = None,
    language: str = "es",
) -> User:
    name, username = name.strip(), username.strip().lower()
    email = email.strip().lower() if email else None
    problems = _profile_problems(session, user_id=None, name=name, email=email, roles=roles, weaver_id=weaver_id)
    if not username or len(username) > 120 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        problems.insert(
            1, ValidationFailed(N_("A username has letters, numbers, dots, dashes or underscores."), field="username")
        )
    elif session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        taken = Conflict(N_("Someone already has the username %(username)s."), field="username", username=username)
        problems.insert(1, taken)
    elif session.scalar(sa.select(Weaver.id).where(Weaver.slug == username)) is not None:
        # Weavers' slugs are public (their pages' addresses): a sign-in name must not be guessable from them.
        public = ValidationFailed(
            N_("%(username)s is the address of a weaver's public page: choose another username."),
            field="username",
            username=username,
        )
        problems.insert(1, public)
    if password:
        problem = password_problem(password, username)
        if problem:
            problems.append(ValidationFailed(problem, field="password", length=MIN_PASSWORD))
    if pin:
        problem = pin_problem(pin)
        if problem:
            problems.append(ValidationFailed(problem, field="pin", pin=pin))
    if not password and not pin:
        problems.append(ValidationFailed(N_("Give a PIN, a password, or both."), field="password"))
    _raise(problems)
    user = User(
        name=name,
        username=username,
        email=email,
        password_hash=hash_secret(password) if password else None,
        pin_hash=hash_secret(pin) if pin else None,
        weaver_id=weaver_id,
        language=_language(language),
    )
    user.roles = [UserRole(role=role) for role in sorted(set(roles))]
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    by: User,
    name: str,
    email: str | None,
    roles: list[Role],
    weaver_id: int | None,
    language: str,
) -> None:
    """Change a person's details and roles. An admin cannot take the admin role from herself, so the
    cooperative is never left without someone who can manage people."""
    name = name.strip()
    email = email.strip().lower() if email else None
    problems = _profile_problems(session, user_id=user.id, name=name, email=email, roles=roles, weaver_id=weaver_id)
    if user.id == by.id and Role.admin not in roles:
        problems.append(ValidationFailed(N_("You cannot take away your own admin role."), field="roles"))
    _raise(problems)
    user.name, user.email, user.weaver_id, user.language = name, email, weaver_id, _language(language)
    set_roles(session, user, roles)


def end_sessions_of(session: Session, user: User, now: datetime) -> None:
    """Sign a person out everywhere (after her secret changed or her account was switched off)."""
    session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def set_active(session: Session, user: User, active: bool, *, by: User, now: datetime) -> None:
    if user.id == by.id and not active:
        raise ValidationFailed(N_("You cannot switch off your own account."))
    user.active = active
    if not active:
        end_sessions_of(session, user, now)
    session.flush()


def unlock(session: Session, user: User) -> None:
    """Let her try her PIN again at once, on every device."""
    session.execute(sa.delete(PinAttempts).where(PinAttempts.user_id == user.id))
    session.flush()


def set_pin(session: Session, user: User, pin: str) -> None:
    _check_pin(pin)
    user.pin_hash = hash_secret(pin)
    unlock(session, user)


def set_password(session: Session, user: User, password: str) -> None:
    _check_password(password, user.username)
    user.password_hash = hash_secret(password)
    session.flush()


def set_roles(session: Session, user: User, roles: list[Role]) -> None:
    if not roles:
        raise ValidationFailed(N_("Give the person at least one role."), field="roles")
    wanted = set(roles)
    for held in list(user.roles):
        if held.role not in wanted:
            user.roles.remove(held)
    have = {held.role for held in user.roles}
    user.roles.extend(UserRole(user_id=user.id, role=role) for role in sorted(wanted - have))
    session.flush()


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


def record(
    session: Session,
    actor: User | None,
    actor_name: str,
    action: str,
    entity: str,
    entity_id,
    summary: str = "",
    *,
    now: datetime,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Write an audit line by hand (sign-ins, lockouts); ORM changes are recorded by ``shop.audit``."""
    session.add(
        AuditEvent(
            at=now,
            actor_id=actor.id if actor else None,
            actor_name=actor_name[:120],
            action=action[:20],
            entity=entity[:60],
            entity_id=str(entity_id or "")[:60],
            summary=summary[:300],
            before=before or {},
            after=after or {},
        )
    )
