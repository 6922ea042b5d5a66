"""Every change made by a signed-in person is written to the audit log, with values before and after.

The workspace and the staff API name the person on their database session (``act_as``); from then on
each flush records what changed in the tables below, whichever service made the change. Secrets are
never copied into the log, only the fact that they changed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from itertools import chain

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from shop.accounts.models import ApiKey, AuditEvent, Device, User, UserRole
from shop.catalogue.models import Category, Product, ProductImage, ProductWeaver, StockMovement, Weaver
from shop.clock import utcnow
from shop.orders.models import Order, ShippingRate, ShippingZone
from shop.payments.models import Payment, Refund
from shop.split_rules.models import SplitRule

ACTOR = "audit_actor"
CREATED = "audit_created"
# A web request's state; its ``user`` (set when someone signs in) is the author of the request's changes.
REQUEST_STATE = "request_state"
AUDITED = (
    Category,
    Weaver,
    Product,
    ProductWeaver,
    ProductImage,
    StockMovement,
    Order,
    Payment,
    Refund,
    SplitRule,
    ShippingZone,
    ShippingRate,
    User,
    UserRole,
    Device,
    ApiKey,
)
SECRET = {"password_hash", "pin_hash", "token_hash", "key_hash"}
SKIPPED = {"updated_at", "last_seen_at", "last_login_at"}


def act_as(session: Session, user: User) -> None:
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
    return [attr.key for attr in inspect(obj).mapper.column_attrs]


def _snapshot(obj) -> dict:
    return {k: ("(set)" if k in SECRET else _plain(getattr(obj, k))) for k in _columns(obj) if k not in SKIPPED}


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
    session.info.setdefault(CREATED, []).extend(obj for obj in session.new if isinstance(obj, AUDITED))
    for obj in chain(session.dirty, session.deleted):
        if not isinstance(obj, AUDITED):
            continue
        state = inspect(obj)
        before, after = {}, {}
        if obj in session.deleted:
            action = "delete"
            before = _snapshot(obj)
        else:
            action = "update"
            for key in _columns(obj):
                if key in SKIPPED:
                    continue
                history = state.attrs[key].history
                if not history.has_changes():
                    continue
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                if old == new:
                    continue
                before[key] = "(changed)" if key in SECRET else _plain(old)
                after[key] = "(changed)" if key in SECRET else _plain(new)
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
