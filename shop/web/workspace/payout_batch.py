"""A batch of payouts: approved by a council member, then each payout paid in cash, by SPEI or through Stripe,
or undone. Money moves only through the ledger (``payout_batches``, ``paying``); these handlers send the person
back to the batch with a message, or show the batch again with the reason next to what was tried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, NoReturn

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from shop.accounts.models import Role
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, DomainError, InvalidState
from shop.i18n import translator
from shop.ledger import paying, payout_batches
from shop.ledger.models import BatchStatus, Payout, PayoutMethod, PayoutStatus
from shop.ledger.payout_queries import batch_of_payout, payee_names
from shop.ledger.spei_export import spei_csv
from shop.payments import stripe_payouts
from shop.payments.gateway import PaymentProviderUnavailable
from shop.web.flash import flash_message
from shop.web.workspace.payouts import PayoutDesk, RowId, Text, connect_on, hold, labels
from shop.web.workspace.render import ws_render
from shop.web.workspace.thumbs import weaver_photos

router = APIRouter(prefix="/taller/pagos-tejedoras", include_in_schema=False)


@dataclass
class PayoutRow:
    payout: Payout
    name: str
    photo: str | None


def _batch_page(request: Request, session, batch_id: int, *, errors=None, status=200):
    batch = payout_batches.batch_by_id(session, batch_id)
    names = payee_names(session, batch)
    photos = weaver_photos(session, names)
    rows = [PayoutRow(p, names.get(p.weaver_id, ""), photos.get(p.weaver_id)) for p in batch.payouts]
    live = [p for p in batch.payouts if p.status is not PayoutStatus.cancelled]
    return ws_render(
        request,
        "workspace/payout_batch.html",
        {
            "batch": batch,
            "rows": rows,
            "total": sum(p.amount for p in live),
            "paid": sum(p.amount for p in live if p.status is PayoutStatus.paid),
            "has_spei": any(p.method is PayoutMethod.spei for p in live),
            "errors": errors or {},
            "currency": request.app.state.settings.default_currency,
            "can_pay": request.state.user.has(Role.treasurer),
            "can_approve": request.state.user.has(Role.council) and batch.prepared_by_id != request.state.user.id,
            **labels(),
        },
        status_code=status,
    )


@router.get("/lotes/{batch_id}")
def batch_page(request: Request, session: SessionDep, who: PayoutDesk, batch_id: RowId):
    return _batch_page(request, session, batch_id)


def _back_to_batch(request: Request, batch_id: int, message: str, **params) -> RedirectResponse:
    response = RedirectResponse(f"/taller/pagos-tejedoras/lotes/{batch_id}", status_code=303)
    flash_message(request, response, message, **params)
    return response


def _failed(request: Request, session, batch_id: int, exc: DomainError, key: str = "form") -> NoReturn:
    """Show the batch again with the reason next to what was tried (``key``: the form's place on the page)."""
    errors, status = {key: exc.translated(translator(request.state.lang).gettext)}, exc.status_code
    raise ErrorPage(lambda db: _batch_page(request, db, batch_id, errors=errors, status=status)) from exc


@router.post("/lotes/{batch_id}/aprobar")
def approve(request: Request, session: SessionDep, who: PayoutDesk, batch_id: RowId):
    try:
        payout_batches.approve_batch(session, batch_id, by=who.user, now=utcnow())
    except DomainError as exc:
        return _failed(request, session, batch_id, exc)
    return _back_to_batch(request, batch_id, N_("Batch %(number)s is approved and can be paid."), number=batch_id)


@router.post("/lotes/{batch_id}/cancelar")
def cancel(request: Request, session: SessionDep, who: PayoutDesk, batch_id: RowId, reason: Text = ""):
    try:
        payout_batches.cancel_batch(session, batch_id, by=who.user, reason=reason, now=utcnow())
    except DomainError as exc:
        return _failed(request, session, batch_id, exc, "cancel")
    return _back_to_batch(request, batch_id, N_("Batch %(number)s was cancelled."), number=batch_id)


@router.get("/lotes/{batch_id}/spei.csv")
def spei_file(request: Request, session: SessionDep, who: PayoutDesk, batch_id: RowId):
    """The bank-upload file of the batch's SPEI transfers still to send."""
    batch = payout_batches.batch_by_id(session, batch_id)
    if batch.status is not BatchStatus.approved:
        raise InvalidState(
            N_("The bank file is ready once batch %(number)s is approved, and until it is paid."), number=batch.id
        )
    body = spei_csv(batch)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="spei-lote-{batch.id}.csv"'},
    )


def _money(request: Request, amount: int) -> str:
    return translator(request.state.lang).money(amount, request.app.state.settings.default_currency)


@router.post("/pagos/{payout_id}/efectivo")
def pay_cash(request: Request, session: SessionDep, who: PayoutDesk, payout_id: RowId):
    batch_id = batch_of_payout(session, payout_id)
    try:
        payout = paying.pay_in_cash(session, payout_id, by=who.user, now=utcnow(), hold=hold(request))
    except DomainError as exc:
        return _failed(request, session, batch_id, exc, f"payout-{payout_id}")
    response = RedirectResponse(f"/taller/pagos-tejedoras/pagos/{payout_id}/recibo", status_code=303)
    flash_message(
        request,
        response,
        N_("Paid in cash: %(amount)s. Print the receipt for her to sign."),
        amount=_money(request, payout.amount),
    )
    return response


@router.post("/pagos/{payout_id}/spei")
def pay_spei(
    request: Request,
    session: SessionDep,
    who: PayoutDesk,
    payout_id: RowId,
    tracking_key: Annotated[str, Form(max_length=60)] = "",
):
    batch_id = batch_of_payout(session, payout_id)
    try:
        payout = paying.pay_by_spei(
            session, payout_id, tracking_key=tracking_key, by=who.user, now=utcnow(), hold=hold(request)
        )
    except DomainError as exc:
        return _failed(request, session, batch_id, exc, f"payout-{payout_id}")
    return _back_to_batch(
        request, batch_id, N_("Transfer recorded: %(amount)s."), amount=_money(request, payout.amount)
    )


@router.post("/pagos/{payout_id}/stripe")
def pay_stripe(request: Request, who: PayoutDesk, payout_id: RowId):
    """Not in the request's transaction: Stripe is asked between two transactions of its own."""
    engine = request.app.state.engine
    try:
        payout = stripe_payouts.transfer(
            engine,
            request.app.state.gateway if connect_on(request) else None,
            payout_id,
            by=who.user,
            hold=hold(request),
        )
    except DomainError as exc:
        # Not the buyer's "unavailable" message: the money may have left, and the payout stays "being sent".
        shown = stripe_payouts.TransferUnanswered() if isinstance(exc, PaymentProviderUnavailable) else exc
        with session_scope(engine, writes=False) as session:
            return _failed(request, session, batch_of_payout(session, payout_id), shown, f"payout-{payout_id}")
    return _back_to_batch(
        request, payout.batch_id, N_("Sent through Stripe: %(amount)s."), amount=_money(request, payout.amount)
    )


@router.post("/pagos/{payout_id}/deshacer")
def undo(request: Request, session: SessionDep, who: PayoutDesk, payout_id: RowId, reason: Text = ""):
    batch_id = batch_of_payout(session, payout_id)
    try:
        payout = paying.undo_payout(session, payout_id, by=who.user, reason=reason, now=utcnow())
    except DomainError as exc:
        return _failed(request, session, batch_id, exc, f"undo-{payout_id}")
    message = (
        N_("The payout was cancelled; nothing had been paid.")
        if payout.status is PayoutStatus.cancelled
        else N_("The payout was undone: %(amount)s is owed to her again.")
    )
    return _back_to_batch(request, batch_id, message, amount=_money(request, payout.amount))
