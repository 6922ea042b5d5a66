"""Orders in the workspace: the packing queue, an order's page and packing slip, offline payments, refunds.

A member sees and moves only the orders holding pieces she wove; the treasurer, the council and admins see
all. Packing, shipping and confirming payments run in the request's transaction through the order and
payment services. A refund may call Stripe between two transactions of its own (``shop.web.refund_flow``),
so that route never writes through the request's session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import selectinload

from shop.accounts.models import Role
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, DomainError, InvalidState, NotFound, ValidationFailed
from shop.i18n import translator
from shop.money import parse_amount
from shop.orders import service as orders
from shop.orders.models import Channel, Order, OrderLine, OrderStatus, PaymentMethod
from shop.orders.schemas import countries
from shop.payments.gateway import PaymentProviderUnavailable, PaymentRefused
from shop.payments.models import Payment, PaymentKind, PaymentStatus, Refund, RefundStatus
from shop.payments.service import confirm_offline_payment
from shop.web import refund_flow
from shop.web.deps import SessionDep
from shop.web.store.shopping import _flash, check_csrf
from shop.web.workspace.auth import Signed, Treasurer, require
from shop.web.workspace.render import ws_render
from shop.web.workspace.scope import sees_everything, visible_orders

router = APIRouter(prefix="/taller", include_in_schema=False)
Packers = Annotated[Signed, Depends(require(Role.member, Role.treasurer, Role.council, Role.admin))]
Csrf = Annotated[str, Form(max_length=100)]
Back = Annotated[str, Form(max_length=10)]

S = OrderStatus
# Where an order is on its way to the buyer; a partly refunded order keeps travelling from where it was.
FULFILMENT = (S.paid, S.packed, S.shipped, S.delivered)
NEXT = {S.paid: S.packed, S.packed: S.shipped, S.shipped: S.delivered}
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


def stage(order: Order) -> OrderStatus:
    """The order's step towards the buyer: its status, or for a partly refunded order the step it had reached."""
    if order.status is not S.partially_refunded:
        return order.status
    for event in reversed(order.events):
        if event.to_status in {s.value for s in FULFILMENT}:
            return OrderStatus(event.to_status)
    return S.paid


def _loaded(statement):
    return statement.options(
        selectinload(Order.lines).selectinload(OrderLine.weavers),
        selectinload(Order.events),
    )


def _order_for(session, number: str, who: Signed) -> Order:
    """The order, if this person may see it; otherwise the same answer as for an order that does not exist."""
    order = session.scalar(visible_orders(_loaded(sa.select(Order).where(Order.number == number)), who))
    if order is None:
        raise NotFound(N_("There is no order %(number)s."), number=number)
    return order


def country_name(code: str, lang: str) -> str:
    return dict(countries(lang if lang in ("es", "en") else "es")).get(code, code)


def ready_by(order: Order, line: OrderLine) -> datetime | None:
    """When a made-to-order piece was promised: its lead time counted from the payment."""
    if not line.lead_time_days:
        return None
    return (order.paid_at or order.created_at) + timedelta(days=line.lead_time_days)


def _pesos(amount: int) -> str:
    """Centavos as a plain number for a form field, e.g. 51000 → "510.00"."""
    return str(Decimal(amount).scaleb(-2).quantize(Decimal("0.01")))


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


def waiting(session, who: Signed) -> tuple[list[Order], list[Order]]:
    """Online orders to pack and orders packed but not yet sent, oldest payment first."""
    online = Order.channel == Channel.online
    found = session.scalars(
        visible_orders(
            _loaded(
                sa.select(Order)
                .where(online, Order.status.in_((S.paid, S.packed, S.partially_refunded)))
                .order_by(Order.paid_at, Order.id)
            ),
            who,
        )
    ).all()
    to_pack = [o for o in found if stage(o) is S.paid]
    to_ship = [o for o in found if stage(o) is S.packed]
    return to_pack, to_ship


def _queue_page(request: Request, session, who: Signed, *, ship_errors=None, ship_values=None, status=200):
    online = Order.channel == Channel.online
    to_pack, to_ship = waiting(session, who)
    recent = session.scalars(
        visible_orders(
            _loaded(
                sa.select(Order)
                .where(online, Order.status.in_((S.shipped, S.delivered, S.partially_refunded)))
                .order_by(Order.updated_at.desc(), Order.id.desc())
                .limit(40)
            ),
            who,
        )
    ).all()
    recent = [o for o in recent if stage(o) in (S.shipped, S.delivered)][:20]
    return ws_render(
        request,
        "workspace/orders.html",
        {
            "to_pack": to_pack,
            "to_ship": to_ship,
            "recent": recent,
            "ship_errors": ship_errors or {},
            "ship_values": ship_values or {},
            **_helpers(who),
        },
        status_code=status,
    )


@router.get("/pedidos")
def queue(request: Request, session: SessionDep, who: Packers):
    return _queue_page(request, session, who)


# One order -----------------------------------------------------------------------------------------


@dataclass
class Refundable:
    paid: Payment | None
    left: int
    via_stripe: bool


def refundable(request: Request, session, order: Order) -> Refundable:
    """How much of the order can still be given back, and whether Stripe can do it."""
    paid = session.scalar(
        sa.select(Payment)
        .where(Payment.order_id == order.id, Payment.status == PaymentStatus.succeeded)
        .order_by(Payment.id)
    )
    pending = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
            Refund.order_id == order.id, Refund.status == RefundStatus.pending
        )
    )
    left = order.amount_paid - order.amount_refunded - int(pending or 0) if order.status in orders.PAID_STATES else 0
    via_stripe = paid is not None and paid.kind is PaymentKind.stripe_checkout and request.app.state.gateway is not None
    return Refundable(paid, max(0, left), via_stripe)


def _order_page(request: Request, session, order: Order, who: Signed, *, errors=None, values=None, status=200):
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
            **_helpers(who),
        },
        status_code=status,
    )


@router.get("/pedidos/{number}")
def order_page(request: Request, session: SessionDep, who: Packers, number: str):
    return _order_page(request, session, _order_for(session, number, who), who)


@router.get("/pedidos/{number}/hoja")
def packing_slip(request: Request, session: SessionDep, who: Packers, number: str):
    order = _order_for(session, number, who)
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


def _step(session, number: str, who: Signed, to: OrderStatus) -> tuple[Order, bool]:
    """Lock the order and check it is ready for ``to``; False when it is there already (a second click)."""
    order = orders.lock_order(session, _order_for(session, number, who).id)
    now_at = stage(order)
    if now_at is to and order.status is not S.partially_refunded:
        return order, False
    if order.status is S.partially_refunded and NEXT.get(now_at) is not to:
        raise InvalidState(
            N_("Order %(number)s is %(current)s, so it cannot become %(wanted)s."),
            number=order.number,
            current=orders.STATUS_NAMES[now_at],
            wanted=orders.STATUS_NAMES[to],
        )
    return order, True


@router.post("/pedidos/{number}/empacado")
def mark_packed(
    request: Request, session: SessionDep, who: Packers, number: str, back: Back = "", csrf_token: Csrf = ""
):
    check_csrf(request, csrf_token)
    order, todo = _step(session, number, who, S.packed)
    if todo:
        orders.mark_packed(session, order, actor=who.user.name, now=utcnow())
    response = RedirectResponse(_after(number, back), status_code=303)
    _flash(request, response, N_("Order %(number)s is packed. Next: take it to the courier."), number=number)
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
    csrf_token: Csrf = "",
):
    check_csrf(request, csrf_token)
    order, todo = _step(session, number, who, S.shipped)
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
            session.rollback()
            errors = _field_errors(request, exc)
            values = {"carrier": carrier, "tracking_number": tracking_number}
            if back == "order":
                return _order_page(
                    request, session, _order_for(session, number, who), who, errors=errors, values=values, status=422
                )
            return _queue_page(
                request, session, who, ship_errors={number: errors}, ship_values={number: values}, status=422
            )
    response = RedirectResponse(_after(number, back), status_code=303)
    if order.email:
        message = N_("Order %(number)s is on its way. The buyer gets an email with the tracking number.")
    else:
        message = N_("Order %(number)s is on its way.")
    _flash(request, response, message, number=number)
    return response


@router.post("/pedidos/{number}/entregado")
def mark_delivered(
    request: Request, session: SessionDep, who: Packers, number: str, back: Back = "", csrf_token: Csrf = ""
):
    check_csrf(request, csrf_token)
    order, todo = _step(session, number, who, S.delivered)
    if todo:
        orders.mark_delivered(session, order, actor=who.user.name, now=utcnow())
    response = RedirectResponse(_after(number, back), status_code=303)
    _flash(request, response, N_("Order %(number)s has arrived. Thank you!"), number=number)
    return response


def _field_errors(request: Request, exc: DomainError) -> dict[str, str]:
    t = translator(request.state.lang)
    problems = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
    return {p.field or "form": p.translated(t.gettext) for p in problems}


# Offline payments ----------------------------------------------------------------------------------


def _payments_page(request: Request, session, *, message: str | None = None, status: int = 200):
    waiting = session.scalars(
        _loaded(
            sa.select(Order)
            .where(Order.status == S.pending_payment, Order.payment_method == PaymentMethod.offline)
            .order_by(Order.created_at, Order.id)
        )
    ).all()
    return ws_render(
        request,
        "workspace/payments.html",
        {"waiting": waiting, "message": message, "now": utcnow(), "country_name": country_name},
        status_code=status,
    )


@router.get("/pagos")
def payments(request: Request, session: SessionDep, who: Treasurer):
    return _payments_page(request, session)


def _refusal(request: Request, session, exc: DomainError):
    """Somebody else (or a second click) got there first: say so on the same page."""
    session.rollback()
    message = exc.translated(translator(request.state.lang).gettext)
    return _payments_page(request, session, message=message, status=exc.status_code)


@router.post("/pagos/{number}")
def confirm_payment(
    request: Request,
    session: SessionDep,
    who: Treasurer,
    number: str,
    reference: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Csrf = "",
):
    """The transfer arrived (or the buyer paid at the cooperative): the order goes to the packing queue."""
    check_csrf(request, csrf_token)
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        confirm_offline_payment(
            session,
            order,
            actor=who.user.name,
            reference=reference,
            now=utcnow(),
            base_url=request.app.state.settings.base_url,
        )
    except InvalidState as exc:
        return _refusal(request, session, exc)
    response = RedirectResponse("/taller/pagos", status_code=303)
    if order.attention:
        _flash(
            request,
            response,
            N_("Payment for %(number)s recorded, but a piece had been sold meanwhile. Open the order to sort it out."),
            "error",
            number=number,
        )
    else:
        _flash(
            request,
            response,
            N_("Payment for %(number)s recorded. The order is now in the packing queue."),
            number=number,
        )
    return response


@router.post("/pagos/{number}/cancelar")
def cancel_order(
    request: Request,
    session: SessionDep,
    who: Treasurer,
    number: str,
    note: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Csrf = "",
):
    """The buyer will not pay: cancel the order and put its pieces back on sale."""
    check_csrf(request, csrf_token)
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        orders.cancel(session, order, actor=who.user.name, note=note.strip(), now=utcnow())
    except InvalidState as exc:
        return _refusal(request, session, exc)
    response = RedirectResponse("/taller/pagos", status_code=303)
    _flash(request, response, N_("Order %(number)s is cancelled. Its pieces are for sale again."), number=number)
    return response


# Refunds -------------------------------------------------------------------------------------------


def _refund_page(request: Request, order: Order, info: Refundable, *, errors=None, values=None, status=200):
    values = values or {}
    return ws_render(
        request,
        "workspace/refund.html",
        {
            "order": order,
            "refund": info,
            "errors": errors or {},
            "values": {"amount": _pesos(info.left), "via": "stripe" if info.via_stripe else "cash", **values},
            "status_names": orders.STATUS_NAMES,
        },
        status_code=status,
    )


def _refund_target(request: Request, number: str) -> tuple[Order, Refundable]:
    """The order and what is left to give back, read in a short transaction of its own."""
    with session_scope(request.app.state.engine, writes=False) as session:
        order = orders.order_by_number(session, number)
        return order, refundable(request, session, order)


@router.get("/pedidos/{number}/reembolso")
def refund_form(request: Request, who: Treasurer, number: str):
    order, info = _refund_target(request, number)
    return _refund_page(request, order, info)


def _restock_choice(order: Order, restock: list[str], restock_many: list[str]) -> dict[int, int]:
    """Checked pieces ("line id") and chosen quantities ("line id:quantity") as {line id: quantity}."""
    quantities = {line.id: line.quantity for line in order.lines}
    chosen: dict[int, int] = {}
    for value in restock:
        if not value.isdigit() or int(value) not in quantities:
            raise ValidationFailed(N_("That line is not part of this order."), field="restock")
        chosen[int(value)] = quantities[int(value)]
    for value in restock_many:
        line_id, _, count = value.partition(":")
        if not (line_id.isdigit() and count.isdigit()) or int(line_id) not in quantities:
            raise ValidationFailed(N_("That line is not part of this order."), field="restock")
        if int(count) > quantities[int(line_id)]:
            raise ValidationFailed(N_("You can return at most the quantity that was sold."), field="restock")
        if int(count):
            chosen[int(line_id)] = int(count)
    return chosen


@router.post("/pedidos/{number}/reembolso")
def refund(
    request: Request,
    who: Treasurer,
    number: str,
    amount: Annotated[str, Form(max_length=30)] = "",
    via: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    restock: Annotated[list[str], Form()] = (),
    restock_many: Annotated[list[str], Form()] = (),
    csrf_token: Csrf = "",
):
    """Give money back. Not through the request's session: Stripe is asked between two transactions."""
    check_csrf(request, csrf_token)
    order, info = _refund_target(request, number)
    values = {
        "amount": amount,
        "via": via,
        "reason": reason,
        "restock": list(restock),
        "restock_many": list(restock_many),
    }
    try:
        if not amount.strip():
            raise ValidationFailed(N_("Write how much money to give back."), field="amount")
        centavos = parse_amount(amount, order.currency, field="amount")
        if centavos == 0:
            raise ValidationFailed(N_("Write how much money to give back."), field="amount")
        if not reason.strip():
            raise ValidationFailed(N_("Write why the money is given back."), field="reason")
        returned = _restock_choice(order, list(restock), list(restock_many))
        refund_flow.refund(
            request.app.state.engine,
            request.app.state.gateway,
            number=number,
            amount=centavos,
            via=via,
            actor=who.user.name,
            reason=reason.strip(),
            restock=returned,
        )
    except (ValidationFailed, InvalidState, PaymentProviderUnavailable, PaymentRefused) as exc:
        order, info = _refund_target(request, number)
        return _refund_page(
            request, order, info, errors=_field_errors(request, exc), values=values, status=exc.status_code
        )
    response = RedirectResponse(f"/taller/pedidos/{number}", status_code=303)
    _flash(
        request,
        response,
        N_("%(amount)s given back on order %(number)s."),
        amount=translator(request.state.lang).money(centavos, order.currency),
        number=number,
    )
    return response
