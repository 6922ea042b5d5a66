"""Money in and out of an order: money received, confirming transfers, in-person sales, refunds.

Money comes in through ``receive`` (Stripe) or ``confirm_offline_payment`` (the treasurer). If its order can
take it, ``settle`` does three things in the caller's transaction: the payment succeeds, the order becomes
paid (taking its stock), and the money is split in the ledger. Nothing else may mark an order paid. If the
order cannot take it (cancelled meanwhile, a piece gone, an amount that does not match), the money is booked
as received but unallocated (``hold_unallocated``), the buyer is told it arrived and that someone will contact
her, and the treasurer resolves it: ``reinstate`` the order (after substituting a piece, perhaps) or give the
money back (``shop.payments.refunds``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from shop.catalogue.models import ProductKind
from shop.catalogue.stock import convert_held, lock_products, refuse_held, return_stock, take_at_commit, unavailable
from shop.catalogue.stock_changes import record_sale
from shop.errors import N_, Conflict, InvalidState, ValidationFailed
from shop.ledger.receipts import post_receipt, post_return
from shop.ledger.received import order_received
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale
from shop.ledger.schemas import UNALLOCATED, Sale, SaleLine
from shop.mail.outbox import enqueue
from shop.orders import service as orders
from shop.orders.models import Channel, Order, OrderStatus, PaymentMethod
from shop.orders.schemas import OrderItem
from shop.payments import states
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


def _tell_buyer_paid(session: Session, order: Order, base_url: str) -> None:
    if order.email:
        enqueue(
            session,
            kind="payment_received",
            to=order.email,
            language=order.language,
            context=orders.email_context(order, base_url),
            dedupe_key=f"payment_received:{order.id}",
        )


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
    _tell_buyer_paid(session, order, base_url)
    session.flush()
    return complete


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
    if order.email:
        enqueue(
            session,
            kind="payment_on_hold",
            to=order.email,
            language=order.language,
            context=orders.email_context(order, base_url),
            dedupe_key=f"payment_on_hold:{payment.id}",
        )
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
    _tell_buyer_paid(session, order, base_url)
    session.flush()


def unallocated_payment(session: Session, order: Order, *, lock: bool = False) -> Payment | None:
    """The order's payment waiting to be resolved, if any."""
    statement = sa.select(Payment).where(Payment.order_id == order.id, Payment.status == PaymentStatus.unallocated)
    if lock:
        statement = statement.with_for_update()
    return session.scalar(statement.order_by(Payment.id.desc()).limit(1))


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


def _offline_payment(session: Session, order: Order) -> Payment:
    if order.payment_method is not PaymentMethod.offline:
        raise InvalidState(N_("Order %(number)s is not paid by transfer or in person."), number=order.number)
    payment = payment_of(session, order, lock=True)
    if payment is None:
        raise InvalidState(N_("Order %(number)s is not waiting for a payment."), number=order.number)
    return payment


def confirm_offline_payment(
    session: Session, order: Order, *, actor: str, reference: str, now: datetime, base_url: str
) -> Payment:
    """The treasurer saw the transfer (or took the money at the cooperative): the order is paid.

    Refused with PiecesGone, before anything is written, if a piece of the order is no longer available.
    """
    payment = _offline_payment(session, order)
    if payment.status is not PaymentStatus.open or order.status is not OrderStatus.pending_payment:
        raise InvalidState(N_("Order %(number)s is not waiting for a payment."), number=order.number)
    missing = missing_pieces(session, order, now)
    if missing:
        raise PiecesGone(order.number, missing)
    payment.confirmed_by = actor[:120]
    payment.reference = reference.strip()[:200]
    settle(session, order, payment, actor=actor, now=now, base_url=base_url, note=reference.strip()[:200])
    return payment


def record_money_to_resolve(
    session: Session, order: Order, *, actor: str, reference: str, now: datetime, base_url: str
) -> Payment:
    """A transfer arrived for an order that cannot take it (cancelled, or a piece gone): book it to resolve."""
    payment = _offline_payment(session, order)
    if payment.status in states.RECEIVED:
        raise InvalidState(N_("The money for order %(number)s is already recorded."), number=order.number)
    if order.status is OrderStatus.pending_payment:
        missing = missing_pieces(session, order, now)
        if not missing:
            raise InvalidState(
                N_("Every piece of order %(number)s is still there: confirm its payment instead."), number=order.number
            )
        why, reason = ARRIVED_FOR_GONE_PIECE, f"Transfer received, but no longer available: {', '.join(missing)}"
    elif order.status is OrderStatus.cancelled:
        why, reason = ARRIVED_AFTER_CANCEL, "Transfer received after the order was cancelled"
    else:
        raise InvalidState(N_("Order %(number)s is not waiting for a payment."), number=order.number)
    payment.confirmed_by = actor[:120]
    payment.reference = reference.strip()[:200]
    hold_unallocated(session, order, payment, actor=actor, now=now, base_url=base_url, why=why, reason=reason)
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
    Each piece's stock history records the sale with its order. A receipt goes to ``email`` when given, so it
    must be an address.
    """
    if email.strip():
        try:
            validate_email(email.strip(), check_deliverability=False)
        except EmailNotValidError:
            raise ValidationFailed(N_("Check the email address, e.g. ana@example.org."), field="email") from None
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


def _pending_refunds(session: Session, payment_id: int) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
                Refund.payment_id == payment_id, Refund.status == RefundStatus.pending
            )
        )
    )


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
    payment = session.scalar(
        sa.select(Payment)
        .where(Payment.order_id == order.id, Payment.status == PaymentStatus.succeeded)
        .order_by(Payment.id)
        .with_for_update()
    )
    if payment is None:
        raise InvalidState(N_("Order %(number)s has no payment to give back."), number=order.number)
    left = order.amount_paid - order.amount_refunded - _pending_refunds(session, payment.id)
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
    left = payment.amount - payment.amount_refunded - _pending_refunds(session, payment.id)
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
    refund.status = RefundStatus.succeeded
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
