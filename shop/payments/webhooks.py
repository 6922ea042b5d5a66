"""Stripe's events, each handled once, in one transaction, whatever order they arrive in.

The event id is stored under a UNIQUE key in the same transaction as its effects, so a second delivery
(concurrent or late) changes nothing. The order's row is locked first, so two events about one order take
turns. Every handler checks the current state instead of trusting arrival order: an ``expired`` after a
``completed`` finds the order paid and does nothing; money for an order cancelled meanwhile is booked as a
payment to resolve, never lost and never credited to anyone.

Refunds are matched by Stripe's refund id, or by our refund's id in its metadata, never by difference: current
API versions do not list refunds on the charge, so ``charge.refunded`` makes us list them from Stripe, and
``refund.created`` / ``refund.updated`` carry the refund itself.

What a handler needs from Stripe beyond the event (the fee, the refunds) is fetched by ``fetch`` before the
transaction opens, so no database lock is held while Stripe is called.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from shop.catalogue.stock import extend_reservations
from shop.errors import N_
from shop.ledger.paying import transfer_returned
from shop.orders import service as orders
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.payments import states
from shop.payments.gateway import PaymentDetails, StripeGateway, StripeRefund
from shop.payments.models import Payment, PaymentKind, PaymentStatus, Refund, RefundStatus, StripeEvent
from shop.payments.receiving import receive
from shop.payments.refund_records import complete_refund, record_stripe_refund
from shop.payments.service import send_confirmation

ACTOR = "stripe"
# A session completed but not paid is an OXXO voucher: its details (where and until when to pay) are fetched.
NEEDS_DETAILS = {"checkout.session.completed"}
NEEDS_REFUNDS = {"charge.refunded"}
REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}
# Stock stays held this long past a voucher's or session's expiry, for late webhooks.
GRACE = timedelta(minutes=10)
# Stripe has moved (or is moving) the money back in these states; failed and canceled refunds moved nothing.
MONEY_WENT_BACK = {"succeeded", "pending", "requires_action"}


REFUND_UNDONE = N_(
    "Stripe says a refund of this order failed after it was booked: the money may be back in Stripe. Check it "
    "with Stripe before giving it back again."
)


class RetryLater(Exception):
    """Not now: answer so that Stripe delivers the event again later (nothing was stored)."""


class MalformedEvent(ValueError):
    """A signed body that is not a Stripe event we can read: answered 400 and logged, never a 500."""


@dataclass(frozen=True)
class Fetched:
    details: PaymentDetails | None = None
    refunds: tuple[StripeRefund, ...] | None = None


def parse(payload: bytes) -> dict[str, Any]:
    """The event in a verified body, or MalformedEvent saying what is wrong with it."""
    try:
        event = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent("the body is not JSON") from exc
    if not isinstance(event, dict):
        raise MalformedEvent("the event is not a JSON object")
    for name, longest in (("id", 255), ("type", 100)):
        value = event.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= longest:
            raise MalformedEvent(f"the event has no usable {name}")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("the event has no data.object")
    obj = data["object"]
    if "id" in obj and not isinstance(obj["id"], str):
        raise MalformedEvent("the event's object has an id that is not a string")
    if event["type"] in HANDLERS and not isinstance(obj.get("id"), str):
        raise MalformedEvent("the event's object has no id")
    return event


def seen(session: Session, event_id: str) -> bool:
    return session.get(StripeEvent, event_id) is not None


def fetch(event: dict[str, Any], gateway: StripeGateway) -> Fetched:
    """What the handler will need from Stripe (may raise PaymentProviderUnavailable: retry later)."""
    obj = event["data"]["object"]
    intent = obj.get("payment_intent")
    if not isinstance(intent, str) or not intent:
        return Fetched()
    if event["type"] in NEEDS_DETAILS and obj.get("payment_status") == "unpaid":
        return Fetched(details=gateway.payment_details(intent))
    if event["type"] in NEEDS_REFUNDS:
        return Fetched(refunds=tuple(gateway.list_refunds(intent)))
    return Fetched()


def needs_fetch(event: dict[str, Any]) -> bool:
    """Whether ``fetch`` would ask Stripe for anything (then a duplicate is worth spotting before asking)."""
    obj = event["data"]["object"]
    paid = event["type"] in NEEDS_DETAILS and obj.get("payment_status") == "unpaid"
    return bool(obj.get("payment_intent")) and (paid or event["type"] in NEEDS_REFUNDS)


def handle(session: Session, event: dict[str, Any], *, fetched: Fetched, now: datetime, base_url: str) -> str:
    """Apply one event; returns what was done, for the log and the events table. Only flushes.

    The event is recorded last, with its outcome, in the same transaction: a twin delivered at the same time
    waits on the order's lock, finds the work done, and then fails on the event's UNIQUE key (IntegrityError,
    a duplicate), so its transaction changes nothing.
    """
    obj = event["data"]["object"]
    handler = HANDLERS.get(event["type"])
    outcome = handler(session, obj, fetched=fetched, now=now, base_url=base_url) if handler else "ignored"
    session.add(
        StripeEvent(
            id=event["id"],
            type=event["type"][:100],
            object_id=str(obj.get("id", ""))[:255],
            received_at=now,
            outcome=outcome[:300],
        )
    )
    session.flush()
    return outcome


# Built once: the hot path's statements cost nothing to build or to key for SQLAlchemy's compiled cache.
_ORDER_OF_SESSION = (
    sa.select(Order, Payment)
    .join(Payment, Payment.order_id == Order.id)
    .where(Payment.stripe_session_id == sa.bindparam("session_id"))
    .options(joinedload(Order.lines).joinedload(OrderLine.weavers))
    .with_for_update(of=Order)
    .execution_options(populate_existing=True)
)


def _payment_for_session(session: Session, checkout_session: dict) -> tuple[Order, Payment] | None:
    """The session's order, its row locked, with its lines and weavers, and the payment: one statement."""
    found = session.execute(_ORDER_OF_SESSION, {"session_id": checkout_session["id"]}).unique().first()
    return None if found is None else (found[0], found[1])


def _with_intent(session, obj, details: PaymentDetails | None) -> tuple[Order, Payment] | None:
    """The session's order and payment, the payment now knowing its PaymentIntent (for refunds and fees)."""
    found = _payment_for_session(session, obj)
    if found is not None:
        intent = details.payment_intent_id if details is not None else obj.get("payment_intent")
        if isinstance(intent, str) and intent:
            found[1].stripe_payment_intent_id = intent[:255]
    return found


def _completed(session, obj, *, fetched: Fetched, now, base_url) -> str:
    found = _with_intent(session, obj, fetched.details)
    if found is None:
        return "unknown session"
    order, payment = found
    if obj.get("payment_status") == "paid":
        # Paid by card: one e-mail tells her both that the order is confirmed and that the money arrived.
        return _money_in(session, order, payment, obj, method="card", now=now, base_url=base_url)
    if order.status is OrderStatus.pending_payment:
        # A voucher to pay at OXXO: her order is confirmed, and the pieces wait for the cash.
        send_confirmation(session, order, base_url=base_url, bank_transfer_details="")
    if order.status is not OrderStatus.pending_payment or payment.status is not PaymentStatus.open:
        return f"order already {order.status.value}"
    # OXXO: a voucher was issued; the pieces wait until it expires.
    payment.method_detail = "oxxo"
    details = fetched.details
    if details is not None and details.voucher_expires_at is not None:
        payment.voucher_url = details.voucher_url[:2000]
        payment.voucher_expires_at = details.voucher_expires_at
        payment.expires_at = details.voucher_expires_at
        order.reserved_until = details.voucher_expires_at + GRACE
        extend_reservations(session, order.id, order.reserved_until)
    orders.note_event(session, order, actor=ACTOR, note="OXXO voucher issued; waiting for the cash payment", now=now)
    return "waiting for OXXO payment"


def _money_in(session, order: Order, payment: Payment, obj: dict, *, method: str, now, base_url) -> str:
    """The session is paid: Stripe's fee is booked later from the balance transaction (``shop.payments.fees``)."""
    if payment.status in states.RECEIVED:
        return "already paid"
    amount = obj.get("amount_total")
    return receive(
        session,
        order,
        payment,
        actor=ACTOR,
        now=now,
        base_url=base_url,
        amount=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
        fee=None,
        method_detail=method,
    )


def _async_succeeded(session, obj, *, fetched: Fetched, now, base_url) -> str:
    found = _with_intent(session, obj, None)
    if found is None:
        return "unknown session"
    order, payment = found
    return _money_in(session, order, payment, obj, method="oxxo", now=now, base_url=base_url)


def _async_failed(session, obj, *, fetched, now, base_url) -> str:
    return _close(session, obj, PaymentStatus.failed, "The OXXO voucher expired unpaid", now)


def _expired(session, obj, *, fetched, now, base_url) -> str:
    return _close(session, obj, PaymentStatus.expired, "Stripe checkout expired without payment", now)


def _close(session, obj, status: PaymentStatus, note: str, now: datetime) -> str:
    found = _payment_for_session(session, obj)
    if found is None:
        return "unknown session"
    order, payment = found
    if payment.status is not PaymentStatus.open or order.status is not OrderStatus.pending_payment:
        return f"nothing to do: order {order.status.value}"
    states.move(payment, status)
    orders.cancel(session, order, actor=ACTOR, note=note, now=now)
    return f"cancelled ({status.value})"


def _charge_refunded(session, obj, *, fetched: Fetched, now, base_url) -> str:
    if fetched.refunds is None:
        return "no payment intent on the charge"
    outcomes = [_stripe_refund(session, refund, now) for refund in fetched.refunds]
    booked = [outcome for outcome in outcomes if outcome.startswith("booked")]
    return "; ".join(booked) if booked else "refunds already booked"


def _refund_event(session, obj, *, fetched, now, base_url) -> str:
    return _stripe_refund(session, StripeRefund.of(obj), now)


def _ours(session: Session, refund: StripeRefund, payment: Payment) -> Refund | None:
    """Our refund behind a Stripe refund: by its Stripe id, else by our id in its metadata (same payment)."""
    found = session.scalar(sa.select(Refund).where(Refund.stripe_refund_id == refund.id).with_for_update())
    if found is not None:
        return found
    ours = str(refund.metadata.get("refund_id") or "")
    if not ours.isdigit() or len(ours) > 12:
        return None
    return session.scalar(
        sa.select(Refund)
        .where(Refund.id == int(ours), Refund.payment_id == payment.id, Refund.stripe_refund_id.is_(None))
        .with_for_update()
    )


def _stripe_refund(session: Session, refund: StripeRefund, now: datetime) -> str:
    """Make the shop's books agree with one refund Stripe has: book it once, whoever asked for it."""
    if not refund.payment_intent:
        return f"{refund.id}: no payment intent"
    payment_id = session.scalar(
        sa.select(Payment.id).where(
            Payment.stripe_payment_intent_id == refund.payment_intent, Payment.kind == PaymentKind.stripe_checkout
        )
    )
    if payment_id is None:
        # Its payment's own event has not been handled yet (events arrive in any order): Stripe tries again.
        raise RetryLater(f"refund {refund.id} is for a payment the shop has not recorded yet")
    order = orders.lock_order(session, session.scalar(sa.select(Payment.order_id).where(Payment.id == payment_id)))
    payment = session.get(Payment, payment_id, populate_existing=True)
    ours = _ours(session, refund, payment)
    if refund.status not in MONEY_WENT_BACK:
        if ours is not None and ours.status is RefundStatus.pending:
            states.move_refund(ours, RefundStatus.failed)
            return f"{refund.id}: failed at Stripe, nothing moved"
        if ours is not None and ours.status is RefundStatus.succeeded:
            order.attention = REFUND_UNDONE
            orders.note_event(
                session,
                order,
                actor=ACTOR,
                note=f"Stripe says refund {refund.id} {refund.status} after it was booked",
                now=now,
            )
            return f"{refund.id}: {refund.status} after it was booked; a person must look"
        return f"{refund.id}: {refund.status}, nothing to book"
    if ours is not None:
        if ours.status is RefundStatus.succeeded:
            ours.stripe_refund_id = ours.stripe_refund_id or refund.id
            return f"{refund.id}: already booked"
        complete_refund(session, order, ours, stripe_refund_id=refund.id, now=now)
        return f"booked {refund.amount} ({refund.id}, ours)"
    booked = record_stripe_refund(session, order, payment, amount=refund.amount, stripe_refund_id=refund.id, now=now)
    return f"booked {refund.amount} ({refund.id})" if booked else f"{refund.id}: already booked"


def _transfer_reversed(session, obj, *, fetched, now, base_url) -> str:
    """A weaver's payout sent through Stripe Connect was reversed from the dashboard: she is owed it again."""
    back = obj.get("amount_reversed")
    back = int(back) if isinstance(back, int) and not isinstance(back, bool) else 0
    return transfer_returned(session, str(obj.get("id", "")), amount_reversed=back, now=now)


HANDLERS = {
    "checkout.session.completed": _completed,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _async_failed,
    "checkout.session.expired": _expired,
    "charge.refunded": _charge_refunded,
    **dict.fromkeys(REFUND_EVENTS, _refund_event),
    "transfer.reversed": _transfer_reversed,
}
