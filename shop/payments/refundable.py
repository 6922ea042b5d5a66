"""How much of an order can still be given back: one rule for the page that offers a refund and for the
refund itself, so the page never offers what ``begin_refund`` then refuses."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.orders import service as orders
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentKind, PaymentStatus, Refund, RefundStatus


@dataclass(frozen=True)
class Refundable:
    payment: Payment | None  # the received payment that refunds come out of
    left: int  # what can still be given back, refunds being sent counted as given
    via_stripe: bool  # whether Stripe can give it back (paid through Stripe, and Stripe is set up)


def pending_refunds(session: Session, payment_id: int) -> int:
    """What is being given back from this payment and not yet booked: it cannot be given back twice."""
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
                Refund.payment_id == payment_id, Refund.status == RefundStatus.pending
            )
        )
    )


def refundable(session: Session, order: Order, *, stripe: bool = False, lock: bool = False) -> Refundable:
    """What of ``order`` can still be given back, and from which payment; ``stripe`` says Stripe is set up.

    ``lock`` locks the payment, so that two refunds at once cannot both take what is left.
    """
    query = (
        sa.select(Payment)
        .where(Payment.order_id == order.id, Payment.status == PaymentStatus.succeeded)
        .order_by(Payment.id)
    )
    payment = session.scalar(query.with_for_update() if lock else query)
    if payment is None:
        return Refundable(None, 0, False)
    left = 0
    if order.status in orders.PAID_STATES:
        left = order.amount_paid - order.amount_refunded - pending_refunds(session, payment.id)
    return Refundable(payment, max(0, left), stripe and payment.kind is PaymentKind.stripe_checkout)
