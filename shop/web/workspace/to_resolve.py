"""Payments to resolve, for the treasurer: money that came in for an order that could not take it.

She records a transfer that arrived for such an order, puts in another piece the buyer agreed to, sends the
order after all (its money becomes the sale), or gives the money back once (through Stripe or in cash). A paid
order that needs a person is listed too; its weavers are paid out only once she marks it resolved.
Every action is one domain call; mistakes come back on the same page with their status.
"""

from __future__ import annotations

from typing import Annotated, NoReturn

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from shop.api.http.auth import Treasurer
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.models import Product
from shop.catalogue.stock import free_pieces
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, DomainError, NotFound, ValidationFailed
from shop.i18n import translator
from shop.orders import service as orders
from shop.payments import refunds
from shop.payments.models import PaymentKind
from shop.payments.offline import record_money_to_resolve
from shop.payments.receiving import reinstate, unallocated_payment
from shop.payments.service import missing_pieces
from shop.payments.to_resolve import mark_resolved, payments_to_resolve
from shop.web.flash import flash_message
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/pagos/por-resolver", include_in_schema=False)
Text = Annotated[str, Form(max_length=500)]
Number = Annotated[str, Form(max_length=20)]


def _back(request: Request, url: str, message: str, kind: str = "ok", **params) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    flash_message(request, response, message, kind, **params)
    return response


@router.get("")
def listing(request: Request, session: SessionDep, who: Treasurer):
    return ws_render(request, "workspace/to_resolve.html", {"items": payments_to_resolve(session), "now": utcnow()})


@router.post("")
def record(
    request: Request,
    session: SessionDep,
    who: Treasurer,
    number: Number = "",
    reference: Annotated[str, Form(max_length=200)] = "",
):
    """A transfer arrived for an order that cannot take it (a piece gone, or cancelled): keep it to resolve."""
    number = number.strip().upper()
    try:
        order = orders.lock_order(session, orders.order_by_number(session, number).id)
        record_money_to_resolve(
            session,
            order,
            actor=who.user.name,
            reference=reference,
            now=utcnow(),
            base_url=request.app.state.settings.base_url,
        )
    except DomainError as exc:
        response = _back(request, "/taller/pagos", exc.message, "error", **exc.params)
        raise ErrorPage(lambda db: response) from exc
    return _back(
        request,
        f"/taller/pagos/por-resolver/{number}",
        N_("The money for %(number)s is recorded as a payment to resolve. The buyer was told it arrived."),
        number=number,
    )


def _detail(request: Request, session, number: str, *, q: str = "", message: str | None = None, status: int = 200):
    order = orders.order_by_number(session, number)
    payment = unallocated_payment(session, order)
    item = next((i for i in payments_to_resolve(session) if i.order.id == order.id), None)
    if item is None:
        raise NotFound(N_("Order %(number)s has no payment waiting to be resolved."), number=number)
    now = utcnow()
    gone = set(missing_pieces(session, order, now, lock=False)) if payment is not None else set()
    first_gone = next((line for line in order.lines if line.title_es in gone), None)
    category = None
    if first_gone is not None and first_gone.product_id is not None:
        category = session.get(Product, first_gone.product_id).category_id
    return ws_render(
        request,
        "workspace/to_resolve_one.html",
        {
            "item": item,
            "order": order,
            "payment": payment,
            "gone": gone,
            "suggestions": free_pieces(session, now=now, category_id=category, query=q) if gone else [],
            "q": q,
            "message": message,
            "via_stripe": payment is not None
            and payment.kind is PaymentKind.stripe_checkout
            and request.app.state.gateway is not None,
        },
        status_code=status,
    )


@router.get("/{number}")
def one(
    request: Request, session: SessionDep, who: Treasurer, number: str, q: Annotated[str, Query(max_length=100)] = ""
):
    return _detail(request, session, number, q=q)


def _refused(request: Request, session, number: str, exc: DomainError) -> NoReturn:
    message, status = exc.translated(translator(request.state.lang).gettext), exc.status_code
    raise ErrorPage(lambda db: _detail(request, db, number, message=message, status=status)) from exc


@router.post("/{number}/cambiar")
def substitute(
    request: Request,
    session: SessionDep,
    who: Treasurer,
    number: str,
    line: Annotated[str, Form(max_length=12)] = "",
    product: Annotated[str, Form(max_length=12)] = "",
):
    """Put in another piece, agreed with the buyer, in place of one that is gone."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        if not line.isdigit() or not product.isdigit():
            raise ValidationFailed(N_("Choose the piece the buyer agreed to."), field="product")
        orders.substitute_line(session, order, int(line), int(product), actor=who.user.name, now=utcnow())
    except DomainError as exc:
        return _refused(request, session, number, exc)
    return _back(
        request,
        f"/taller/pagos/por-resolver/{number}",
        N_("The piece is changed. If every piece is there now, send the order."),
    )


@router.post("/{number}/reactivar")
def send_after_all(request: Request, session: SessionDep, who: Treasurer, number: str):
    """Every piece is there: the order is paid with this money, its pieces taken, its weavers credited."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        payment = unallocated_payment(session, order, lock=True)
        if payment is None:
            raise NotFound(N_("Order %(number)s has no payment waiting to be resolved."), number=number)
        reinstate(
            session, order, payment, actor=who.user.name, now=utcnow(), base_url=request.app.state.settings.base_url
        )
    except DomainError as exc:
        return _refused(request, session, number, exc)
    return _back(
        request,
        f"/taller/pedidos/{number}",
        N_("Order %(number)s is paid and goes to the packing queue."),
        number=number,
    )


@router.post("/{number}/devolver")
def give_back(
    request: Request,
    who: Treasurer,
    number: str,
    via: Annotated[str, Form(max_length=10)] = "",
    reason: Text = "",
):
    """Give all the money back. Not through the request's session: Stripe is asked between two transactions."""
    try:
        refunds.give_back(
            request.app.state.engine,
            request.app.state.gateway,
            number=number,
            via=via,
            actor=who.user.name,
            reason=reason.strip(),
        )
    except refunds.RefundBeingSent as exc:
        return _back(request, "/taller/pagos/por-resolver", exc.message, "error")
    except DomainError as exc:
        with session_scope(request.app.state.engine, writes=False) as session:
            message = exc.translated(translator(request.state.lang).gettext)
            return _detail(request, session, number, message=message, status=exc.status_code)
    return _back(request, "/taller/pagos/por-resolver", N_("The money of %(number)s is given back."), number=number)


@router.post("/{number}/resuelto")
def resolved(request: Request, session: SessionDep, who: Treasurer, number: str, note: Text = ""):
    """A paid order that needed a person is sorted out: its weavers may be paid out again."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        mark_resolved(session, order, actor=who.user.name, note=note, now=utcnow())
    except DomainError as exc:
        return _refused(request, session, number, exc)
    return _back(request, "/taller/pagos/por-resolver", N_("Order %(number)s is resolved."), number=number)
