"""Stripe's events, each handled once, in one transaction, whatever order they arrive in.

The event id is stored under a UNIQUE key in the same transaction as its effects, so a second delivery
(concurrent or late) changes nothing. The order's row is locked first, so two events about one order take
turns. Every handler checks the order's current state instead of trusting arrival order: an ``expired``
after a ``completed`` finds the order paid and does nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.stock import extend_reservations
from shop.ledger.payouts import transfer_returned
from shop.orders import service as orders
from shop.orders.models import Order, OrderStatus
from shop.payments.gateway import PaymentDetails
from shop.payments.models import Payment, PaymentKind, PaymentStatus, Refund, RefundStatus, StripeEvent
from shop.payments.service import complete_refund, record_dashboard_refund, send_confirmation, settle

ACTOR = "stripe"
# Types whose handling needs the payment's details (fee, method, OXXO voucher) fetched from Stripe first.
NEEDS_DETAILS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
# Stock stays held this long past a voucher's or session's expiry, for late webhooks.
GRACE = timedelta(minutes=10)
# A refund we asked Stripe for is ours to book for this long; after it, the webhook books it.
REFUND_HANDOVER = timedelta(minutes=2)


class RetryLater(Exception):
    """Not now: answer so that Stripe delivers the event again later (nothing was stored)."""


def seen(session: Session, event_id: str) -> bool:
    return session.get(StripeEvent, event_id) is not None


def details_needed(event: dict[str, Any]) -> str | None:
    """The PaymentIntent whose details the handler will need, if any."""
    if event["type"] not in NEEDS_DETAILS:
        return None
    return event["data"]["object"].get("payment_intent")


def handle(
    session: Session,
    event: dict[str, Any],
    *,
    details: PaymentDetails | None,
    now: datetime,
    base_url: str,
) -> str:
    """Apply one event; returns what was done, for the log and the events table. Only flushes."""
    obj = event["data"]["object"]
    record = StripeEvent(
        id=event["id"], type=event["type"][:100], object_id=str(obj.get("id", ""))[:255], received_at=now
    )
    session.add(record)
    session.flush()  # a concurrent twin fails here on the UNIQUE key, before doing anything
    handler = HANDLERS.get(event["type"])
    outcome = handler(session, obj, details=details, now=now, base_url=base_url) if handler else "ignored"
    record.outcome = outcome[:300]
    session.flush()
    return outcome


def _payment_for_session(session: Session, checkout_session: dict) -> tuple[Order, Payment] | None:
    payment_id = session.scalar(sa.select(Payment.id).where(Payment.stripe_session_id == checkout_session["id"]))
    if payment_id is None:
        return None
    order_id = session.scalar(sa.select(Payment.order_id).where(Payment.id == payment_id))
    order = orders.lock_order(session, order_id)
    payment = session.get(Payment, payment_id, populate_existing=True)
    return order, payment


def _with_intent(session, obj, details) -> tuple[Order, Payment] | None:
    """The session's order and payment, the payment now knowing its PaymentIntent (for later refunds)."""
    found = _payment_for_session(session, obj)
    if found is not None and details is not None:
        found[1].stripe_payment_intent_id = details.payment_intent_id
    return found


def _completed(session, obj, *, details, now, base_url) -> str:
    found = _with_intent(session, obj, details)
    if found is None:
        return "unknown session"
    order, payment = found
    if order.status is OrderStatus.pending_payment:
        # The buyer finished Stripe's page: her order is confirmed, whether paid by card or by voucher later.
        send_confirmation(session, order, base_url=base_url, bank_transfer_details="")
    if obj.get("payment_status") == "paid":
        return _money_in(session, order, payment, details=details, now=now, base_url=base_url)
    if order.status is not OrderStatus.pending_payment or payment.status is not PaymentStatus.open:
        return f"order already {order.status.value}"
    # OXXO: a voucher was issued; the pieces wait until it expires.
    payment.method_detail = "oxxo"
    if details is not None and details.voucher_expires_at is not None:
        payment.voucher_url = details.voucher_url[:2000]
        payment.voucher_expires_at = details.voucher_expires_at
        payment.expires_at = details.voucher_expires_at
        order.reserved_until = details.voucher_expires_at + GRACE
        extend_reservations(session, order.id, order.reserved_until)
    orders.note_event(session, order, actor=ACTOR, note="OXXO voucher issued; waiting for the cash payment", now=now)
    return "waiting for OXXO payment"


def _money_in(session, order: Order, payment: Payment, *, details, now, base_url) -> str:
    if payment.status is PaymentStatus.succeeded:
        return "already paid"
    if order.status is not OrderStatus.pending_payment:
        # Money for an order that was cancelled meanwhile: never lose track of it.
        order.attention = "Payment received after the order was cancelled: refund it in Stripe."[:300]
        orders.note_event(session, order, actor=ACTOR, note=order.attention, now=now)
        return "paid after cancellation"
    complete = settle(
        session,
        order,
        payment,
        actor=ACTOR,
        now=now,
        base_url=base_url,
        fee=details.fee if details else 0,
        method_detail=details.method if details else "",
    )
    return "paid" if complete else "paid, but a piece was gone"


def _async_succeeded(session, obj, *, details, now, base_url) -> str:
    found = _with_intent(session, obj, details)
    if found is None:
        return "unknown session"
    order, payment = found
    return _money_in(session, order, payment, details=details, now=now, base_url=base_url)


def _async_failed(session, obj, *, details, now, base_url) -> str:
    return _close(session, obj, PaymentStatus.failed, "The OXXO voucher expired unpaid", now)


def _expired(session, obj, *, details, now, base_url) -> str:
    return _close(session, obj, PaymentStatus.expired, "Stripe checkout expired without payment", now)


def _close(session, obj, status: PaymentStatus, note: str, now: datetime) -> str:
    found = _payment_for_session(session, obj)
    if found is None:
        return "unknown session"
    order, payment = found
    if payment.status is not PaymentStatus.open or order.status is not OrderStatus.pending_payment:
        return f"nothing to do: order {order.status.value}"
    payment.status = status
    orders.cancel(session, order, actor=ACTOR, note=note, now=now)
    return f"cancelled ({status.value})"


def _charge_refunded(session, obj, *, details, now, base_url) -> str:
    intent = obj.get("payment_intent")
    payment = session.scalar(sa.select(Payment).where(Payment.stripe_payment_intent_id == intent)) if intent else None
    if payment is None or payment.kind is not PaymentKind.stripe_checkout:
        return "unknown charge"
    order = orders.lock_order(session, payment.order_id)
    session.refresh(payment)
    booked = 0
    listed = (obj.get("refunds") or {}).get("data")
    if listed:
        for item in listed:
            if item.get("status") not in (None, "succeeded"):
                continue
            ours = (item.get("metadata") or {}).get("refund_id")
            pending = session.get(Refund, int(ours)) if ours and str(ours).isdigit() else None
            if pending is not None and pending.order_id == order.id:
                if pending.status is RefundStatus.pending and pending.created_at > now - REFUND_HANDOVER:
                    raise RetryLater(f"refund {pending.id} is still being booked by the staff member who asked")
                if pending.status is RefundStatus.pending:
                    # We asked for it but never heard back: book it, spread over the order.
                    complete_refund(
                        session, order, pending, stripe_refund_id=item["id"], lines=None, restock={}, now=now
                    )
                    booked += pending.amount
                continue
            refund = record_dashboard_refund(
                session, order, payment, amount=int(item["amount"]), stripe_refund_id=item["id"], now=now
            )
            booked += refund.amount if refund else 0
    else:
        # Newer API versions leave the refunds out of the charge: book the difference.
        missing = int(obj.get("amount_refunded") or 0) - payment.amount_refunded
        refund = record_dashboard_refund(session, order, payment, amount=missing, stripe_refund_id=None, now=now)
        booked += refund.amount if refund else 0
    return f"refunds booked: {booked}" if booked else "refunds already booked"


def _transfer_reversed(session, obj, *, details, now, base_url) -> str:
    """A weaver's payout sent through Stripe Connect was reversed from the dashboard: she is owed it again."""
    back = int(obj.get("amount_reversed") or 0)
    return transfer_returned(session, str(obj.get("id", "")), amount_reversed=back, now=now)


HANDLERS = {
    "checkout.session.completed": _completed,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _async_failed,
    "checkout.session.expired": _expired,
    "charge.refunded": _charge_refunded,
    "transfer.reversed": _transfer_reversed,
}
