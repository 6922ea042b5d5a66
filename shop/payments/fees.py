"""Stripe's fees, booked from each payment's balance transaction once Stripe has written it.

The webhook that says a payment succeeded does not ask Stripe for anything: it books the sale at once and
answers. Stripe's fee (its processing fee plus the tax on it, as the balance transaction has them) is fetched
here, by the jobs, and booked as its own posting, once per payment (its idempotency key is ``fee:<payment>``).
A balance transaction Stripe has not written yet is simply tried again on the next run.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from shop.db import session_scope
from shop.ledger.receipts import post_fee
from shop.orders.models import Order
from shop.payments import states
from shop.payments.gateway import PaymentProviderUnavailable, PaymentRefused, StripeGateway
from shop.payments.models import Payment, PaymentKind

log = logging.getLogger(__name__)
# At most this many fees are looked up per run, so a backlog never floods Stripe's rate limit.
PER_RUN = 200


def book_fees(engine, gateway: StripeGateway | None, *, limit: int = PER_RUN) -> int:
    """Book the fee of every Stripe payment received whose fee is not known yet; returns how many."""
    if gateway is None:
        return 0
    with session_scope(engine, writes=False) as session:
        waiting = session.execute(
            sa.select(Payment.id, Payment.stripe_payment_intent_id)
            .where(
                Payment.kind == PaymentKind.stripe_checkout,
                Payment.status.in_(states.RECEIVED),
                Payment.fee.is_(None),
                Payment.stripe_payment_intent_id.is_not(None),
            )
            .order_by(Payment.id)
            .limit(limit)
        ).all()
    booked = 0
    for payment_id, intent in waiting:
        try:
            fee = gateway.payment_details(intent).fee
        except PaymentRefused as exc:
            log.error("stripe refused the details of %s: %s", intent, exc)
            continue
        except PaymentProviderUnavailable:
            log.warning("stripe did not answer while booking fees; trying on the next run")
            break
        if fee is None:
            continue  # the balance transaction is not written yet
        with session_scope(engine) as session:
            payment = session.scalar(sa.select(Payment).where(Payment.id == payment_id).with_for_update())
            if payment.fee is not None:
                continue
            number = session.scalar(sa.select(Order.number).where(Order.id == payment.order_id))
            post_fee(
                session,
                key=f"fee:{payment.id}",
                order_id=payment.order_id,
                money_account="stripe_clearing",
                fee=fee,
                description=f"Stripe fee, order {number}",
            )
            payment.fee = fee
            booked += 1
    return booked
