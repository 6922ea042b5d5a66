"""Money that arrives for an order: a sale when the order can take it, else held unallocated for the treasurer.

If the order cannot take it (cancelled meanwhile, a piece gone, an amount that does not match), the money is
booked as received but unallocated (``hold_unallocated``), the buyer is told it arrived and that someone will
contact her, and the treasurer resolves it: ``reinstate`` the order (after substituting a piece, perhaps) or
give the money back (``shop.payments.refunds``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.stock_sales import convert_held, take_at_commit
from shop.errors import N_, InvalidState
from shop.ledger.receipts import post_receipt
from shop.ledger.sales import post_sale
from shop.ledger.schemas import UNALLOCATED
from shop.orders import service as orders
from shop.orders.buyer_mail import tell_buyer
from shop.orders.models import Order, OrderStatus
from shop.payments import states
from shop.payments.models import Payment, PaymentStatus
from shop.payments.service import MONEY_ACCOUNT, missing_pieces, sale_for, settle

# Why a payment waits to be resolved, as the workspace shows it (translated there); details go in the order's log.
ARRIVED_AFTER_CANCEL = N_(
    "The money arrived after the order was cancelled. Payment to resolve: send the order if its pieces are "
    "still here, or give the money back."
)
ARRIVED_FOR_GONE_PIECE = N_(
    "The money arrived, but a piece is no longer available. Payment to resolve: put in another piece the buyer "
    "agrees to, or give the money back."
)
ARRIVED_WRONG_AMOUNT = N_("The money that arrived is not the amount asked. Payment to resolve: give the money back.")


class PiecesGone(InvalidState):
    """The money is there, but a piece of the order is no longer: it cannot simply be confirmed."""

    code = "pieces_gone"

    def __init__(self, number: str, titles: list[str]):
        super().__init__(
            N_(
                "Order %(number)s cannot be confirmed as it is: %(titles)s is no longer available. If the money "
                "arrived, record it as a payment to resolve, then give it back or offer another piece agreed "
                "with the buyer. If it did not arrive, cancel the order."
            ),
            number=number,
            titles=", ".join(f"“{title}”" for title in titles),
        )
        self.titles = titles


def receive(
    session: Session,
    order: Order,
    payment: Payment,
    *,
    actor: str,
    now: datetime,
    base_url: str,
    amount: int | None = None,
    fee: int | None = 0,
    method_detail: str = "",
) -> str:
    """Money came in for ``payment`` (the order's row locked by the caller). Returns what was done.

    A sale if the order is still waiting for it, every piece can be taken and the amount is the one asked;
    otherwise the money is held unallocated for the treasurer to resolve. Receiving twice changes nothing.
    """
    if payment.status in states.RECEIVED:
        return "already received"
    received = payment.amount if amount is None else amount
    if order.status is not OrderStatus.pending_payment:
        why, reason = ARRIVED_AFTER_CANCEL, "Payment received after the order was cancelled"
    elif received != payment.amount:
        why, reason = ARRIVED_WRONG_AMOUNT, f"Received {received} centavos where {payment.amount} were asked"
    elif convert_held(session, order_id=order.id, items=orders.stock_items(order), now=now):
        # The usual case: every piece is under the order's own unexpired hold.
        settle(
            session,
            order,
            payment,
            actor=actor,
            now=now,
            base_url=base_url,
            fee=fee,
            method_detail=method_detail,
            stock_taken=True,
        )
        take_at_commit(session, items=orders.stock_items(order))  # the products are locked for the commit alone
        return "paid"
    elif missing := missing_pieces(session, order, now):
        why, reason = ARRIVED_FOR_GONE_PIECE, f"Payment received, but no longer available: {', '.join(missing)}"
    else:
        settle(session, order, payment, actor=actor, now=now, base_url=base_url, fee=fee, method_detail=method_detail)
        return "paid"
    hold_unallocated(
        session,
        order,
        payment,
        actor=actor,
        now=now,
        base_url=base_url,
        why=why,
        reason=reason,
        amount=received,
        fee=fee,
    )
    if method_detail:
        payment.method_detail = method_detail[:40]
    return "to resolve"


def hold_unallocated(
    session: Session,
    order: Order,
    payment: Payment,
    *,
    actor: str,
    now: datetime,
    base_url: str,
    why: str,
    reason: str,
    amount: int | None = None,
    fee: int | None = 0,
) -> None:
    """Book money its order cannot take: received into the ledger, owed to nobody yet, to be resolved.

    An order still waiting is cancelled (its pieces, or what is left of them, go back on sale); the buyer is
    told her money arrived and that the cooperative will contact her. ``why`` is one of the ARRIVED_*
    messages (shown translated); ``reason`` the details, for the order's log.
    """
    states.move(payment, PaymentStatus.unallocated)
    payment.amount = payment.amount if amount is None else amount
    payment.fee = fee
    payment.succeeded_at = now
    post_receipt(
        session,
        key=f"payment:{payment.id}:received",
        order_id=order.id,
        money_account=MONEY_ACCOUNT[payment.kind],
        amount=payment.amount,
        fee=fee or 0,
        description=f"Order {order.number}: payment to resolve",
    )
    if order.status is OrderStatus.pending_payment:
        orders.cancel(session, order, actor=actor, note=reason[:1000], now=now)
    else:
        orders.note_event(session, order, actor=actor, note=reason, now=now)
    order.attention = why
    tell_buyer(session, order, "payment_on_hold", base_url, key=f"payment_on_hold:{payment.id}")
    session.flush()


def reinstate(session: Session, order: Order, payment: Payment, *, actor: str, now: datetime, base_url: str) -> None:
    """A payment to resolve becomes the order's sale after all: its pieces (or their agreed substitutes) are
    free, so the order is paid, its stock taken and the money split, with the fee already booked."""
    if payment.order_id != order.id or payment.status is not PaymentStatus.unallocated:
        raise InvalidState(N_("This payment is not waiting to be resolved."))
    if payment.amount_refunded or payment.amount != order.amount_due_now:
        raise InvalidState(
            N_(
                "Part of this payment was given back or it does not match the order, "
                "so the order cannot be paid with it."
            )
        )
    if order.status is not OrderStatus.cancelled:
        raise InvalidState(
            N_("Order %(number)s is not cancelled, so there is nothing to reinstate."), number=order.number
        )
    missing = missing_pieces(session, order, now)
    if missing:
        raise PiecesGone(order.number, missing)
    states.move(payment, PaymentStatus.succeeded)
    orders.mark_paid(
        session, order, amount=payment.amount, actor=actor, now=now, note="Reinstated with the payment to resolve"
    )
    post_sale(session, sale_for(order, payment, money_account=UNALLOCATED, fee=0))
    order.attention = ""
    tell_buyer(session, order, "payment_received", base_url, key=f"payment_received:{order.id}")
    session.flush()


def unallocated_payment(session: Session, order: Order, *, lock: bool = False) -> Payment | None:
    """The order's payment waiting to be resolved, if any."""
    statement = sa.select(Payment).where(Payment.order_id == order.id, Payment.status == PaymentStatus.unallocated)
    if lock:
        statement = statement.with_for_update()
    return session.scalar(statement.order_by(Payment.id.desc()).limit(1))
