"""People: adding and editing them, their roles, PIN and password, switching an account off, and the audit lines
written by hand.

Secrets are hashed in ``shop.accounts.credentials``; signing in is ``shop.accounts.signin``, and sessions, devices
and API keys are ``shop.accounts.sessions``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.accounts.credentials import MIN_PASSWORD, hash_secret, password_problem, pin_problem
from shop.accounts.models import PinAttempts, Role, User, UserRole, UserSession
from shop.audit.models import AuditEvent
from shop.catalogue.models import Weaver
from shop.errors import N_, Conflict, NotFound, ValidationFailed


def _check_pin(pin: str) -> None:
    problem = pin_problem(pin)
    if problem:
        raise ValidationFailed(problem, field="pin", pin=pin)


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise ValidationFailed(problem, field="password", length=MIN_PASSWORD)


def _profile_problems(
    session: Session, *, user_id: int | None, name: str, email: str | None, roles: list[Role], weaver_id: int | None
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
