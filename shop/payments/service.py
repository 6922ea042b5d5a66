"""Payments of an order and settling them: the payment attempt, how its money is shared, and ``settle``.

If its order can take the money, ``settle`` does three things in the caller's transaction: the payment
succeeds, the order becomes paid (taking its stock), and the money is split in the ledger. Nothing else may
mark an order paid. Money comes in through ``shop.payments.receiving.receive`` (Stripe) or
``shop.payments.offline.confirm_offline_payment`` (the treasurer); what its order cannot take waits there to be
resolved, and refunds are ``shop.payments.refund_records``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.stock import unavailable
from shop.ledger.sales import post_sale
from shop.ledger.schemas import Sale, SaleLine
from shop.orders import service as orders
from shop.orders.buyer_mail import tell_buyer
from shop.orders.models import Order, PaymentMethod
from shop.payments import states
from shop.payments.models import Payment, PaymentKind, PaymentStatus

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


def sale_for(order: Order, payment: Payment, *, money_account: str | None = None, fee: int | None = None) -> Sale:
    """How the money of this payment is shared, from the order's snapshotted lines and split rules."""
    return Sale(
        key=f"payment:{payment.id}",
        order_id=order.id,
        money_account=money_account or MONEY_ACCOUNT[payment.kind],
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
        fee=(payment.fee or 0) if fee is None else fee,  # a Stripe fee not known yet is booked later, apart
        description=f"Order {order.number}",
    )


def missing_pieces(session: Session, order: Order, now: datetime, *, lock: bool = True) -> list[str]:
    """Titles of the order's pieces it could not take now (locks the products until the transaction ends,
    unless ``lock=False``: only looking)."""
    items = [(line.product_id, line.quantity) for line in order.lines if line.product_id is not None]
    gone = set(unavailable(session, order_id=order.id, items=items, now=now, lock=lock))
    return [line.title_es for line in order.lines if line.product_id is None or line.product_id in gone]


def settle(
    session: Session,
    order: Order,
    payment: Payment,
    *,
    actor: str,
    now: datetime,
    base_url: str,
    fee: int | None = 0,
    method_detail: str = "",
    note: str = "",
    stock_taken: bool = False,
) -> bool:
    """The money is in and the order can take it: the payment succeeds, the order is paid, the split is booked,
    the buyer is told. Callers check ``missing_pieces`` first, or converted the order's holds with
    ``convert_held`` and take the stock themselves (``stock_taken``). ``fee`` None: Stripe's fee is not known
    yet; ``shop.payments.fees`` books it later.

    Returns False when a piece had meanwhile gone to someone else; the order then says so for a person.
    """
    if payment.status is PaymentStatus.succeeded:
        return True
    states.move(payment, PaymentStatus.succeeded)
    payment.fee = fee
    payment.succeeded_at = now
    if method_detail:
        payment.method_detail = method_detail[:40]
    complete = orders.mark_paid(
        session, order, amount=payment.amount, actor=actor, now=now, note=note, stock_taken=stock_taken
    )
    # The payment moved to succeeded under the order's lock just now: its sale cannot exist yet.
    post_sale(session, sale_for(order, payment), new=True)
    tell_buyer(session, order, "payment_received", base_url, key=f"payment_received:{order.id}")
    session.flush()
    return complete


def send_confirmation(session: Session, order: Order, *, base_url: str, bank_transfer_details: str) -> None:
    bank = {"bank_transfer_details": bank_transfer_details} if order.payment_method is PaymentMethod.offline else {}
    tell_buyer(session, order, "order_confirmation", base_url, key=f"order_confirmation:{order.id}", extra=bank)
