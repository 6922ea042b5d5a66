"""Checkout across three short transactions, so no database lock is held while Stripe is called.

1. Place the order, hold its stock and open a payment; commit.
2. Ask Stripe for a Checkout Session (outside any transaction; idempotent on the payment's id).
3. Record the session, and align the hold with the session's expiry; commit.
If Stripe fails at step 2, the order is cancelled and its stock released at once. If this process dies
between steps, the hold runs out and ``shop jobs run`` cancels the order: nothing is left stuck.
Used by the store's pages and by the JSON API alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from shop.catalogue.stock import extend_reservations
from shop.clock import utcnow
from shop.config import Settings
from shop.db import session_scope
from shop.i18n import translator
from shop.orders import service as orders
from shop.orders.models import Order, OrderStatus, PaymentMethod
from shop.orders.placing import place_order
from shop.orders.placing_limits import check_placing
from shop.orders.schemas import BuyerDetails, OrderItem
from shop.payments import states
from shop.payments.gateway import CheckoutLine, PaymentProviderUnavailable, PaymentRefused, StripeGateway
from shop.payments.methods import check_method, stripe_method_types, transfer_details_for
from shop.payments.models import Payment, PaymentStatus
from shop.payments.offline_holds import ask_to_confirm
from shop.payments.service import open_payment, payment_of
from shop.payments.webhooks import GRACE
from shop.throttle import Throttle

log = logging.getLogger(__name__)
# Stripe wants a session to live at least 30 minutes; ask for a little more so the clock never bites.
SESSION_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class CheckoutResult:
    order_id: int
    token: str
    number: str
    method: PaymentMethod
    payment_url: str | None


def _stripe_lines(order: Order) -> list[CheckoutLine]:
    lines = []
    for line in order.lines:
        title = line.title_en if order.language == "en" else line.title_es
        if line.amount_due_now != line.line_total:
            percent = (line.deposit_bp or 0) // 100
            label = "deposit" if order.language == "en" else "anticipo"
            title = f"{title} ({label} {percent}%)"
        lines.append(CheckoutLine(title, line.amount_due_now // line.quantity, line.quantity))
    if order.shipping_amount:
        lines.append(CheckoutLine("Shipping" if order.language == "en" else "Envío", order.shipping_amount, 1))
    return lines


def place(
    engine,
    settings: Settings,
    gateway: StripeGateway | None,
    *,
    items: list[OrderItem],
    buyer: BuyerDetails,
    language: str,
    method: PaymentMethod,
    throttle: Throttle | None = None,
    client: str = "",
) -> CheckoutResult:
    """Place an order and start its payment. Raises the domain's errors (bad details, just sold, Stripe down,
    too many orders from this client address or e-mail address when a ``throttle`` is given).

    An offline order holds its pieces for ``reservation_minutes`` only, like a card checkout, until its buyer
    confirms her e-mail address (``shop.payments.offline_holds``).
    """
    if method is PaymentMethod.stripe and gateway is None:
        method = PaymentMethod.offline
    with session_scope(engine, writes=False) as session:  # a way of paying that fits the country, or nothing
        check_method(session, buyer.country, method, stripe=gateway is not None)
    if throttle is not None:
        check_placing(throttle, method, client=client, email=buyer.email)
    now = utcnow()
    if method is PaymentMethod.stripe:
        hold_until = now + timedelta(minutes=settings.reservation_minutes) + SESSION_MARGIN + GRACE
    else:
        hold_until = now + timedelta(minutes=settings.reservation_minutes)
    with session_scope(engine) as session:
        order = place_order(
            session,
            items=items,
            buyer=buyer,
            language=language,
            method=method,
            now=now,
            hold_until=hold_until,
            actor="buyer",
            default_weight_g=settings.default_item_weight_g,
        )
        payment = open_payment(session, order, now=now)
        if method is PaymentMethod.offline:
            ask_to_confirm(
                session,
                order,
                secret=settings.resolved_secret_key(),
                base_url=settings.base_url,
                bank_transfer_details=transfer_details_for(
                    session,
                    order.country,
                    national=settings.bank_transfer_details,
                    gettext=translator(language).gettext,
                ),
                minutes=settings.reservation_minutes,
                hold_hours=settings.offline_hold_hours,
                now=now,
            )
        result = CheckoutResult(order.id, order.token, order.number, method, None)
        lines = _stripe_lines(order) if method is PaymentMethod.stripe else []
        payment_id, email, country = payment.id, order.email, order.country
    if method is not PaymentMethod.stripe:
        return result

    base = f"{settings.base_url}/{language}"
    try:
        created = gateway.create_checkout_session(
            # Unique across databases too (a restored backup reuses ids; Stripe remembers keys for a day).
            idempotency_key=f"checkout-{result.token[:12]}-{payment_id}",
            order_id=result.order_id,
            order_number=result.number,
            email=email,
            lines=lines,
            currency="MXN",
            success_url=f"{base}/checkout/return/{result.token}?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=f"{base}/checkout/cancel/{result.token}",
            expires_at=utcnow() + timedelta(minutes=settings.reservation_minutes) + SESSION_MARGIN,
            language=language,
            method_types=stripe_method_types(country),
        )
    except (PaymentProviderUnavailable, PaymentRefused):
        with session_scope(engine) as session:
            order = orders.lock_order(session, result.order_id)
            payment = session.get(Payment, payment_id)
            states.move(payment, PaymentStatus.failed)
            orders.cancel(session, order, actor="system", note="Stripe did not answer at checkout", now=utcnow())
        raise
    with session_scope(engine) as session:
        order = orders.lock_order(session, result.order_id)
        payment = session.get(Payment, payment_id)
        payment.stripe_session_id = created.id
        payment.checkout_url = created.url[:2000]
        payment.expires_at = created.expires_at
        order.reserved_until = created.expires_at + GRACE
        extend_reservations(session, order.id, order.reserved_until)
    return CheckoutResult(result.order_id, result.token, result.number, method, created.url)


def abandon(engine, gateway: StripeGateway | None, token: str) -> bool:
    """The buyer came back from Stripe without paying: close the session, cancel, release the stock.

    The session is expired at Stripe first, so the buyer cannot pay an order that is being cancelled. If
    Stripe does not answer, the order is left to expire on its own (the webhook or the job cancels it).
    """
    with session_scope(engine, writes=False) as session:
        order = orders.order_by_token(session, token)
        payment = payment_of(session, order)
        if (
            order.status is not OrderStatus.pending_payment
            or payment is None
            or payment.status is not PaymentStatus.open
        ):
            return False
        session_id, payment_id, order_id = payment.stripe_session_id, payment.id, order.id
    if session_id and gateway is not None:
        try:
            gateway.expire_session(session_id, idempotency_key=f"expire-{token[:12]}-{payment_id}")
        except (PaymentProviderUnavailable, PaymentRefused):
            log.warning("could not expire checkout session %s; it will expire on its own", session_id)
            return False
    with session_scope(engine) as session:
        order = orders.lock_order(session, order_id)
        payment = session.get(Payment, payment_id, populate_existing=True)
        if order.status is not OrderStatus.pending_payment or payment.status is not PaymentStatus.open:
            return False
        states.move(payment, PaymentStatus.cancelled)
        orders.cancel(session, order, actor="buyer", note="Left the payment page without paying", now=utcnow())
    return True
