"""A little demo activity, so the workspace has something to show: a sale at the cooperative's shop
(which gives two weavers earnings), an order paid by transfer waiting to be packed, and one whose transfer
has not been confirmed yet. Everything goes through the same services as real orders."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from shop.catalogue.models import Product, ProductKind, ProductStatus
from shop.orders.models import PaymentMethod
from shop.orders.placing import place_order
from shop.orders.schemas import BuyerDetails, OrderItem
from shop.payments.offline import confirm_offline_payment, sell_in_person
from shop.payments.service import open_payment

BUYERS = (
    BuyerDetails(
        email="lucia.ramos@example.org",
        name="Lucía Ramos",
        phone="+52 55 5123 4567",
        address_line1="Calle Durango 48, Roma Norte",
        city="Ciudad de México",
        region="CDMX",
        postal_code="06700",
        country="MX",
    ),
    BuyerDetails(
        email="emma.fischer@example.org",
        name="Emma Fischer",
        phone="+49 30 1234567",
        address_line1="Oranienstraße 12",
        city="Berlin",
        region="Berlin",
        postal_code="10999",
        country="DE",
    ),
)


def _for_sale(session: Session, count: int) -> list[Product]:
    """Pieces in stock, each by a different weaver, so each sale shows in someone's earnings."""
    products = session.scalars(
        sa.select(Product)
        .options(selectinload(Product.attributions))
        .where(
            Product.status == ProductStatus.active,
            Product.kind != ProductKind.made_to_order,
            Product.stock_on_hand > 0,
        )
        .order_by(Product.id)
    ).all()
    chosen, weavers = [], set()
    for product in products:
        makers = {link.weaver_id for link in product.attributions}
        if makers & weavers:
            continue
        chosen.append(product)
        weavers |= makers
        if len(chosen) == count:
            break
    return chosen


def load_activity(session: Session, *, actor: str, base_url: str, now: datetime) -> int:
    """Create the demo orders; return how many."""
    first, second, third, fourth = _for_sale(session, 4)
    sell_in_person(
        session,
        items=[OrderItem(product_id=p.id, quantity=1) for p in (first, second)],
        actor=actor,
        now=now - timedelta(days=2),
        name="Visitante del mercado",
    )
    for buyer, product, confirm in ((BUYERS[0], third, True), (BUYERS[1], fourth, False)):
        order = place_order(
            session,
            items=[OrderItem(product_id=product.id, quantity=1)],
            buyer=buyer,
            language="es" if buyer.country == "MX" else "en",
            method=PaymentMethod.offline,
            now=now,
            hold_until=now + timedelta(hours=72),
            actor=buyer.name,
        )
        order.confirmed_at = now  # the buyer opened the link e-mailed to her, so the pieces wait 72 hours
        open_payment(session, order, now=now)
        if confirm:
            confirm_offline_payment(session, order, actor=actor, reference="SPEI 4471029", now=now, base_url=base_url)
    return 3
