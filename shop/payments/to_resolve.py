"""Payments to resolve: money that came in for an order that could not take it, as the treasurer sees them.

Each waits in the ledger's ``unallocated`` account, credited to nobody, until the treasurer reinstates the order
(``receiving.reinstate``, after substituting a gone piece if the buyer agrees) or gives the money back
(``refunds.give_back``). Paid orders that need a person (a piece gone when the money arrived, before payments to
resolve existed) are listed too: their weavers' shares are not paid out until a person marks them resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.errors import N_, InvalidState, ValidationFailed
from shop.orders import service as orders
from shop.orders.models import Order, OrderLine
from shop.payments.models import Payment, PaymentStatus


@dataclass(frozen=True)
class ToResolve:
    order: Order
    payment: Payment | None  # None: a paid order that needs a person
    since: datetime
    weavers: tuple[str, ...]

    @property
    def amount(self) -> int:
        if self.payment is None:
            return self.order.amount_paid - self.order.amount_refunded
        return self.payment.amount - self.payment.amount_refunded


def _with_lines(statement):
    return statement.options(selectinload(Order.lines).selectinload(OrderLine.weavers))


def payments_to_resolve(session: Session) -> list[ToResolve]:
    """Every payment waiting to be resolved, then every paid order needing a person, oldest first."""
    waiting = session.execute(
        _with_lines(
            sa.select(Order, Payment)
            .join(Payment, Payment.order_id == Order.id)
            .where(Payment.status == PaymentStatus.unallocated)
            .order_by(Payment.succeeded_at, Payment.id)
        )
    ).all()
    troubled = session.scalars(
        _with_lines(
            sa.select(Order)
            .where(Order.attention != "", Order.status.in_(orders.PAID_STATES))
            .order_by(Order.paid_at, Order.id)
        )
    ).all()
    found = [
        ToResolve(order, payment, payment.succeeded_at or payment.created_at, _weavers(order))
        for order, payment in waiting
    ]
    found += [ToResolve(order, None, order.paid_at or order.updated_at, _weavers(order)) for order in troubled]
    return found


def _weavers(order: Order) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w.weaver_name for line in order.lines for w in line.weavers))


def mark_resolved(session: Session, order: Order, *, actor: str, note: str, now: datetime) -> None:
    """A paid order that needed a person is sorted out (the buyer agreed to what was sent, say): its weavers'
    shares may be paid out again. Payments to resolve are resolved by reinstating or giving back instead."""
    if not order.attention or order.status not in orders.PAID_STATES:
        raise InvalidState(N_("Order %(number)s has nothing to resolve."), number=order.number)
    note = note.strip()
    if not note:
        raise ValidationFailed(N_("Write how it was resolved."), field="note")
    orders.note_event(session, order, actor=actor, note=f"Resolved: {note}"[:1000], now=now)
    order.attention = ""
    session.flush()
