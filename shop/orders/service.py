"""Orders: placing them with a snapshot of everything sold, and moving them through their states.

Every state change goes through ``transition``, which refuses illegal moves with a clear error and records
who made it, when and why. Stock is held, taken and returned only through the catalogue's stock service.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.catalogue import stock, stock_sales
from shop.catalogue.availability import deposit_amount
from shop.catalogue.models import PUBLIC_STATUSES, Product, ProductKind, ProductStatus, ProductWeaver
from shop.errors import N_, InvalidState, NotFound, ValidationFailed
from shop.mail.outbox import enqueue
from shop.orders import shipping
from shop.orders.models import (
    Channel,
    Order,
    OrderEvent,
    OrderLine,
    OrderLineWeaver,
    OrderStatus,
    PaymentMethod,
)
from shop.orders.schemas import BuyerDetails, OrderItem, countries
from shop.split_rules.service import split_rule_for

S = OrderStatus
ALLOWED = {
    S.pending_payment: {S.paid, S.cancelled},
    S.paid: {S.packed, S.refunded, S.partially_refunded},
    S.packed: {S.shipped, S.refunded, S.partially_refunded},
    S.shipped: {S.delivered, S.refunded, S.partially_refunded},
    S.delivered: {S.refunded, S.partially_refunded},
    # What was not refunded still travels on to the buyer.
    S.partially_refunded: {S.partially_refunded, S.refunded, S.packed, S.shipped, S.delivered},
    # Only when money arrived for a cancelled order and the treasurer reinstates it (payments.reinstate).
    S.cancelled: {S.paid},
    S.refunded: set(),
}
# Shown (translated) to the treasurer on an order that was paid although a piece had gone to someone else.
SOLD_MEANWHILE = N_(
    "Paid, but a piece had been sold to someone else meanwhile. Give money back or offer another piece."
)
PAID_STATES = {S.paid, S.packed, S.shipped, S.delivered, S.partially_refunded}
STATUS_NAMES = {
    S.pending_payment: N_("waiting for payment"),
    S.paid: N_("paid"),
    S.packed: N_("packed"),
    S.shipped: N_("shipped"),
    S.delivered: N_("delivered"),
    S.cancelled: N_("cancelled"),
    S.refunded: N_("refunded"),
    S.partially_refunded: N_("partly refunded"),
}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _loaded(statement):
    return statement.options(
        selectinload(Order.lines).selectinload(OrderLine.weavers),
        selectinload(Order.events),
    )


def could_be(identifier: str, longest: int) -> bool:
    """Whether an identifier from a URL could name a row: PostgreSQL refuses NUL bytes outright."""
    return len(identifier) <= longest and "\x00" not in identifier


def order_by_token(session: Session, token: str) -> Order:
    found = len(token) >= 20 and could_be(token, 64)
    order = session.scalar(_loaded(sa.select(Order).where(Order.token == token))) if found else None
    if order is None:
        raise NotFound(N_("We could not find that order. Check the link in your email."))
    return order


def order_by_number(session: Session, number: str, *, lock: bool = False) -> Order:
    if not could_be(number, 20):
        raise NotFound(N_("There is no order %(number)s."), number=number)
    statement = _loaded(sa.select(Order).where(Order.number == number))
    if lock:
        statement = statement.with_for_update()
    order = session.scalar(statement)
    if order is None:
        raise NotFound(N_("There is no order %(number)s."), number=number)
    return order


def lock_order(session: Session, order_id: int) -> Order:
    """The order, its row locked until commit on PostgreSQL, so concurrent payments and webhooks queue."""
    order = session.scalar(
        _loaded(sa.select(Order).where(Order.id == order_id))
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(N_("There is no order %(number)s."), number=str(order_id))
    return order


def transition(session: Session, order: Order, to: OrderStatus, *, actor: str, note: str = "", now: datetime) -> None:
    if to not in ALLOWED[order.status]:
        raise InvalidState(
            N_("Order %(number)s is %(current)s, so it cannot become %(wanted)s."),
            number=order.number,
            current=STATUS_NAMES[order.status],
            wanted=STATUS_NAMES[to],
        )
    session.add(
        OrderEvent(
            order_id=order.id,
            from_status=order.status.value,
            to_status=to.value,
            actor=actor,
            note=note,
            created_at=now,
        )
    )
    order.status = to
    order.updated_at = now
    session.flush()


def note_event(session: Session, order: Order, *, actor: str, note: str, now: datetime) -> None:
    """Something worth knowing that does not change the state (an OXXO voucher was issued, say)."""
    session.add(
        OrderEvent(
            order_id=order.id,
            from_status=order.status.value,
            to_status=order.status.value,
            actor=actor,
            note=note[:1000],
            created_at=now,
        )
    )
    session.flush()


@dataclass(frozen=True)
class Placement:
    order: Order
    hold_until: datetime


def place_order(
    session: Session,
    *,
    items: list[OrderItem],
    buyer: BuyerDetails | None,
    language: str,
    method: PaymentMethod,
    now: datetime,
    hold_until: datetime,
    actor: str,
    channel: Channel = Channel.online,
    default_weight_g: int = 500,
) -> Order:
    """Create an order waiting for payment, with lines that freeze what is being sold, and hold its stock.

    Raises ValidationFailed (bad details, empty order) or JustSold (a piece went meanwhile); nothing is
    written in either case, as long as the caller rolls back its transaction.
    """
    if not items:
        raise ValidationFailed(N_("Your cart is empty."))
    if buyer is not None:
        problems = buyer.problems()
        if problems:
            raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
        buyer = buyer.normalized()
    quantities: dict[int, int] = {}
    for item in items:
        quantities[item.product_id] = quantities.get(item.product_id, 0) + item.quantity
    # Take the products' locks first: other checkouts for them wait here, before writing anything.
    stock.lock_products(session, list(quantities))
    products = {
        p.id: p
        for p in session.scalars(
            sa.select(Product)
            .where(Product.id.in_(list(quantities)))
            .options(selectinload(Product.attributions).selectinload(ProductWeaver.weaver))
        ).all()
    }
    gone = [str(pid) for pid in quantities if pid not in products or products[pid].status not in PUBLIC_STATUSES]
    if gone:
        raise NotFound(N_("We could not find that piece. It may have been removed."))
    for product_id, quantity in quantities.items():
        product = products[product_id]
        if product.kind is ProductKind.unique and quantity > 1:
            raise ValidationFailed(N_("This piece is one of a kind: it is already in your cart."), field="quantity")
        if product.status is ProductStatus.sold_out:
            raise stock.JustSold([product.title_es])

    token = new_token()
    order = Order(
        token=token,
        number=f"tmp-{token[:16]}",
        status=OrderStatus.pending_payment,
        channel=channel,
        payment_method=method,
        language=language if language in ("es", "en") else "es",
        created_at=now,
        updated_at=now,
        reserved_until=hold_until,
        **(buyer.model_dump() if buyer is not None else {}),
    )
    session.add(order)
    session.flush()
    order.number = f"JJ-{order.id:06d}"

    lines = []
    for product_id, quantity in quantities.items():
        product = products[product_id]
        weavers_bp, rule = split_rule_for(session, product)
        deposit = deposit_amount(product)
        line_total = product.price_amount * quantity
        line = OrderLine(
            order_id=order.id,
            product_id=product.id,
            product_slug=product.slug,
            title_es=product.title_es,
            title_en=product.title_en,
            kind=product.kind.value,
            unit_price=product.price_amount,
            quantity=quantity,
            line_total=line_total,
            deposit_bp=product.deposit_bp if product.kind is ProductKind.made_to_order else None,
            lead_time_days=product.lead_time_days if product.kind is ProductKind.made_to_order else None,
            amount_due_now=deposit * quantity if deposit is not None else line_total,
            weight_g=(product.weight_g or default_weight_g) * quantity,
            weavers_bp=weavers_bp,
            split_rule=rule,
        )
        session.add(line)
        session.flush()
        _snapshot_weavers(session, line, product)
        lines.append(line)

    order.subtotal = sum(line.line_total for line in lines)
    if channel is Channel.online:
        quote = shipping.quote(session, order.country, sum(line.weight_g for line in lines))
        order.shipping_amount = quote.amount
        order.shipping_zone = quote.zone
    order.total = order.subtotal + order.shipping_amount
    order.amount_due_now = sum(line.amount_due_now for line in lines) + order.shipping_amount
    session.add(OrderEvent(order_id=order.id, to_status=OrderStatus.pending_payment.value, actor=actor, created_at=now))
    session.flush()
    stock.reserve_stock(
        session,
        order_id=order.id,
        order_number=order.number,
        buyer=order.name,
        items=list(quantities.items()),
        expires_at=hold_until,
        now=now,
    )
    return session.scalar(
        _loaded(sa.select(Order).where(Order.id == order.id)).execution_options(populate_existing=True)
    )


def _snapshot_weavers(session: Session, line: OrderLine, product: Product) -> None:
    """Freeze who wove the line's piece and her share (``product.attributions`` loaded with their weavers)."""
    for attribution in product.attributions:
        session.add(
            OrderLineWeaver(
                order_line_id=line.id,
                weaver_id=attribution.weaver_id,
                weaver_name=attribution.weaver.name,
                share_bp=attribution.share_bp,
            )
        )


def stock_items(order: Order) -> list[tuple[int, int]]:
    """(product id, quantity) of the order's pieces that keep stock (made-to-order ones do not)."""
    return [
        (line.product_id, line.quantity)
        for line in order.lines
        if line.product_id is not None and line.kind != ProductKind.made_to_order.value
    ]


def mark_paid(
    session: Session, order: Order, *, amount: int, actor: str, now: datetime, note: str = "", stock_taken=False
) -> bool:
    """Record the money and take the stock (unless the caller takes it: ``stock_sales.convert_held``).

    Returns False if a piece was gone by then (a person must act).
    """
    order.amount_paid += amount
    order.paid_at = now
    transition(session, order, OrderStatus.paid, actor=actor, note=note, now=now)
    if stock_taken:
        return True
    taken = stock_sales.take_stock(
        session, order_id=order.id, items=[(line.product_id, line.quantity) for line in order.lines], now=now
    )
    missing = [line.title_es for line, result in zip(order.lines, taken, strict=True) if not result.ok]
    if missing:
        order.attention = SOLD_MEANWHILE
        note_event(session, order, actor="system", note=f"Paid, but sold meanwhile: {', '.join(missing)}", now=now)
    session.flush()
    return not missing


def substitute_line(
    session: Session, order: Order, line_id: int, product_id: int, *, actor: str, now: datetime
) -> OrderLine:
    """Put another piece, agreed with the buyer, in place of a line's piece that is gone; before it is paid.

    The line keeps what the buyer paid for it (price, deposit, shipping weight); it takes the new piece's
    title, weavers and split rule, since they are who will be paid. The new piece must be free now.
    """
    if order.status not in (S.pending_payment, S.cancelled):
        raise InvalidState(
            N_("Order %(number)s is already paid; its pieces can no longer be changed."), number=order.number
        )
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise ValidationFailed(N_("That line is not part of this order."), field="line")
    locked = stock.lock_products(session, [product_id])
    product = session.scalar(
        sa.select(Product)
        .where(Product.id == product_id)
        .options(selectinload(Product.attributions).selectinload(ProductWeaver.weaver))
    )
    if product is None or product_id not in locked or product.status is not ProductStatus.active:
        raise ValidationFailed(N_("Choose a piece that is for sale."), field="product")
    if product.id == line.product_id:
        raise ValidationFailed(N_("Choose another piece than the one that is gone."), field="product")
    if product.kind is ProductKind.made_to_order:
        raise ValidationFailed(N_("A made-to-order piece cannot stand in for a piece that is gone."), field="product")
    free = product.stock_on_hand - stock.held_quantities(session, [product.id], now).get(product.id, 0)
    if free < line.quantity:
        raise ValidationFailed(N_("That piece is not free now: it is sold or held for another order."), field="product")
    weavers_bp, rule = split_rule_for(session, product)
    before = line.title_es
    line.product_id, line.product_slug, line.kind = product.id, product.slug, product.kind.value
    line.title_es, line.title_en = product.title_es, product.title_en
    line.weavers_bp, line.split_rule = weavers_bp, rule
    for old in session.scalars(sa.select(OrderLineWeaver).where(OrderLineWeaver.order_line_id == line.id)).all():
        session.delete(old)
    session.flush()
    _snapshot_weavers(session, line, product)
    note_event(
        session, order, actor=actor, note=f"“{before}” replaced by “{product.title_es}”, agreed with the buyer", now=now
    )
    session.flush()
    session.expire(line, ["weavers"])
    return line


def cancel(session: Session, order: Order, *, actor: str, note: str, now: datetime) -> None:
    transition(session, order, OrderStatus.cancelled, actor=actor, note=note, now=now)
    stock.release_reservations(session, order.id, now)


def mark_packed(session: Session, order: Order, *, actor: str, now: datetime) -> None:
    transition(session, order, OrderStatus.packed, actor=actor, now=now)


def mark_shipped(
    session: Session, order: Order, *, carrier: str, tracking_number: str, actor: str, now: datetime, base_url: str
) -> None:
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    problems = []
    if not carrier:
        problems.append(ValidationFailed(N_("Write the name of the courier."), field="carrier"))
    if not tracking_number:
        problems.append(ValidationFailed(N_("Write the tracking number."), field="tracking_number"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    transition(session, order, OrderStatus.shipped, actor=actor, note=f"{carrier} {tracking_number}", now=now)
    order.carrier, order.tracking_number = carrier[:80], tracking_number[:80]
    shipment = {"carrier": order.carrier, "tracking_number": order.tracking_number, "tracking_url": ""}
    tell_buyer(session, order, "order_shipped", base_url, key=f"order_shipped:{order.id}", extra=shipment)


def mark_delivered(session: Session, order: Order, *, actor: str, now: datetime) -> None:
    transition(session, order, OrderStatus.delivered, actor=actor, now=now)


def record_refund(session: Session, order: Order, amount: int, *, actor: str, note: str, now: datetime) -> None:
    if amount <= 0 or order.amount_refunded + amount > order.amount_paid:
        raise ValidationFailed(
            N_("You can refund at most %(amount)s on this order."),
            field="amount",
            amount=str(order.amount_paid - order.amount_refunded),
        )
    order.amount_refunded += amount
    whole = order.amount_refunded == order.amount_paid
    transition(
        session,
        order,
        OrderStatus.refunded if whole else OrderStatus.partially_refunded,
        actor=actor,
        note=note,
        now=now,
    )


def unpaid_past_hold(session: Session, now: datetime, grace: timedelta) -> list[int]:
    """Orders still waiting for payment whose hold ran out more than ``grace`` ago."""
    return list(
        session.scalars(
            sa.select(Order.id).where(Order.status == OrderStatus.pending_payment, Order.reserved_until < now - grace)
        ).all()
    )


def tell_buyer(
    session: Session, order: Order, kind: str, base_url: str, *, key: str, extra: dict | None = None
) -> None:
    """Queue the order e-mail ``kind`` to its buyer, once per ``key``; an order taken without an address (a sale
    at the counter) tells nobody."""
    if order.email:
        enqueue(
            session,
            kind=kind,
            to=order.email,
            language=order.language,
            context=email_context(order, base_url) | (extra or {}),
            dedupe_key=key,
        )


def email_context(order: Order, base_url: str) -> dict:
    """What the order e-mails show, in plain JSON (amounts in centavos); see templates/email/."""
    country_name = dict(countries(order.language)).get(order.country, order.country)
    buyer = BuyerDetails.model_construct(
        name=order.name,
        address_line1=order.address_line1,
        address_line2=order.address_line2,
        city=order.city,
        region=order.region,
        postal_code=order.postal_code,
    )
    return {
        "order": {
            "number": order.number,
            "status_url": f"{base_url}/{order.language}/orders/{order.token}",
            "name": order.name,
            "currency": order.currency,
            "subtotal": order.subtotal,
            "shipping_amount": order.shipping_amount,
            "total": order.total,
            "amount_due_now": order.amount_due_now,
            "payment_method": order.payment_method.value,
            "lines": [
                {
                    "title_es": line.title_es,
                    "title_en": line.title_en,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "line_total": line.line_total,
                    "amount_due_now": line.amount_due_now,
                    "kind": line.kind,
                    "lead_time_days": line.lead_time_days,
                }
                for line in order.lines
            ],
            "shipping_address": buyer.address_lines(country_name) if order.address_line1 else [],
        }
    }
