"""Offline orders hold their pieces briefly until someone vouches for them.

An order paid by bank transfer asks for no money up front, so anyone could place thousands and hold every
one-of-a-kind piece. Its pieces are therefore held only as long as a card checkout's (``reservation_minutes``)
until the buyer confirms her e-mail address by the link sent to it, or the cooperative confirms the order;
then they are held for the full ``offline_hold_hours`` from that moment. An order whose short hold ran out
is not brought back: it follows the usual expiry (``shop.jobs``).

The confirmation e-mail is plain text without the buyer's name or address, so a stranger's words never reach
someone else's inbox, and at most one goes to an address per hour (``EMAIL_EVERY``). Confirming an address
confirms every unconfirmed order of that address whose hold is still running, so a buyer with two orders in
one hour needs only the one link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from shop.catalogue.stock import extend_reservations
from shop.errors import N_, InvalidState
from shop.mail.models import OutboxEmail
from shop.mail.outbox import enqueue
from shop.orders import service as orders
from shop.orders.buyer_mail import email_context
from shop.orders.models import Channel, Order, OrderStatus, PaymentMethod
from shop.payments import states
from shop.payments.models import PaymentStatus
from shop.payments.service import payment_of

EMAIL_KIND = "confirm_order"
EMAIL_EVERY = timedelta(hours=1)
# Notes in the order's history; the order page reads them to say whether a link went out for this order.
LINK_SENT = "Link to confirm the e-mail address sent"
LINK_NOT_SENT = "No e-mail sent: a link already went to this address within the hour"
_SALT = "offline-order-email-confirmation"
NOT_WAITING = N_("Order %(number)s is not waiting for its buyer to confirm her e-mail.")
TOO_LATE_FOR_COOPERATIVE = N_(
    "The time to confirm order %(number)s has run out: its pieces may be sold to someone else."
)


class Outcome(StrEnum):
    confirmed = "confirmed"  # the pieces are now held for the full time
    already = "already"  # confirmed before
    too_late = "too_late"  # the short hold ran out first
    closed = "closed"  # the order is no longer waiting for payment (paid, cancelled)


@dataclass(frozen=True)
class Confirmation:
    outcome: Outcome
    held_until: datetime | None = None
    others: int = 0  # further orders of the same address confirmed with it


def needs_confirmation(order: Order) -> bool:
    """An offline order placed online whose pieces are still held only briefly."""
    return (
        order.payment_method is PaymentMethod.offline
        and order.channel is Channel.online
        and order.status is OrderStatus.pending_payment
        and order.confirmed_at is None
    )


def link_key(secret: str, order: Order) -> str:
    """The signed key of an order's confirmation link; good for this purpose and this order only."""
    return URLSafeSerializer(secret, salt=_SALT).dumps([order.id, order.token[:16]])


def key_matches(secret: str, order: Order, key: str) -> bool:
    try:
        order_id, token_start = URLSafeSerializer(secret, salt=_SALT).loads(key[:200])
    except (BadSignature, ValueError, TypeError):
        return False
    return order_id == order.id and token_start == order.token[:16]


def _email_sent_lately(session: Session, address: str, now: datetime) -> bool:
    return (
        session.scalar(
            sa.select(OutboxEmail.id)
            .where(
                OutboxEmail.kind == EMAIL_KIND,
                sa.func.lower(OutboxEmail.to) == address.lower(),
                OutboxEmail.created_at > now - EMAIL_EVERY,
            )
            .limit(1)
        )
        is not None
    )


def ask_to_confirm(
    session: Session,
    order: Order,
    *,
    secret: str,
    base_url: str,
    bank_transfer_details: str,
    minutes: int,
    hold_hours: int,
    now: datetime,
) -> bool:
    """E-mail the buyer the link that confirms her address, unless one went to that address within the hour.

    Returns whether an e-mail was written (in the caller's transaction). The message carries no name,
    address or other text the buyer typed: only the order's number, pieces and amounts, and the links.
    """
    address = order.email.strip()
    sent = False
    if address and not _email_sent_lately(session, address, now):
        context = email_context(order, base_url)
        context["order"].update(name="", shipping_address=[])
        context |= {
            "bank_transfer_details": bank_transfer_details,
            "confirm_url": f"{base_url}/{order.language}/orders/{order.token}/confirm/{link_key(secret, order)}",
            "confirm_minutes": minutes,
            "hold_hours": hold_hours,
        }
        # The hour in the key stops two orders placed at the same moment from both sending one.
        row = enqueue(
            session,
            kind=EMAIL_KIND,
            to=address,
            language=order.language,
            context=context,
            dedupe_key=f"{EMAIL_KIND}:{address.lower()[:150]}:{now:%Y%m%d%H}",
        )
        sent = row is not None
    orders.note_event(session, order, actor="system", note=LINK_SENT if sent else LINK_NOT_SENT, now=now)
    return sent


def link_was_sent(order: Order) -> bool:
    """Whether this order's own link went out (``order.events`` loaded)."""
    return any(event.note == LINK_SENT for event in order.events)


def _give_full_hold(session: Session, order: Order, *, hold_hours: int, actor: str, how: str, now: datetime):
    until = now + timedelta(hours=hold_hours)
    order.confirmed_at = now
    order.reserved_until = until
    order.updated_at = now
    extend_reservations(session, order.id, until, unexpired_at=now)
    payment = payment_of(session, order)
    if payment is not None:
        payment.expires_at = until
    orders.note_event(session, order, actor=actor, note=f"{how}; pieces held until {until:%Y-%m-%d %H:%M} UTC", now=now)
    return until


def _running(order: Order, now: datetime) -> bool:
    return order.reserved_until is not None and order.reserved_until > now


def confirm_by_link(session: Session, order: Order, *, hold_hours: int, now: datetime) -> Confirmation:
    """The buyer opened her link (the key checked by the caller): hold her pieces the full time.

    Her address is proven, so her other orders waiting for the same confirmation are confirmed too, if their
    holds still run. The orders' rows are locked in id order, so two links opened at once cannot deadlock.
    """
    ids = sorted({order.id, *_unconfirmed_ids(session, email=order.email, now=now)})
    locked = {order_id: orders.lock_order(session, order_id) for order_id in ids}
    order = locked[order.id]
    if order.status is not OrderStatus.pending_payment:
        return Confirmation(Outcome.closed)
    how = "E-mail address confirmed by link"
    others = 0
    for sibling in locked.values():
        if sibling.id != order.id and needs_confirmation(sibling) and _running(sibling, now):
            _give_full_hold(session, sibling, hold_hours=hold_hours, actor="buyer", how=how, now=now)
            others += 1
    if order.confirmed_at is not None:
        return Confirmation(Outcome.already, order.reserved_until, others)
    if not _running(order, now):
        return Confirmation(Outcome.too_late, None, others)
    until = _give_full_hold(session, order, hold_hours=hold_hours, actor="buyer", how=how, now=now)
    return Confirmation(Outcome.confirmed, until, others)


def _check_unconfirmed(order: Order) -> None:
    if not needs_confirmation(order):
        raise InvalidState(NOT_WAITING, number=order.number)


def confirm_by_cooperative(session: Session, order: Order, *, hold_hours: int, actor: str, now: datetime) -> datetime:
    """The treasurer vouches for the order (its row locked): its pieces are kept the full time; until when.

    Refused (InvalidState) if the order is not waiting for a confirmation, or its short hold already ran out.
    """
    _check_unconfirmed(order)
    if not _running(order, now):
        raise InvalidState(TOO_LATE_FOR_COOPERATIVE, number=order.number)
    return _give_full_hold(
        session, order, hold_hours=hold_hours, actor=actor, how="Confirmed by the cooperative", now=now
    )


def _unconfirmed_ids(session: Session, *, email: str | None = None, now: datetime | None = None) -> list[int]:
    statement = sa.select(Order.id).where(
        Order.status == OrderStatus.pending_payment,
        Order.payment_method == PaymentMethod.offline,
        Order.channel == Channel.online,
        Order.confirmed_at.is_(None),
    )
    if email is not None:
        statement = statement.where(sa.func.lower(Order.email) == email.strip().lower())
    if now is not None:
        statement = statement.where(Order.reserved_until > now)
    return list(session.scalars(statement.order_by(Order.id)).all())


def unconfirmed_orders(session: Session) -> list[int]:
    """Ids of offline orders waiting for their buyer to confirm her address, oldest first."""
    return _unconfirmed_ids(session)


def release_unconfirmed(session: Session, order_ids: list[int], *, actor: str, now: datetime) -> list[str]:
    """Cancel these orders if they are still unconfirmed, so their pieces are for sale at once; their numbers."""
    released = []
    for order_id in order_ids:
        order = orders.lock_order(session, order_id)
        if needs_confirmation(order):
            release(session, order, actor=actor, now=now)
            released.append(order.number)
    return released


def release(session: Session, order: Order, *, actor: str, now: datetime) -> None:
    """Cancel one unconfirmed order (its row locked): its pieces are for sale again at once."""
    _check_unconfirmed(order)
    payment = payment_of(session, order, lock=True)
    if payment is not None and payment.status is PaymentStatus.open:
        states.move(payment, PaymentStatus.cancelled)
    orders.cancel(
        session, order, actor=actor, note="E-mail address not confirmed: pieces released by the cooperative", now=now
    )
