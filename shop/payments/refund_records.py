"""Refunds written down and booked: checked and recorded as pending, then booked in the ledger, the order and
the stock once the money went back, and refunds made in Stripe's dashboard booked like ours.

Asking Stripe, and the order of these steps, is ``shop.payments.refunds``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.stock_sales import return_stock
from shop.errors import N_, Conflict, InvalidState, ValidationFailed
from shop.ledger.receipts import post_return
from shop.ledger.received import order_received
from shop.ledger.refunds import post_refund
from shop.orders import service as orders
from shop.orders.models import Order
from shop.payments import states
from shop.payments.models import Payment, PaymentKind, PaymentStatus, Refund, RefundStatus
from shop.payments.receiving import unallocated_payment
from shop.payments.refundable import pending_refunds, refundable
from shop.payments.service import MONEY_ACCOUNT


def begin_refund(
    session: Session,
    order: Order,
    *,
    amount: int,
    via: str,
    actor: str,
    reason: str,
    lines: dict[int, int] | None,
    restock: dict[int, int],
    now: datetime,
) -> Refund:
    """Check a refund and write it down as pending, with what it gives back; money moves in ``complete_refund``."""
    if order.status not in orders.PAID_STATES:
        raise InvalidState(N_("Order %(number)s has no payment to give back."), number=order.number)
    room = refundable(session, order, lock=True)
    payment, left = room.payment, room.left
    if payment is None:
        raise InvalidState(N_("Order %(number)s has no payment to give back."), number=order.number)
    if amount <= 0 or amount > left:
        raise ValidationFailed(
            N_("You can give back at most %(amount)s on this order."),
            field="amount",
            amount=f"{Decimal(left).scaleb(-2):.2f}",
        )
    known = {line.id: line for line in order.lines}
    received = order_received(session, order.id)
    for line_id, part in (lines or {}).items():
        if line_id not in known:
            raise ValidationFailed(N_("That line is not part of this order."), field="lines")
        if part > received.lines[line_id].refundable:
            raise ValidationFailed(N_("That is more than this line brought in."), field="lines")
    if lines is not None and sum(lines.values()) != amount:
        raise ValidationFailed(N_("The lines must add up to the amount given back."), field="lines")
    for line_id, quantity in restock.items():
        if line_id not in known or not 0 < quantity <= known[line_id].quantity:
            raise ValidationFailed(N_("You can return at most the quantity that was sold."), field="restock")
    if via == "stripe" and payment.kind is not PaymentKind.stripe_checkout:
        raise ValidationFailed(N_("This order was not paid through Stripe; give the money back in cash."), field="via")
    return _pending_refund(
        session,
        order,
        payment,
        amount=amount,
        via=via,
        actor=actor,
        reason=reason,
        now=now,
        plan={"lines": lines, "restock": restock},
    )


def begin_return(session: Session, order: Order, *, via: str, actor: str, reason: str, now: datetime) -> Refund:
    """Give back, in full, a payment its order could not take; written down as pending like any refund."""
    payment = unallocated_payment(session, order, lock=True)
    if payment is None:
        raise InvalidState(N_("Order %(number)s has no payment waiting to be resolved."), number=order.number)
    left = payment.amount - payment.amount_refunded - pending_refunds(session, payment.id)
    if left <= 0:
        raise InvalidState(N_("This money is already being given back."))
    if via == "stripe" and payment.kind is not PaymentKind.stripe_checkout:
        raise ValidationFailed(N_("This order was not paid through Stripe; give the money back in cash."), field="via")
    return _pending_refund(
        session, order, payment, amount=left, via=via, actor=actor, reason=reason, now=now, plan={"return": True}
    )


def _pending_refund(
    session: Session, order: Order, payment: Payment, *, amount: int, via: str, actor: str, reason: str, now, plan
) -> Refund:
    refund = Refund(
        order_id=order.id,
        payment_id=payment.id,
        amount=amount,
        currency=order.currency,
        via=via,
        reason=reason.strip()[:500],
        actor=actor[:120],
        created_at=now,
        plan=_plain_plan(plan),
    )
    session.add(refund)
    session.flush()
    return refund


def _plain_plan(plan: dict) -> dict:
    """JSON keeps only string keys: line ids are written as strings and read back with ``plan_of``."""
    out = dict(plan)
    if out.get("lines") is not None:
        out["lines"] = {str(k): int(v) for k, v in out["lines"].items()}
    if "restock" in out:
        out["restock"] = {str(k): int(v) for k, v in (out["restock"] or {}).items()}
    return out


def plan_of(refund: Refund) -> tuple[dict[int, int] | None, dict[int, int]]:
    """The lines and the restocking a refund was asked with (None lines: spread over the order)."""
    plan = refund.plan or {}
    lines = plan.get("lines")
    restock = plan.get("restock") or {}
    return (
        None if lines is None else {int(k): int(v) for k, v in lines.items()},
        {int(k): int(v) for k, v in restock.items()},
    )


def complete_refund(
    session: Session, order: Order, refund: Refund, *, stripe_refund_id: str | None, now: datetime
) -> None:
    """The money went back: book it, update the order, put returned pieces back in stock. Idempotent.

    Whoever completes it (the request that asked Stripe, the webhook, the job that checks with Stripe)
    books exactly what was asked: the lines and restocking are read from the refund's own record.
    """
    if refund.status is RefundStatus.succeeded:
        if stripe_refund_id and refund.stripe_refund_id is None:
            refund.stripe_refund_id = stripe_refund_id
        return
    payment = session.get(Payment, refund.payment_id, populate_existing=True)
    money_account = "cash" if refund.via == "cash" else MONEY_ACCOUNT[payment.kind]
    states.move_refund(refund, RefundStatus.succeeded)
    refund.stripe_refund_id = stripe_refund_id or refund.stripe_refund_id
    if payment.status in (PaymentStatus.unallocated, PaymentStatus.returned):
        _complete_return(session, order, payment, refund, money_account, now)
        return
    lines, restock = plan_of(refund)
    post_refund(
        session,
        key=f"refund:{refund.id}",
        order_id=order.id,
        money_account=money_account,
        amount=refund.amount,
        lines=lines,
        shipping=None if lines is None else 0,
        description=f"Refund on order {order.number}",
    )
    payment.amount_refunded += refund.amount
    returned = []
    by_id = {line.id: line for line in order.lines}
    for line_id, quantity in restock.items():
        line = by_id[line_id]
        if line.product_id is not None:
            return_stock(session, line.product_id, quantity)
            returned.append(f"{quantity}× {line.title_es}")
    refund.restocked = bool(returned)
    note = refund.reason + (f" (back in stock: {', '.join(returned)})" if returned else "")
    orders.record_refund(session, order, refund.amount, actor=refund.actor or "system", note=note[:1000], now=now)


def _complete_return(session: Session, order: Order, payment: Payment, refund: Refund, money_account, now) -> None:
    post_return(
        session,
        key=f"refund:{refund.id}",
        order_id=order.id,
        money_account=money_account,
        amount=refund.amount,
        description=f"Payment to resolve on order {order.number} given back",
    )
    payment.amount_refunded += refund.amount
    if payment.amount_refunded >= payment.amount and payment.status is PaymentStatus.unallocated:
        states.move(payment, PaymentStatus.returned)
        order.attention = ""
    orders.note_event(
        session,
        order,
        actor=refund.actor or "system",
        note=f"Given back {refund.amount} centavos of the payment to resolve. {refund.reason}".strip()[:1000],
        now=now,
    )
    session.flush()


def record_stripe_refund(
    session: Session, order: Order, payment: Payment, *, amount: int, stripe_refund_id: str, now: datetime
) -> Refund | None:
    """A refund Stripe has that the shop did not ask for (made in Stripe's dashboard): book it like ours, spread
    over the order in proportion, or out of the payment to resolve. Known Stripe refund ids are never booked
    twice. Returns None when there was nothing to book."""
    known = sa.select(Refund.id).where(Refund.stripe_refund_id == stripe_refund_id)
    if session.scalar(known) is not None or amount <= 0:
        return None
    if payment.status in (PaymentStatus.unallocated, PaymentStatus.returned):
        left = payment.amount - payment.amount_refunded
    elif payment.status is PaymentStatus.succeeded:
        left = order.amount_paid - order.amount_refunded
    else:
        left = 0
    if amount > left:
        raise Conflict(N_("Stripe reports more refunded than this order received."))
    refund = Refund(
        order_id=order.id,
        payment_id=payment.id,
        amount=amount,
        currency=order.currency,
        via="dashboard",
        reason="Refunded in Stripe's dashboard",
        actor="stripe",
        created_at=now,
        plan={"lines": None, "restock": {}},
    )
    session.add(refund)
    session.flush()
    complete_refund(session, order, refund, stripe_refund_id=stripe_refund_id, now=now)
    return refund
