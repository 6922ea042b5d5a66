"""Refunds: giving money back on an order, through Stripe or in cash, outside the request's transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from shop.api.http.auth import Treasurer
from shop.db import session_scope
from shop.errors import N_, InvalidState, ValidationFailed
from shop.i18n import translator
from shop.money import parse_amount
from shop.orders import service as orders
from shop.orders.models import Order
from shop.payments import refunds as refund_flow
from shop.payments.gateway import PaymentProviderUnavailable, PaymentRefused
from shop.payments.refundable import Refundable
from shop.web.flash import flash_message
from shop.web.workspace.form_reading import pesos_field
from shop.web.workspace.orders import field_errors, refundable
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)


def _refund_page(request: Request, order: Order, info: Refundable, *, errors=None, values=None, status=200):
    values = values or {}
    return ws_render(
        request,
        "workspace/refund.html",
        {
            "order": order,
            "refund": info,
            "errors": errors or {},
            "values": {"amount": pesos_field(info.left), "via": "stripe" if info.via_stripe else "cash", **values},
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
):
    """Give money back. Not through the request's session: Stripe is asked between two transactions."""
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
    except refund_flow.RefundBeingSent as exc:
        response = RedirectResponse(f"/taller/pedidos/{number}", status_code=303)
        flash_message(request, response, exc.message, "error")
        return response
    except (ValidationFailed, InvalidState, PaymentProviderUnavailable, PaymentRefused) as exc:
        order, info = _refund_target(request, number)
        return _refund_page(
            request, order, info, errors=field_errors(request, exc), values=values, status=exc.status_code
        )
    response = RedirectResponse(f"/taller/pedidos/{number}", status_code=303)
    flash_message(
        request,
        response,
        N_("%(amount)s given back on order %(number)s."),
        amount=translator(request.state.lang).money(centavos, order.currency),
        number=number,
    )
    return response
