"""Placing an order: checking the cart's pieces, freezing what is sold (prices, weavers and their shares, the
split rule) in the order's lines, pricing shipping, and holding the stock. Kept apart from the order's later life
(``shop.orders.service``) because it is one long, careful step that runs once per order, under the products' locks.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.catalogue import stock
from shop.catalogue.availability import deposit_amount
from shop.catalogue.models import PUBLIC_STATUSES, Product, ProductKind, ProductStatus, ProductWeaver
from shop.certification.service import claims_on
from shop.clock import to_local
from shop.errors import N_, NotFound, ValidationFailed
from shop.orders import shipping
from shop.orders.models import Channel, Order, OrderEvent, OrderLine, OrderStatus, PaymentMethod
from shop.orders.schemas import NOTES_MAX, BuyerDetails, OrderItem
from shop.orders.service import loaded, snapshot_weavers
from shop.split_rules.service import split_rule_for


def new_token() -> str:
    return secrets.token_urlsafe(32)


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
    notes: dict[int, str] = {}
    for item in items:
        quantities[item.product_id] = quantities.get(item.product_id, 0) + item.quantity
        if item.notes.strip():
            notes[item.product_id] = "\n".join(filter(None, (notes.get(item.product_id), item.notes.strip())))
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
    claims = claims_on(session, list(quantities), to_local(now).date())
    for product_id, quantity in quantities.items():
        product = products[product_id]
        weavers_bp, rule = split_rule_for(session, product, to_local(now).date())
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
            notes=notes.get(product.id, "")[:NOTES_MAX] if product.kind is ProductKind.made_to_order else "",
            amount_due_now=deposit * quantity if deposit is not None else line_total,
            weight_g=(product.weight_g or default_weight_g) * quantity,
            weavers_bp=weavers_bp,
            split_rule=rule,
            fair_trade=[claim.snapshot() for claim in claims[product.id]],
        )
        session.add(line)
        session.flush()
        snapshot_weavers(session, line, product)
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
        loaded(sa.select(Order).where(Order.id == order.id)).execution_options(populate_existing=True)
    )
