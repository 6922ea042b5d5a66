"""The workspace's first screen: what needs doing today, and a big tile for each kind of work."""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from fastapi import APIRouter, Request

from shop.accounts.models import Role
from shop.api.http.auth import Anyone
from shop.api.http.deps import SessionDep
from shop.catalogue.inventory import count_without_photo
from shop.catalogue.models import ProductStatus
from shop.certification.findings import alerts
from shop.certification.service import local_today
from shop.cooperative.models import Member
from shop.errors import N_, NN_
from shop.ledger.models import BatchStatus
from shop.ledger.payout_queries import open_batch_counts
from shop.orders.packing import waiting as waiting_orders
from shop.orders.scope import mine
from shop.orders.waiting import offline_payments_to_confirm
from shop.partnerships.service import report_alerts
from shop.payments.to_resolve import payments_to_resolve
from shop.storefront import service as storefront
from shop.web.workspace.certification.names import ALERTS
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)


def todo(session, who) -> list[dict]:
    items = []
    if who.has(Role.partner_staff, Role.council, Role.admin):
        due = report_alerts(session, local_today())
        if due:
            items.append(
                {
                    "count": len(due),
                    "label": NN_("report to a funder due within 30 days", "reports to funders due within 30 days"),
                    "href": "/taller/alianzas",
                    "icon": "warning" if any(a.urgent for a in due) else "file",
                }
            )
    to_pack, to_ship = waiting_orders(session, who)
    if to_pack:
        items.append(
            {
                "count": len(to_pack),
                "label": NN_("order to pack", "orders to pack"),
                "href": "/taller/pedidos",
                "icon": "truck",
            }
        )
    if to_ship:
        items.append(
            {
                "count": len(to_ship),
                "label": NN_("parcel to take to the courier", "parcels to take to the courier"),
                "href": "/taller/pedidos",
                "icon": "truck",
            }
        )
    if who.has(Role.treasurer, Role.admin):
        unpaid = offline_payments_to_confirm(session)
        if unpaid:
            items.append(
                {
                    "count": unpaid,
                    "label": NN_("payment to confirm", "payments to confirm"),
                    "href": "/taller/pagos",
                    "icon": "cash",
                }
            )
        to_resolve = len(payments_to_resolve(session))
        if to_resolve:
            items.append(
                {
                    "count": to_resolve,
                    "label": NN_("payment to resolve", "payments to resolve"),
                    "href": "/taller/pagos/por-resolver",
                    "icon": "coins",
                }
            )
    items.extend(_payout_work(session, who))
    if who.has(Role.admin):
        details = storefront.contact(session)
        missing = sum(1 for value in (details.email, details.address) if not value)
        if missing:
            items.append(
                {
                    "count": missing,
                    "label": NN_("contact detail for buyers to fill in", "contact details for buyers to fill in"),
                    "href": "/taller/tienda",
                    "icon": "list",
                }
            )
    no_photo = count_without_photo(
        session, scope=partial(mine, who=who), statuses=(ProductStatus.active, ProductStatus.draft)
    )
    if no_photo:
        items.append(
            {
                "count": no_photo,
                "label": NN_("piece without a photo", "pieces without a photo"),
                "href": "/taller/inventario?sin_foto=1",
                "icon": "camera",
            }
        )
    return items


def _payout_work(session, who) -> list[dict]:
    """Batches waiting for a council member's approval, and approved ones waiting for the treasurer."""
    items = []
    counts = open_batch_counts(session)
    if who.has(Role.council) and counts.get(BatchStatus.prepared):
        items.append(
            {
                "count": counts[BatchStatus.prepared],
                "label": NN_("batch of payouts to approve", "batches of payouts to approve"),
                "href": "/taller/pagos-tejedoras",
                "icon": "coins",
            }
        )
    if who.has(Role.treasurer) and counts.get(BatchStatus.approved):
        items.append(
            {
                "count": counts[BatchStatus.approved],
                "label": NN_("approved batch of payouts to pay", "approved batches of payouts to pay"),
                "href": "/taller/pagos-tejedoras",
                "icon": "coins",
            }
        )
    return items


def tiles(who, *, in_register: bool = False) -> list[dict]:
    """Only the pages she can open: a tile that answers "no permission" is a dead end. ``in_register``: she is
    in the cooperative's register of members."""
    shown = []
    if who.has(Role.member, Role.treasurer, Role.council, Role.admin):
        shown.append({"href": "/taller/inventario", "icon": "box", "label": N_("Inventory")})
        shown.append({"href": "/taller/pedidos", "icon": "truck", "label": N_("Orders")})
    if who.has(Role.treasurer, Role.council, Role.admin):
        shown.append({"href": "/taller/venta", "icon": "tag", "label": N_("Sell in person")})
        shown.append({"href": "/taller/mercados", "icon": "tag", "label": N_("Sales on eBay and Etsy")})
    if who.has(Role.treasurer, Role.admin):
        shown.append({"href": "/taller/pagos", "icon": "cash", "label": N_("Payments")})
    if who.has(Role.treasurer, Role.council):
        shown.append({"href": "/taller/pagos-tejedoras", "icon": "coins", "label": N_("Paying the weavers")})
        shown.append({"href": "/taller/banco", "icon": "bank", "label": N_("Bank")})
    if who.has(Role.treasurer, Role.council, Role.admin):
        shown.append({"href": "/taller/contabilidad", "icon": "list", "label": N_("Accounting")})
    if who.user.weaver_id is not None:
        shown.append({"href": "/taller/ganancias", "icon": "coins", "label": N_("My earnings")})
    if in_register:
        shown.append({"href": "/taller/mi-cooperativa", "icon": "people", "label": N_("My cooperative")})
    if who.has(Role.council, Role.admin, Role.partner_staff):
        shown.append({"href": "/taller/cooperativa", "icon": "people", "label": N_("The cooperative")})
        shown.append({"href": "/taller/panel", "icon": "coins", "label": N_("Dashboard")})
        shown.append({"href": "/taller/alianzas", "icon": "seal", "label": N_("Partnerships and grants")})
        shown.append({"href": "/taller/indicadores", "icon": "list", "label": N_("Programme indicators")})
    if who.has(Role.council, Role.admin):
        shown.append({"href": "/taller/certificacion", "icon": "seal", "label": N_("Fair trade certification")})
        shown.append({"href": "/taller/registro", "icon": "list", "label": N_("Audit log")})
        shown.append({"href": "/taller/traducciones", "icon": "file", "label": N_("Tzotzil translation")})
    if who.has(Role.admin):
        shown.append({"href": "/taller/personas", "icon": "people", "label": N_("People")})
        shown.append({"href": "/taller/dispositivos", "icon": "device", "label": N_("Devices")})
        shown.append({"href": "/taller/tienda", "icon": "list", "label": N_("The shop's pages")})
        shown.append({"href": "/taller/ayuda-hablada", "icon": "file", "label": N_("Spoken help")})
    return shown


def certification_alerts(session, who) -> list:
    """Expiries and audits coming up, late actions and overdue serious findings: the council's and the admin's."""
    return alerts(session, local_today()) if who.has(Role.council, Role.admin) else []


def in_register(session, who) -> bool:
    weaver_id = who.user.weaver_id
    if weaver_id is None:
        return False
    return session.scalar(sa.select(Member.id).where(Member.weaver_id == weaver_id)) is not None


@router.get("/inicio")
def home(request: Request, session: SessionDep, who: Anyone):
    return ws_render(
        request,
        "workspace/home.html",
        {
            "todo": todo(session, who),
            "alerts": certification_alerts(session, who),
            "alert_names": ALERTS,
            "tiles": tiles(who, in_register=in_register(session, who)),
        },
    )
