"""Giving money back: written down first, then asked of Stripe, then booked, so a crash loses nothing.

1. Check the refund and record it as pending, with exactly what it gives back; commit.
2. For Stripe, ask for the refund with an idempotency key tied to our record (outside any transaction).
3. Book it: the ledger, the order, the stock; commit.

If Stripe refuses at step 2, the pending refund is marked failed and nothing moved. If Stripe does not answer,
the refund may or may not exist there: it stays pending ("being sent") and its amount cannot be refunded
again. Whoever hears first books it, exactly once and exactly as asked: this request, the ``refund.*`` or
``charge.refunded`` webhook (which carries our refund's id in its metadata), or ``settle_pending_refunds``
(run by the jobs), which looks the refund up at Stripe and, if Stripe never made it, asks again under the same
idempotency key. Used by the workspace and the staff API alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, DomainError, ValidationFailed
from shop.orders.models import Order
from shop.orders.service import lock_order, order_by_number
from shop.payments import states
from shop.payments.gateway import PaymentProviderUnavailable, PaymentRefused, StripeGateway
from shop.payments.models import Payment, Refund, RefundStatus
from shop.payments.refund_records import begin_refund, begin_return, complete_refund

log = logging.getLogger(__name__)
# A refund still pending this long after it was asked is looked up at Stripe by the jobs.
LOOK_UP_AFTER = timedelta(minutes=2)
# Idempotency keys live a day at Stripe: past this, a refund Stripe does not list is never asked again.
ASK_AGAIN_WITHIN = timedelta(hours=23)


class RefundBeingSent(DomainError):
    """Stripe did not answer: the refund may have been made. It is booked as soon as Stripe tells us."""

    status_code = 202
    code = "refund_being_sent"

    def __init__(self):
        super().__init__(
            N_(
                "Stripe did not answer in time. The refund is recorded as being sent and will be booked as soon "
                "as Stripe confirms it; do not refund this money again."
            )
        )


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
    _check_via(via, gateway)

    def begin(session: Session, order: Order) -> Refund:
        return begin_refund(
            session,
            order,
            amount=amount,
            via=via,
            actor=actor,
            reason=reason,
            lines=lines,
            restock=restock or {},
            now=utcnow(),
        )

    return _give_back(engine, gateway, number, begin)


def give_back(engine, gateway: StripeGateway | None, *, number: str, via: str, actor: str, reason: str = "") -> int:
    """Give back in full the payment to resolve of order ``number`` (money its order could not take)."""
    _check_via(via, gateway)

    def begin(session: Session, order: Order) -> Refund:
        return begin_return(session, order, via=via, actor=actor, reason=reason, now=utcnow())

    return _give_back(engine, gateway, number, begin)


def _check_via(via: str, gateway: StripeGateway | None) -> None:
    if via not in ("stripe", "cash"):
        raise ValidationFailed(N_("Give the money back through Stripe or in cash."), field="via")
    if via == "stripe" and gateway is None:
        raise ValidationFailed(N_("Stripe is not set up; give the money back in cash."), field="via")


def _give_back(engine, gateway, number: str, begin: Callable[[Session, Order], Refund]) -> int:
    with session_scope(engine) as session:
        order = lock_order(session, order_by_number(session, number).id)
        pending = begin(session, order)
        if pending.via != "stripe":
            complete_refund(session, order, pending, stripe_refund_id=None, now=utcnow())
            return pending.id
        ask = _stripe_request(session, order, pending)
    try:
        stripe_refund_id = gateway.refund(**ask)
    except PaymentRefused:
        _mark_failed(engine, int(ask["metadata"]["refund_id"]))
        raise
    except PaymentProviderUnavailable:
        log.warning("stripe did not answer refund %s; it stays pending until Stripe tells", ask["metadata"])
        raise RefundBeingSent() from None
    refund_id = int(ask["metadata"]["refund_id"])
    _complete(engine, refund_id, stripe_refund_id)
    return refund_id


def _stripe_request(session: Session, order: Order, pending: Refund) -> dict:
    """What to ask Stripe for this refund; the same every time it is asked (the idempotency key included)."""
    intent = session.scalar(sa.select(Payment.stripe_payment_intent_id).where(Payment.id == pending.payment_id))
    return {
        "payment_intent_id": intent,
        "amount": pending.amount,
        "idempotency_key": f"refund-{order.token[:12]}-{pending.id}",
        "metadata": {"refund_id": str(pending.id), "order_number": order.number},
    }


def _mark_failed(engine, refund_id: int) -> None:
    with session_scope(engine) as session:
        failed = session.scalar(sa.select(Refund).where(Refund.id == refund_id).with_for_update())
        if failed.status is RefundStatus.pending:
            states.move_refund(failed, RefundStatus.failed)


def _complete(engine, refund_id: int, stripe_refund_id: str) -> None:
    with session_scope(engine) as session:
        order_id = session.scalar(sa.select(Refund.order_id).where(Refund.id == refund_id))
        order = lock_order(session, order_id)
        done = session.get(Refund, refund_id, populate_existing=True)
        complete_refund(session, order, done, stripe_refund_id=stripe_refund_id, now=utcnow())


def settle_pending_refunds(engine, gateway: StripeGateway | None, *, now: datetime | None = None) -> int:
    """Finish Stripe refunds left pending (no answer, or the process died): returns how many were settled.

    Each is looked up among the payment's refunds at Stripe by our refund id; if Stripe has it, it is booked.
    If not, it is asked again under its own idempotency key (Stripe either made it or makes it now, never
    twice), or, once that key may have expired, marked failed for a person to look at.
    """
    if gateway is None:
        return 0
    now = now or utcnow()
    with session_scope(engine, writes=False) as session:
        stuck = session.execute(
            sa.select(Refund.id, Refund.created_at, Payment.stripe_payment_intent_id)
            .join(Payment, Payment.id == Refund.payment_id)
            .where(
                Refund.status == RefundStatus.pending,
                Refund.via == "stripe",
                Refund.created_at < now - LOOK_UP_AFTER,
            )
            .order_by(Refund.id)
        ).all()
    settled = 0
    for refund_id, created_at, intent in stuck:
        try:
            found = {r.metadata.get("refund_id"): r for r in gateway.list_refunds(intent)}.get(str(refund_id))
            if found is None and created_at > now - ASK_AGAIN_WITHIN:
                with session_scope(engine, writes=False) as session:
                    pending = session.get(Refund, refund_id)
                    ask = _stripe_request(session, session.get(Order, pending.order_id), pending)
                _complete(engine, refund_id, gateway.refund(**ask))
                settled += 1
            elif found is None or found.status in ("failed", "canceled"):
                _mark_failed(engine, refund_id)
            else:
                _complete(engine, refund_id, found.id)
                settled += 1
        except PaymentRefused:
            _mark_failed(engine, refund_id)
        except PaymentProviderUnavailable:
            log.warning("stripe did not answer while settling refund %s; trying later", refund_id)
            break
    return settled
