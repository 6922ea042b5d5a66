"""The packing queue: how far an order has travelled towards its buyer, which orders wait to be packed or sent,
and whether one may take its next step. The workspace's order pages and its "to do" list read it from here."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.errors import N_, InvalidState, Phrase
from shop.orders import service as orders
from shop.orders.models import Channel, Order, OrderLine, OrderStatus
from shop.orders.scope import visible_order, visible_orders, with_lines

S = OrderStatus
# Where an order is on its way to the buyer; a partly refunded order keeps travelling from where it was.
FULFILMENT = (S.paid, S.packed, S.shipped, S.delivered)
SENT = (S.shipped, S.delivered, S.partially_refunded)  # a partly refunded order may have left too
NEXT = {S.paid: S.packed, S.packed: S.shipped, S.shipped: S.delivered}


def stage(order: Order) -> OrderStatus:
    """The order's step towards the buyer: its status, or for a partly refunded order the step it had reached."""
    if order.status is not S.partially_refunded:
        return order.status
    for event in reversed(order.events):
        if event.to_status in {s.value for s in FULFILMENT}:
            return OrderStatus(event.to_status)
    return S.paid


def ready_by(order: Order, line: OrderLine) -> datetime | None:
    """When a made-to-order piece was promised: its lead time counted from the payment."""
    if not line.lead_time_days:
        return None
    return (order.paid_at or order.created_at) + timedelta(days=line.lead_time_days)


def waiting(session: Session, who) -> tuple[list[Order], list[Order]]:
    """Online orders to pack and orders packed but not yet sent, oldest payment first."""
    found = session.scalars(
        visible_orders(
            with_lines(
                sa.select(Order)
                .where(Order.channel == Channel.online, Order.status.in_((S.paid, S.packed, S.partially_refunded)))
                .order_by(Order.paid_at, Order.id)
            ),
            who,
        )
    ).all()
    return [o for o in found if stage(o) is S.paid], [o for o in found if stage(o) is S.packed]


def recently_sent(session: Session, who, *, limit: int = 20) -> list[Order]:
    """The last online orders that left, newest first (a partly refunded one counts where it had got to)."""
    found = session.scalars(
        visible_orders(
            with_lines(
                sa.select(Order)
                .where(
                    Order.channel == Channel.online, Order.status.in_((S.shipped, S.delivered, S.partially_refunded))
                )
                .order_by(Order.updated_at.desc(), Order.id.desc())
                .limit(limit * 2)
            ),
            who,
        )
    ).all()
    return [o for o in found if stage(o) in (S.shipped, S.delivered)][:limit]


def next_step(session: Session, number: str, who, to: OrderStatus) -> tuple[Order, bool]:
    """Lock the order and check it is ready for ``to``; False when it is there already (a second click)."""
    order = orders.lock_order(session, visible_order(session, number, who).id)
    now_at = stage(order)
    if now_at is to and order.status is not S.partially_refunded:
        return order, False
    if order.status is S.partially_refunded and NEXT.get(now_at) is not to:
        raise InvalidState(
            N_("Order %(number)s is %(current)s, so it cannot become %(wanted)s."),
            number=order.number,
            current=Phrase(orders.STATUS_NAMES[now_at]),
            wanted=Phrase(orders.STATUS_NAMES[to]),
        )
    return order, True
