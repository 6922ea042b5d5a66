"""Counts of orders waiting for someone at the cooperative, for the workspace's "to do" list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.orders.models import Order, OrderStatus, PaymentMethod


def offline_payments_to_confirm(session: Session) -> int:
    """Orders to be paid by bank transfer or at the cooperative that are still waiting for the money."""
    return (
        session.scalar(
            sa.select(sa.func.count()).where(
                Order.status == OrderStatus.pending_payment, Order.payment_method == PaymentMethod.offline
            )
        )
        or 0
    )
