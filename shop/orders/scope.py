"""Who sees what: a member works on her own pieces and the orders holding them; the others see everything."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.accounts.models import Role
from shop.catalogue.models import Product, ProductWeaver
from shop.errors import N_, NotFound
from shop.orders.models import Order, OrderLine, OrderLineWeaver
from shop.orders.service import could_be


def sees_everything(who) -> bool:
    return who.has(Role.council, Role.admin, Role.treasurer)


def mine(statement, who):
    """Narrow a product query to the signed-in member's own pieces, unless she may see all."""
    if sees_everything(who):
        return statement
    if who.user.weaver_id is None:
        return statement.where(sa.false())
    return statement.where(
        Product.id.in_(sa.select(ProductWeaver.product_id).where(ProductWeaver.weaver_id == who.user.weaver_id))
    )


def visible_orders(statement, who):
    """Only the orders holding a piece she wove, for a member; every order for the others."""
    if sees_everything(who):
        return statement
    if who.user.weaver_id is None:
        return statement.where(sa.false())
    hers = (
        sa.select(OrderLine.order_id)
        .join(OrderLineWeaver, OrderLineWeaver.order_line_id == OrderLine.id)
        .where(OrderLineWeaver.weaver_id == who.user.weaver_id)
    )
    return statement.where(Order.id.in_(hers))


def with_lines(statement):
    """Load what the order pages show (lines, their weavers, the events ``stage`` reads) in three queries."""
    return statement.options(
        selectinload(Order.lines).selectinload(OrderLine.weavers),
        selectinload(Order.events),
    )


def visible_order(session: Session, number: str, who) -> Order:
    """The order, if this person may see it; otherwise the same answer as for an order that does not exist."""
    found = visible_orders(with_lines(sa.select(Order).where(Order.number == number)), who)
    order = session.scalar(found) if could_be(number, 20) else None
    if order is None:
        raise NotFound(N_("There is no order %(number)s."), number=number)
    return order
