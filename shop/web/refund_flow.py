"""Giving money back: written down first, then asked of Stripe, then booked, so a crash loses nothing.

1. Check the refund and record it as pending; commit.
2. For Stripe, ask for the refund with an idempotency key tied to our record (outside any transaction).
3. Book the reversal in the ledger, update the order, return stock; commit.
If step 2 fails, the pending refund is marked failed and nothing moved. If this process dies after Stripe
refunded, the ``charge.refunded`` webhook carries our refund's id and completes step 3.
"""

from __future__ import annotations

from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, ValidationFailed
from shop.orders.service import lock_order, order_by_number
from shop.payments.gateway import PaymentProviderUnavailable, PaymentRefused, StripeGateway
from shop.payments.models import Payment, Refund, RefundStatus
from shop.payments.service import begin_refund, complete_refund


def refund(
    engine,
    gateway: StripeGateway | None,
    *,
    number: str,
    amount: int,
    via: str,
    actor: str,
    reason: str = "",
    lines: dict[int, int] | None = None,
    restock: dict[int, int] | None = None,
) -> int:
    """Refund ``amount`` of order ``number``; returns the refund's id. ``via`` is "stripe" or "cash"."""
    restock = restock or {}
    if via not in ("stripe", "cash"):
        raise ValidationFailed(N_("Give the money back through Stripe or in cash."), field="via")
    if via == "stripe" and gateway is None:
        raise ValidationFailed(N_("Stripe is not set up; give the money back in cash."), field="via")
    with session_scope(engine) as session:
        order = order_by_number(session, number)
        order = lock_order(session, order.id)
        pending = begin_refund(
            session,
            order,
            amount=amount,
            via=via,
            actor=actor,
            reason=reason,
            lines=lines,
            restock=restock,
            now=utcnow(),
        )
        refund_id, order_id, key = pending.id, order.id, f"refund-{order.token[:12]}-{pending.id}"
        intent = session.get(Payment, pending.payment_id).stripe_payment_intent_id
        if via == "cash":
            complete_refund(session, order, pending, stripe_refund_id=None, lines=lines, restock=restock, now=utcnow())
            return refund_id
    try:
        stripe_refund_id = gateway.refund(
            payment_intent_id=intent,
            amount=amount,
            idempotency_key=key,
            metadata={"refund_id": str(refund_id), "order_number": number},
        )
    except (PaymentProviderUnavailable, PaymentRefused):
        with session_scope(engine) as session:
            failed = session.get(Refund, refund_id)
            failed.status = RefundStatus.failed
        raise
    with session_scope(engine) as session:
        order = lock_order(session, order_id)
        done = session.get(Refund, refund_id, populate_existing=True)
        complete_refund(
            session, order, done, stripe_refund_id=stripe_refund_id, lines=lines, restock=restock, now=utcnow()
        )
    return refund_id
