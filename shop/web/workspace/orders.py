"""Orders in the workspace: the packing queue, an order's page and packing slip, and packing, shipping, delivering.

A member sees and moves only the orders holding pieces she wove; the treasurer, the council and admins see
all. Packing and shipping run in the request's transaction through the order service. Offline payments
are confirmed in ``offline_payments``, and money is given back in ``refunds``.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from shop.accounts.models import Role
from shop.api.http.auth import Signed, require
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import utcnow
from shop.errors import N_, DomainError, InvalidState, ValidationFailed
from shop.i18n import translator
from shop.orders import service as orders
from shop.orders.models import Order
from shop.orders.packing import S, next_step, ready_by, recently_sent, stage, waiting
from shop.orders.schemas import countries
from shop.orders.scope import sees_everything, visible_order
from shop.payments.models import Payment, PaymentKind, PaymentStatus, Refund, RefundStatus
from shop.payments.refundable import Refundable
from shop.payments.refundable import refundable as payments_refundable
from shop.web.flash import flash_message
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)
Packers = Annotated[Signed, Depends(require(Role.member, Role.treasurer, Role.council, Role.admin))]
Back = Annotated[str, Form(max_length=10)]

CARRIERS = ("Correos de México", "Estafeta", "DHL", "FedEx", "Redpack", "UPS")
THANKS = N_("Thank you for supporting the weavers of J'pas Joloviletik. Every piece carries many hours of work.")
PAYMENT_KINDS = {
    PaymentKind.stripe_checkout: N_("Card or OXXO (Stripe)"),
    PaymentKind.offline: N_("Bank transfer or paid at the cooperative"),
    PaymentKind.cash: N_("Cash at the cooperative"),
}
PAYMENT_STATES = {
    PaymentStatus.open: N_("waiting"),
    PaymentStatus.succeeded: N_("received"),
    PaymentStatus.failed: N_("failed"),
    PaymentStatus.expired: N_("expired"),
    PaymentStatus.cancelled: N_("cancelled"),
}
REFUND_STATES = {
    RefundStatus.pending: N_("in progress"),
    RefundStatus.succeeded: N_("done"),
    RefundStatus.failed: N_("failed"),
}
REFUND_WAYS = {"stripe": N_("through Stripe"), "cash": N_("in cash"), "dashboard": N_("in Stripe's dashboard")}


def country_name(code: str, lang: str) -> str:
    return dict(countries(lang if lang in ("es", "en") else "es")).get(code, code)


def _helpers(who: Signed) -> dict:
    return {
        "stage": stage,
        "ready_by": ready_by,
        "country_name": country_name,
        "status_names": orders.STATUS_NAMES,
        "carriers": CARRIERS,
        "is_treasurer": who.has(Role.treasurer, Role.admin),
        "sees_all": sees_everything(who),
    }


# The packing queue ----------------------------------------------------------------------------------


def _undo_context(session, who: Signed, refusal: str | None) -> dict:
    return {
        "packed_lately": orders.packed_lately_by(session, who.user.name, now=utcnow()),
        "undo_minutes": orders.UNDO_WINDOW.seconds // 60,
        "refusal": refusal,
    }


def _queue_page(
    request: Request, session, who: Signed, *, ship_errors=None, ship_values=None, refusal=None, status=200
):
    to_pack, to_ship = waiting(session, who)
    recent = recently_sent(session, who)
    return ws_render(
        request,
        "workspace/orders.html",
        {
            "to_pack": to_pack,
            "to_ship": to_ship,
            "recent": recent,
            "ship_errors": ship_errors or {},
            "ship_values": ship_values or {},
            **_undo_context(session, who, refusal),
            **_helpers(who),
        },
        status_code=status,
    )


@router.get("/pedidos")
def queue(request: Request, session: SessionDep, who: Packers):
    return _queue_page(request, session, who)


# One order -----------------------------------------------------------------------------------------


def refundable(request: Request, session, order: Order) -> Refundable:
    """What the refund form may offer: the payments' own rule, with whether Stripe is set up here."""
    return payments_refundable(session, order, stripe=request.app.state.gateway is not None)


def _order_page(
    request: Request, session, order: Order, who: Signed, *, errors=None, values=None, refusal=None, status=200
):
    payments = session.scalars(sa.select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)).all()
    refunds = session.scalars(sa.select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)).all()
    return ws_render(
        request,
        "workspace/order.html",
        {
            "order": order,
            "payments": payments,
            "refunds": refunds,
            "refund": refundable(request, session, order),
            "payment_kinds": PAYMENT_KINDS,
            "payment_states": PAYMENT_STATES,
            "refund_states": REFUND_STATES,
            "refund_ways": REFUND_WAYS,
            "errors": errors or {},
            "values": values or {},
            **_undo_context(session, who, refusal),
            **_helpers(who),
        },
        status_code=status,
    )


@router.get("/pedidos/{number}")
def order_page(request: Request, session: SessionDep, who: Packers, number: str):
    return _order_page(request, session, visible_order(session, number, who), who)


@router.get("/pedidos/{number}/hoja")
def packing_slip(request: Request, session: SessionDep, who: Packers, number: str):
    order = visible_order(session, number, who)
    return ws_render(
        request,
        "workspace/packing_slip.html",
        {
            "order": order,
            "country": country_name(order.country, order.language),
            "buyer_t": translator(order.language),
            "thanks": THANKS,
            "printed_at": utcnow(),
            "ready_by": ready_by,
        },
    )


def _after(number: str, back: str) -> str:
    return f"/taller/pedidos/{number}" if back == "order" else "/taller/pedidos"


@router.post("/pedidos/{number}/empacado")
def mark_packed(request: Request, session: SessionDep, who: Packers, number: str, back: Back = ""):
    order, todo = next_step(session, number, who, S.packed)
    if todo:
        orders.mark_packed(session, order, actor=who.user.name, now=utcnow())
    response = RedirectResponse(_after(number, back), status_code=303)
    flash_message(request, response, N_("Order %(number)s is packed. Next: take it to the courier."), number=number)
    return response


@router.post("/pedidos/{number}/desempacar")
def undo_packed(request: Request, session: SessionDep, who: Packers, number: str, back: Back = ""):
    """Undo "already packed" within a few minutes; the status change is in the order's history and the audit log."""
    order = orders.lock_order(session, visible_order(session, number, who).id)
    try:
        orders.undo_packed(session, order, actor=who.user.name, now=utcnow())
    except InvalidState as exc:
        message = exc.translated(translator(request.state.lang).gettext)
        if back == "order":
            raise ErrorPage(
                lambda db: _order_page(request, db, visible_order(db, number, who), who, refusal=message, status=409)
            ) from exc
        raise ErrorPage(lambda db: _queue_page(request, db, who, refusal=message, status=409)) from exc
    response = RedirectResponse(_after(number, back), status_code=303)
    flash_message(request, response, N_("Undone: order %(number)s is waiting to be packed again."), number=number)
    return response


@router.post("/pedidos/{number}/enviado")
def mark_shipped(
    request: Request,
    session: SessionDep,
    who: Packers,
    number: str,
    carrier: Annotated[str, Form(max_length=80)] = "",
    tracking_number: Annotated[str, Form(max_length=80)] = "",
    back: Back = "",
):
    order, todo = next_step(session, number, who, S.shipped)
    if todo:
        try:
            orders.mark_shipped(
                session,
                order,
                carrier=carrier,
                tracking_number=tracking_number,
                actor=who.user.name,
                now=utcnow(),
                base_url=request.app.state.settings.base_url,
            )
        except ValidationFailed as exc:
            errors = field_errors(request, exc)
            values = {"carrier": carrier, "tracking_number": tracking_number}
            if back == "order":
                raise ErrorPage(
                    lambda db: _order_page(
                        request, db, visible_order(db, number, who), who, errors=errors, values=values, status=422
                    )
                ) from exc
            raise ErrorPage(
                lambda db: _queue_page(
                    request, db, who, ship_errors={number: errors}, ship_values={number: values}, status=422
                )
            ) from exc
    response = RedirectResponse(_after(number, back), status_code=303)
    if order.email:
        message = N_("Order %(number)s is on its way. The buyer gets an email with the tracking number.")
    else:
        message = N_("Order %(number)s is on its way.")
    flash_message(request, response, message, number=number)
    return response


@router.post("/pedidos/{number}/entregado")
def mark_delivered(request: Request, session: SessionDep, who: Packers, number: str, back: Back = ""):
    order, todo = next_step(session, number, who, S.delivered)
    if todo:
        orders.mark_delivered(session, order, actor=who.user.name, now=utcnow())
    response = RedirectResponse(_after(number, back), status_code=303)
    flash_message(request, response, N_("Order %(number)s has arrived. Thank you!"), number=number)
    return response


def field_errors(request: Request, exc: DomainError) -> dict[str, str]:
    t = translator(request.state.lang)
    problems = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
    return {p.field or "form": p.translated(t.gettext) for p in problems}
