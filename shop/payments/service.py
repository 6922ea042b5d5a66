"""Money in and out of an order: settling a payment, confirming transfers, in-person sales, refunds.

Settling a payment does three things in the caller's transaction: the payment succeeds, the order becomes
paid (taking its stock), and the money is split in the ledger. Nothing else may mark an order paid.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import ProductKind
from shop.catalogue.stock import lock_products, refuse_held, return_stock
from shop.catalogue.stock_changes import record_sale
from shop.errors import N_, Conflict, InvalidState, ValidationFailed
from shop.ledger.schemas import Sale, SaleLine
from shop.ledger.service import order_received, post_refund, post_sale
from shop.mail.outbox import enqueue
from shop.orders import service as orders
from shop.orders.models import Channel, Order, OrderStatus, PaymentMethod
from shop.orders.schemas import OrderItem
from shop.payments.models import Payment, PaymentKind, PaymentStatus, Refund, RefundStatus

MONEY_ACCOUNT = {
    PaymentKind.stripe_checkout: "stripe_clearing",
    PaymentKind.offline: "pending_offline",
    PaymentKind.cash: "cash",
}
KIND_FOR_METHOD = {
    PaymentMethod.stripe: PaymentKind.stripe_checkout,
    PaymentMethod.offline: PaymentKind.offline,
    PaymentMethod.cash: PaymentKind.cash,
}


def open_payment(session: Session, order: Order, *, now: datetime) -> Payment:
    payment = Payment(
        order_id=order.id,
        kind=KIND_FOR_METHOD[order.payment_method],
        amount=order.amount_due_now,
        currency=order.currency,
        expires_at=order.reserved_until,
        created_at=now,
    )
    session.add(payment)
    session.flush()
    return payment


def payment_of(session: Session, order: Order, *, lock: bool = False) -> Payment | None:
    """The order's latest payment attempt."""
    statement = sa.select(Payment).where(Payment.order_id == order.id).order_by(Payment.id.desc()).limit(1)
    if lock:
        statement = statement.with_for_update()
    return session.scalar(statement)


def sale_for(order: Order, payment: Payment) -> Sale:
    """How the money of this payment is shared, from the order's snapshotted lines and split rules."""
    return Sale(
        key=f"payment:{payment.id}",
        order_id=order.id,
        money_account=MONEY_ACCOUNT[payment.kind],
        lines=tuple(
            SaleLine(
                order_line_id=line.id,
                amount=line.amount_due_now,
                weavers_bp=line.weavers_bp,
                weavers=tuple((w.weaver_id, w.share_bp) for w in line.weavers),
            )
            for line in order.lines
        ),
        shipping=order.shipping_amount,
        fee=payment.fee,
        description=f"Order {order.number}",
    )


def settle(
    session: Session,
    order: Order,
    payment: Payment,
    *,
    actor: str,
    now: datetime,
    base_url: str,
    fee: int = 0,
    method_detail: str = "",
    note: str = "",
) -> bool:
    """The money is in: the payment succeeds, the order is paid, the split is booked, the buyer is told.

    Returns False when a piece had meanwhile gone to someone else; the order then says so for a person.
    """
    if payment.status is PaymentStatus.succeeded:
        return True
    payment.status = PaymentStatus.succeeded
    payment.fee = fee
    payment.succeeded_at = now
    if method_detail:
        payment.method_detail = method_detail[:40]
    complete = orders.mark_paid(session, order, amount=payment.amount, actor=actor, now=now, note=note)
    post_sale(session, sale_for(order, payment))
    if order.email:
        enqueue(
            session,
            kind="payment_received",
            to=order.email,
            language=order.language,
            context=orders.email_context(order, base_url),
            dedupe_key=f"payment_received:{order.id}",
        )
    session.flush()
    return complete


def send_confirmation(session: Session, order: Order, *, base_url: str, bank_transfer_details: str) -> None:
    if not order.email:
        return
    context = orders.email_context(order, base_url)
    if order.payment_method is PaymentMethod.offline:
        context["bank_transfer_details"] = bank_transfer_details
    enqueue(
        session,
        kind="order_confirmation",
        to=order.email,
        language=order.language,
        context=context,
        dedupe_key=f"order_confirmation:{order.id}",
    )


def confirm_offline_payment(
    session: Session, order: Order, *, actor: str, reference: str, now: datetime, base_url: str
) -> Payment:
    """The treasurer saw the transfer (or took the money at the cooperative): the order is paid."""
    if order.payment_method is not PaymentMethod.offline:
        raise InvalidState(N_("Order %(number)s is not paid by transfer or in person."), number=order.number)
    payment = payment_of(session, order, lock=True)
    if payment is None or payment.status is not PaymentStatus.open or order.status is not OrderStatus.pending_payment:
        raise InvalidState(N_("Order %(number)s is not waiting for a payment."), number=order.number)
    payment.confirmed_by = actor[:120]
    payment.reference = reference.strip()[:200]
    settle(session, order, payment, actor=actor, now=now, base_url=base_url, note=reference.strip()[:200])
    return payment


def sell_in_person(
    session: Session,
    *,
    items: list[OrderItem],
    actor: str,
    now: datetime,
    name: str = "",
    email: str = "",
    note: str = "",
) -> Order:
    """A sale at the cooperative's shop or a market: the same order and ledger path, paid in cash on the spot.

    Units an online order holds are never sold: HeldForOrder names that order and until when it holds them.
    Each piece's stock history records the sale with its order.
    """
    wanted: dict[int, int] = {}
    for item in items:
        wanted[item.product_id] = wanted.get(item.product_id, 0) + item.quantity
    for product in lock_products(session, list(wanted)).values():
        if product.kind is ProductKind.made_to_order:
            continue
        refuse_held(session, product, wanted[product.id], now)
        if 0 < product.stock_on_hand < wanted[product.id]:  # none at all: place_order says it was just sold
            raise ValidationFailed(
                N_("There are only %(count)d in stock; the stock cannot go below zero."),
                field="quantity",
                count=product.stock_on_hand,
            )
    order = orders.place_order(
        session,
        items=items,
        buyer=None,
        language="es",
        method=PaymentMethod.cash,
        channel=Channel.in_person,
        now=now,
        hold_until=now + timedelta(minutes=5),
        actor=actor,
    )
    order.name, order.email = name.strip()[:200], email.strip()[:254]
    payment = open_payment(session, order, now=now)
    payment.confirmed_by = actor[:120]
    settle(session, order, payment, actor=actor, now=now, base_url="", note=note.strip()[:300])
    for product_id, quantity in wanted.items():
        record_sale(
            session, product_id=product_id, quantity=quantity, order_id=order.id, note=note, actor=actor, now=now
        )
    return order


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
    """Check a refund and write it down as pending; money moves in ``complete_refund``."""
    if order.status not in orders.PAID_STATES:
        raise InvalidState(N_("Order %(number)s has no payment to give back."), number=order.number)
    payment = session.scalar(
        sa.select(Payment)
        .where(Payment.order_id == order.id, Payment.status == PaymentStatus.succeeded)
        .order_by(Payment.id)
        .with_for_update()
    )
    if payment is None:
        raise InvalidState(N_("Order %(number)s has no payment to give back."), number=order.number)
    pending = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
            Refund.order_id == order.id, Refund.status == RefundStatus.pending
        )
    )
    left = order.amount_paid - order.amount_refunded - pending
    if amount <= 0 or amount > left:
        raise ValidationFailed(
            N_("You can give back at most %(amount)s on this order."), field="amount", amount=f"{left / 100:.2f}"
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
    refund = Refund(
        order_id=order.id,
        payment_id=payment.id,
        amount=amount,
        currency=order.currency,
        via=via,
        reason=reason.strip()[:500],
        actor=actor[:120],
        created_at=now,
    )
    session.add(refund)
    session.flush()
    return refund


def complete_refund(
    session: Session,
    order: Order,
    refund: Refund,
    *,
    stripe_refund_id: str | None,
    lines: dict[int, int] | None,
    restock: dict[int, int],
    now: datetime,
) -> None:
    """The money went back: book the reversal, update the order, and put returned pieces back in stock."""
    if refund.status is RefundStatus.succeeded:
        return
    payment = session.get(Payment, refund.payment_id)
    money_account = "cash" if refund.via == "cash" else MONEY_ACCOUNT[payment.kind]
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
    refund.status = RefundStatus.succeeded
    refund.stripe_refund_id = stripe_refund_id
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


def record_dashboard_refund(
    session: Session, order: Order, payment: Payment, *, amount: int, stripe_refund_id: str | None, now: datetime
) -> Refund | None:
    """A refund made in Stripe's dashboard: book it like ours, spread over the order in proportion."""
    known = sa.select(Refund.id).where(Refund.stripe_refund_id == stripe_refund_id)
    if stripe_refund_id is not None and session.scalar(known) is not None:
        return None
    if amount <= 0:
        return None
    if order.amount_refunded + amount > order.amount_paid:
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
    )
    session.add(refund)
    session.flush()
    complete_refund(session, order, refund, stripe_refund_id=stripe_refund_id, lines=None, restock={}, now=now)
    return refund
