"""Offline payments: bank transfers and payments at the cooperative to confirm, or orders to cancel unpaid.

Orders whose buyer has not confirmed her e-mail address hold their pieces only briefly; the treasurer sees
them here, and may vouch for one (its pieces are then held the full time) or release their pieces at once.

"Payment received" asks first, on a page of its own (``check_payment``), and then waits a few minutes before it
takes effect (``shop.payments.receipt_window``), so it can still be undone: nothing is booked, taken from stock or
told to the buyer until the window has passed.
"""

from __future__ import annotations

from typing import Annotated, NoReturn

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from shop.accounts.service import record
from shop.api.http.auth import Treasurer
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import utcnow
from shop.errors import N_, DomainError, InvalidState
from shop.i18n import translator
from shop.orders import service as orders
from shop.orders.models import Order, PaymentMethod
from shop.orders.packing import S
from shop.orders.scope import with_lines
from shop.payments import offline_holds, receipt_window
from shop.payments.service import missing_pieces
from shop.payments.to_resolve import payments_to_resolve
from shop.web.flash import flash_message
from shop.web.workspace.orders import country_name
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)


def _payments_page(request: Request, session, *, message: str | None = None, status: int = 200):
    waiting = session.scalars(
        with_lines(
            sa.select(Order)
            .where(Order.status == S.pending_payment, Order.payment_method == PaymentMethod.offline)
            .order_by(Order.created_at, Order.id)
        )
    ).all()
    now = utcnow()
    unconfirmed = [o for o in waiting if offline_holds.needs_confirmation(o)]
    return ws_render(
        request,
        "workspace/payments.html",
        {
            "waiting": waiting,
            "unconfirmed": unconfirmed,
            "needs_confirmation": offline_holds.needs_confirmation,
            "hold_hours": request.app.state.settings.offline_hold_hours,
            # Told before she confirms: pieces sold meanwhile (after the hold ran out) cannot be sent.
            "gone": {o.id: missing_pieces(session, o, now, lock=False) for o in waiting},
            "receipts": receipt_window.waiting_for(session, [o.id for o in waiting]),
            "to_resolve": len(payments_to_resolve(session)),
            "message": message,
            "now": now,
            "country_name": country_name,
        },
        status_code=status,
    )


@router.get("/pagos")
def payments(request: Request, session: SessionDep, who: Treasurer):
    return _payments_page(request, session)


def _refusal(request: Request, session, exc: DomainError) -> NoReturn:
    """Somebody else (or a second click) got there first: say so on the same page."""
    message, status = exc.translated(translator(request.state.lang).gettext), exc.status_code
    raise ErrorPage(lambda db: _payments_page(request, db, message=message, status=status)) from exc


@router.post("/pagos/{number}/revisar")
def check_payment(
    request: Request,
    session: SessionDep,
    who: Treasurer,
    number: str,
    reference: Annotated[str, Form(max_length=200)] = "",
):
    """Before anything is written: the order, the amount and the reference, big, with "yes" and "no"."""
    order = orders.order_by_number(session, number)
    if order.status is not S.pending_payment:
        _refusal(request, session, InvalidState(N_("Order %(number)s is not waiting for a payment."), number=number))
    return ws_render(request, "workspace/payment_check.html", {"order": order, "reference": reference.strip()})


@router.post("/pagos/{number}")
def confirm_payment(
    request: Request,
    session: SessionDep,
    who: Treasurer,
    number: str,
    reference: Annotated[str, Form(max_length=200)] = "",
):
    """The transfer arrived (or the buyer paid at the cooperative): once the undo window has passed, the order
    goes to the packing queue and the buyer is told."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        receipt_window.record_receipt(session, order, actor=who.user.name, reference=reference, now=utcnow())
    except InvalidState as exc:
        return _refusal(request, session, exc)
    minutes = int(receipt_window.UNDO_WINDOW.total_seconds() // 60)
    return _back_to_payments(
        request,
        N_("Payment for %(number)s recorded. In %(minutes)d minutes the order goes to the packing queue."),
        number=number,
        minutes=minutes,
    )


@router.post("/pagos/{number}/deshacer")
def undo_payment(request: Request, session: SessionDep, who: Treasurer, number: str):
    """Pressed for the wrong order, or the money was not there after all: nothing was booked yet."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        receipt_window.undo_receipt(session, order, actor=who.user.name, now=utcnow())
    except InvalidState as exc:
        return _refusal(request, session, exc)
    return _back_to_payments(request, N_("Undone: order %(number)s is waiting for its payment again."), number=number)


@router.post("/pagos/{number}/cancelar")
def cancel_order(
    request: Request,
    session: SessionDep,
    who: Treasurer,
    number: str,
    note: Annotated[str, Form(max_length=500)] = "",
):
    """The buyer will not pay: cancel the order and put its pieces back on sale."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        orders.cancel(session, order, actor=who.user.name, note=note.strip(), now=utcnow())
    except InvalidState as exc:
        return _refusal(request, session, exc)
    response = RedirectResponse("/taller/pagos", status_code=303)
    flash_message(request, response, N_("Order %(number)s is cancelled. Its pieces are for sale again."), number=number)
    return response


@router.post("/pagos/sin-confirmar/soltar")
def release_all_unconfirmed(request: Request, session: SessionDep, who: Treasurer):
    """A flood of orders nobody confirmed: put every one of their pieces back on sale now."""
    now = utcnow()
    released = offline_holds.release_unconfirmed(
        session, offline_holds.unconfirmed_orders(session), actor=who.user.name, now=now
    )
    record(
        session,
        who.user,
        who.user.name,
        "release",
        "orders",
        "",
        f"Released the pieces of {len(released)} unconfirmed orders",
        now=now,
        after={"orders": released[:200]},
    )
    return _back_to_payments(
        request, N_("%(count)s unconfirmed orders cancelled. Their pieces are for sale again."), count=len(released)
    )


def _back_to_payments(request: Request, message: str, **params) -> RedirectResponse:
    response = RedirectResponse("/taller/pagos", status_code=303)
    flash_message(request, response, message, **params)
    return response


@router.post("/pagos/{number}/confirmar")
def confirm_order(request: Request, session: SessionDep, who: Treasurer, number: str):
    """The treasurer knows this buyer (she wrote or called): keep the pieces the full time."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    hours = request.app.state.settings.offline_hold_hours
    try:
        offline_holds.confirm_by_cooperative(session, order, hold_hours=hours, actor=who.user.name, now=utcnow())
    except InvalidState as exc:
        return _refusal(request, session, exc)
    return _back_to_payments(
        request, N_("Order %(number)s is confirmed. Its pieces are kept for the buyer."), number=number
    )


@router.post("/pagos/{number}/soltar")
def release_unconfirmed(request: Request, session: SessionDep, who: Treasurer, number: str):
    """Nobody confirmed this order: cancel it so its pieces are for sale at once."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    try:
        offline_holds.release(session, order, actor=who.user.name, now=utcnow())
    except InvalidState as exc:
        return _refusal(request, session, exc)
    return _back_to_payments(
        request, N_("Order %(number)s is cancelled. Its pieces are for sale again."), number=number
    )
