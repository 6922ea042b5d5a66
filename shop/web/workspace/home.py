"""The workspace's first screen: what needs doing today, and a big tile for each kind of work."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request

from shop.accounts.models import Role
from shop.catalogue.models import Product, ProductImage, ProductStatus, ProductWeaver
from shop.errors import N_
from shop.orders.models import Order, OrderLine, OrderLineWeaver, OrderStatus, PaymentMethod
from shop.web.deps import SessionDep
from shop.web.workspace.auth import Anyone
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)


def sees_everything(who) -> bool:
    return who.has(Role.council, Role.admin, Role.treasurer)


def mine(statement, who):
    """Narrow a product query to the signed-in member's own pieces, unless she may see all."""
    if sees_everything(who) or who.user.weaver_id is None:
        return statement if sees_everything(who) else statement.where(sa.false())
    return statement.where(
        Product.id.in_(sa.select(ProductWeaver.product_id).where(ProductWeaver.weaver_id == who.user.weaver_id))
    )


def todo(session, who) -> list[dict]:
    items = []
    to_pack = sa.select(sa.func.count(sa.distinct(Order.id))).where(Order.status == OrderStatus.paid)
    if not sees_everything(who):
        to_pack = (
            to_pack.join(OrderLine, OrderLine.order_id == Order.id)
            .join(OrderLineWeaver, OrderLineWeaver.order_line_id == OrderLine.id)
            .where(OrderLineWeaver.weaver_id == (who.user.weaver_id or -1))
        )
    packing = session.scalar(to_pack) or 0
    if packing:
        items.append({"count": packing, "label": N_("orders to pack"), "href": "/taller/pedidos", "icon": "truck"})
    if who.has(Role.treasurer, Role.admin):
        waiting = (
            session.scalar(
                sa.select(sa.func.count()).where(
                    Order.status == OrderStatus.pending_payment, Order.payment_method == PaymentMethod.offline
                )
            )
            or 0
        )
        if waiting:
            items.append(
                {"count": waiting, "label": N_("payments to confirm"), "href": "/taller/pagos", "icon": "cash"}
            )
    no_photo = (
        session.scalar(
            mine(
                sa.select(sa.func.count())
                .select_from(Product)
                .where(
                    Product.status.in_((ProductStatus.active, ProductStatus.draft)),
                    ~sa.exists().where(ProductImage.product_id == Product.id),
                ),
                who,
            )
        )
        or 0
    )
    if no_photo:
        items.append(
            {
                "count": no_photo,
                "label": N_("pieces without a photo"),
                "href": "/taller/inventario?sin_foto=1",
                "icon": "camera",
            }
        )
    return items


def tiles(who) -> list[dict]:
    shown = [{"href": "/taller/inventario", "icon": "box", "label": N_("Inventory")}]
    shown.append({"href": "/taller/pedidos", "icon": "truck", "label": N_("Orders")})
    if who.has(Role.treasurer, Role.council, Role.admin):
        shown.append({"href": "/taller/venta", "icon": "tag", "label": N_("Sell in person")})
    if who.has(Role.treasurer, Role.admin):
        shown.append({"href": "/taller/pagos", "icon": "cash", "label": N_("Payments")})
    if who.user.weaver_id is not None:
        shown.append({"href": "/taller/ganancias", "icon": "coins", "label": N_("My earnings")})
    if who.has(Role.council, Role.admin):
        shown.append({"href": "/taller/registro", "icon": "list", "label": N_("Audit log")})
    if who.has(Role.admin):
        shown.append({"href": "/taller/personas", "icon": "people", "label": N_("People")})
        shown.append({"href": "/taller/dispositivos", "icon": "device", "label": N_("Devices")})
    return shown


@router.get("/inicio")
def home(request: Request, session: SessionDep, who: Anyone):
    return ws_render(request, "workspace/home.html", {"todo": todo(session, who), "tiles": tiles(who)})
