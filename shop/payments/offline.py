"""Money the treasurer takes by hand: transfers she confirms (or books to resolve), and sales in person."""

from __future__ import annotations

from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from shop.catalogue.models import ProductKind
from shop.catalogue.stock import lock_products, refuse_held
from shop.catalogue.stock_changes import record_sale
from shop.errors import N_, InvalidState, ValidationFailed
from shop.orders.models import Channel, Order, OrderStatus, PaymentMethod
from shop.orders.placing import place_order
from shop.orders.schemas import OrderItem
from shop.payments import states
from shop.payments.models import Payment, PaymentStatus
from shop.payments.receiving import ARRIVED_AFTER_CANCEL, ARRIVED_FOR_GONE_PIECE, PiecesGone, hold_unallocated
from shop.payments.service import missing_pieces, open_payment, payment_of, settle


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
    channel: Channel = Channel.in_person,
) -> Order:
    """A sale at the cooperative's shop or a market (or, ``Channel.wholesale``, to a shop or reseller): the same
    order and ledger path, paid on the spot.

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
    order = place_order(
        session,
        items=items,
        buyer=None,
        language="es",
        method=PaymentMethod.cash,
        channel=channel,
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
