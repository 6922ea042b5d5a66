"""Every change made by a signed-in person is written to the audit log, with values before and after.

The workspace and the staff API name the person on their database session (``act_as``); from then on
each flush records what changed in the tables that their domains registered with ``track``, whichever
service made the change. This package knows no domain: each says which of its tables are audited, which
columns are secrets (only the fact that they changed is kept) and which are masked (a CLABE keeps its last
four digits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from itertools import chain
from typing import Protocol

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from shop.audit.models import AuditEvent
from shop.clock import utcnow

ACTOR = "audit_actor"
CREATED = "audit_created"
# A web request's state; its ``user`` (set when someone signs in) is the author of the request's changes.
REQUEST_STATE = "request_state"
# Columns no table's history needs: they change on every save.
SKIPPED = {"updated_at"}


class Person(Protocol):
    id: int | None
    name: str


@dataclass(frozen=True)
class Policy:
    secret: frozenset[str] = frozenset()
    skipped: frozenset[str] = frozenset()
    masked: tuple[tuple[str, Callable[[str], str]], ...] = ()


# Each audited table's class, and what its domain said about its columns.
AUDITED: dict[type, Policy] = {}


def track(
    *classes: type,
    secret: Iterable[str] = (),
    skipped: Iterable[str] = (),
    masked: dict[str, Callable[[str], str]] | None = None,
) -> None:
    """Audit every change to these tables. ``secret`` columns are logged only as "(set)" or "(changed)";
    ``skipped`` columns are left out; ``masked`` columns are logged through their function (never in full)."""
    policy = Policy(frozenset(secret), frozenset(skipped), tuple((masked or {}).items()))
    for cls in classes:
        AUDITED[cls] = policy


def act_as(session: Session, user: Person) -> None:
    """From now on, changes flushed through ``session`` are recorded as made by ``user``."""
    session.info[ACTOR] = (user.id, user.name)


def _actor(session: Session) -> tuple[int, str] | None:
    actor = session.info.get(ACTOR)
    if actor is not None:
        return actor
    state = session.info.get(REQUEST_STATE)
    user = getattr(state, "user", None) if state is not None else None
    return (user.id, user.name) if user is not None else None


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str) and len(value) > 300:
        return value[:300] + "…"
    return value


def _columns(obj) -> list[str]:
    skipped = SKIPPED | AUDITED[type(obj)].skipped
    return [attr.key for attr in inspect(obj).mapper.column_attrs if attr.key not in skipped]


def _shown(obj, key: str, value, hidden: str):
    """The value as the log keeps it: a secret only as ``hidden``, a masked column through its mask."""
    policy = AUDITED[type(obj)]
    if key in policy.secret:
        return hidden
    mask = dict(policy.masked).get(key)
    if mask is not None and value is not None:
        return mask(value)
    return _plain(value)


def _snapshot(obj) -> dict:
    return {k: _shown(obj, k, getattr(obj, k), "(set)") for k in _columns(obj)}


def _identity(obj) -> str:
    key = inspect(obj).identity
    return ",".join(str(part) for part in key) if key else ""


@event.listens_for(Session, "before_flush")
def _record_changes(session: Session, _context, _instances) -> None:
    actor = _actor(session)
    if actor is None:
        return
    actor_id, actor_name = actor
    now = utcnow()
    # New rows get their ids during the flush; they are written down right after it.
    session.info.setdefault(CREATED, []).extend(obj for obj in session.new if type(obj) in AUDITED)
    for obj in chain(session.dirty, session.deleted):
        if type(obj) not in AUDITED:
            continue
        state = inspect(obj)
        before, after = {}, {}
        if obj in session.deleted:
            action = "delete"
            before = _snapshot(obj)
        else:
            action = "update"
            for key in _columns(obj):
                history = state.attrs[key].history
                if not history.has_changes():
                    continue
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                if old == new:
                    continue
                before[key] = _shown(obj, key, old, "(changed)")
                after[key] = _shown(obj, key, new, "(changed)")
            if not after:
                continue
        session.add(
            AuditEvent(
                at=now,
                actor_id=actor_id,
                actor_name=actor_name[:120],
                action=action,
                entity=obj.__tablename__[:60],
                entity_id=_identity(obj)[:60],
                before=before,
                after=after,
            )
        )


@event.listens_for(Session, "after_flush_postexec")
def _record_creations(session: Session, _context) -> None:
    created = session.info.pop(CREATED, None)
    actor = _actor(session)
    if not created or actor is None:
        return
    actor_id, actor_name = actor
    now = utcnow()
    for obj in created:
        values = _snapshot(obj)
        session.add(
            AuditEvent(
                at=now,
                actor_id=actor_id,
                actor_name=actor_name[:120],
                action="create",
                entity=obj.__tablename__[:60],
                entity_id=_identity(obj)[:60],
                after=values,
            )
        )


@event.listens_for(Session, "after_rollback")
def _forget_creations(session: Session) -> None:
    session.info.pop(CREATED, None)
