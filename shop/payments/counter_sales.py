"""Reading sales made at the cooperative's counter: the latest ones, and whether a sale was just recorded (the
same seller, the same pieces, moments ago), so a second click on "Cash received" never sells twice."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.orders.models import Channel, Order
from shop.payments.models import Payment

# A second "Cash received" this soon, by the same person, for the same pieces, is the same sale clicked twice.
DOUBLE_CLICK = timedelta(seconds=20)
COUNTER = (Channel.in_person, Channel.wholesale)  # the channels sold at the counter


def recent_counter_sales(session: Session, *, limit: int = 5) -> list[Order]:
    return list(
        session.scalars(
            sa.select(Order)
            .where(Order.channel.in_(COUNTER))
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        ).all()
    )


def same_sale_just_now(session: Session, seller: str, wanted: dict[int, int], now: datetime) -> Order | None:
    """The sale ``seller`` recorded within ``DOUBLE_CLICK`` of ``now`` of exactly ``wanted`` ({product: units})."""
    recent = session.scalars(
        sa.select(Order)
        .join(Payment, Payment.order_id == Order.id)
        .where(
            Order.channel.in_(COUNTER),
            Order.created_at >= now - DOUBLE_CLICK,
            Payment.confirmed_by == seller[:120],
        )
        .options(selectinload(Order.lines))
        .order_by(Order.id.desc())
    ).all()
    return next((o for o in recent if {line.product_id: line.quantity for line in o.lines} == wanted), None)
