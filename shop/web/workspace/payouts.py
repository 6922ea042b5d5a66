"""Paying weavers: what each is owed, batches prepared by the treasurer and approved by a council member, and
each payout paid in cash, by SPEI or through Stripe, or undone.

Money moves only through the ledger (``payout_batches``, ``paying``); these handlers read forms, show mistakes
next to their fields, and send the person back to the batch with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, NoReturn

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from shop.accounts.models import Role
from shop.catalogue.models import Weaver
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, DomainError, InvalidState, NotFound, ValidationFailed
from shop.http.auth import Signed, require
from shop.http.deps import ErrorPage, SessionDep
from shop.i18n import translator
from shop.ledger import payable, paying, payout_batches
from shop.ledger.fund import fund_position
from shop.ledger.models import BatchStatus, Payout, PayoutBatch, PayoutMethod, PayoutStatus
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.spei_export import spei_csv
from shop.money import parse_amount
from shop.payments.gateway import PaymentProviderUnavailable
from shop.payments.to_resolve import payments_to_resolve
from shop.web import payout_flow
from shop.web.store.shopping import flash_message
from shop.web.workspace.form_reading import Problems, pesos_field
from shop.web.workspace.render import ws_render
from shop.web.workspace.thumbs import weaver_photos

router = APIRouter(prefix="/taller/pagos-tejedoras", include_in_schema=False)

# Paying weavers is the treasurer's work, approving it the council's; both see the same pages.
PayoutDesk = Annotated[Signed, Depends(require(Role.treasurer, Role.council))]
Text = Annotated[str, Form(max_length=500)]
# A row number in an address: anything else (or a number no table can hold) is a 422, never a 500.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]

METHOD_NAMES = {
    PayoutMethod.cash: N_("Cash at the cooperative"),
    PayoutMethod.spei: N_("SPEI bank transfer"),
    PayoutMethod.stripe_connect: N_("Stripe Connect"),
}
BATCH_STATES = {
    BatchStatus.prepared: N_("Waiting for approval"),
    BatchStatus.approved: N_("Approved: to pay"),
    BatchStatus.closed: N_("Done"),
    BatchStatus.cancelled: N_("Cancelled"),
}
PAYOUT_STATES = {
    PayoutStatus.pending: N_("To pay"),
    PayoutStatus.sending: N_("Being sent"),
    PayoutStatus.paid: N_("Paid"),
    PayoutStatus.failed: N_("Undone"),
    PayoutStatus.cancelled: N_("Cancelled"),
}


def hold(request: Request) -> timedelta:
    return timedelta(days=request.app.state.settings.payout_hold_days)


def _connect(request: Request) -> bool:
    settings = request.app.state.settings
    return settings.stripe_connect_payouts and request.app.state.gateway is not None


def _labels() -> dict:
    return {"method_names": METHOD_NAMES, "batch_states": BATCH_STATES, "payout_states": PAYOUT_STATES}


@router.get("")
def overview(request: Request, session: SessionDep, who: PayoutDesk):
    settings = request.app.state.settings
    rows = payable.owed(session, now=utcnow(), hold=hold(request), stripe_connect=_connect(request))
    batches = session.scalars(
        sa.select(PayoutBatch)
        .order_by(sa.case((PayoutBatch.status.in_((BatchStatus.prepared, BatchStatus.approved)), 0), else_=1))
        .order_by(PayoutBatch.id.desc())
        .limit(30)
    ).all()
    totals = dict(
        session.execute(
            sa.select(Payout.batch_id, sa.func.sum(Payout.amount))
            .where(Payout.batch_id.in_([b.id for b in batches]), Payout.status != PayoutStatus.cancelled)
            .group_by(Payout.batch_id)
        ).all()
    )
    return ws_render(
        request,
        "workspace/payouts.html",
        {
            "rows": rows,
            "owing": [row for row in rows if row.balance < 0],
            "fund": fund_position(session),
            # Money that came in for orders that could not take it: nobody's yet, so not in anyone's line.
            "to_resolve": [item for item in payments_to_resolve(session) if item.payment is not None],
            "batches": batches,
            "totals": totals,
            "minimum": settings.payout_minimum,
            "hold_days": settings.payout_hold_days,
            "currency": settings.default_currency,
            "photos": weaver_photos(session, [row.weaver_id for row in rows]),
            "can_prepare": who.has(Role.treasurer),
            **_labels(),
        },
    )


def _proposal_page(request: Request, session, *, values=None, problems: Problems | None = None, status=200):
    settings = request.app.state.settings
    rows = [
        row
        for row in payable.owed(session, now=utcnow(), hold=hold(request), stripe_connect=_connect(request))
        if row.available > 0
    ]
    if values is None:
        values = {
            "pay": {str(r.weaver_id) for r in rows if r.available >= settings.payout_minimum and not r.problem},
            "amounts": {str(r.weaver_id): pesos_field(r.available) for r in rows},
            "note": "",
        }
    return ws_render(
        request,
        "workspace/payout_new.html",
        {
            "rows": rows,
            "values": values,
            "errors": problems.items if problems else {},
            "minimum": settings.payout_minimum,
            "hold_days": settings.payout_hold_days,
            "currency": settings.default_currency,
            "photos": weaver_photos(session, [row.weaver_id for row in rows]),
            **_labels(),
        },
        status_code=status,
    )


PayoutPreparer = Annotated[Signed, Depends(require(Role.treasurer))]


@router.get("/nuevo")
def proposal(request: Request, session: SessionDep, who: PayoutPreparer):
    return _proposal_page(request, session)


@dataclass
class _Chosen:
    lines: list[PayoutLine]
    problems: Problems


def _read_lines(request: Request, weaver: list[str], amount: list[str], pay: list[str]) -> _Chosen:
    """Rows come as parallel lists (hidden weaver id, amount typed); ``pay`` holds the ticked weaver ids."""
    problems = Problems(request)
    currency = request.app.state.settings.default_currency
    lines = []
    if len(weaver) != len(amount):
        problems.add("form", N_("This form is incomplete. Reload the page and try again."))
        return _Chosen(lines, problems)
    ticked = set(pay)
    for weaver_id, typed in zip(weaver, amount, strict=True):
        if weaver_id not in ticked:
            continue
        if not (weaver_id.isascii() and weaver_id.isdigit() and len(weaver_id) <= 9):
            problems.add("form", N_("This form is incomplete. Reload the page and try again."))
            continue
        field = f"amount-{weaver_id}"
        try:
            centavos = parse_amount(typed, currency, field=field)
        except ValidationFailed as exc:
            problems.add_error(exc, field)
            continue
        if centavos == 0:
            problems.add(field, N_("Write an amount greater than zero, or untick her."))
            continue
        lines.append(PayoutLine(int(weaver_id), centavos))
    return _Chosen(lines, problems)


@router.post("/nuevo")
def prepare(
    request: Request,
    session: SessionDep,
    who: PayoutPreparer,
    weaver: Annotated[list[str], Form()] = (),
    amount: Annotated[list[str], Form()] = (),
    pay: Annotated[list[str], Form()] = (),
    note: Text = "",
):
    chosen = _read_lines(request, list(weaver), list(amount), list(pay))
    values = {"pay": set(pay), "amounts": dict(zip(weaver, amount, strict=False)), "note": note}
    # The service checks the lines that could be read even when others could not, so every mistake shows at once.
    if chosen.lines or not chosen.problems:
        try:
            batch = payout_batches.prepare_batch(
                session,
                lines=chosen.lines,
                by=who.user,
                now=utcnow(),
                hold=hold(request),
                stripe_connect=_connect(request),
                note=note,
            )
        except DomainError as exc:
            chosen.problems.add_error(exc)
        if not chosen.problems:
            response = RedirectResponse(f"/taller/pagos-tejedoras/lotes/{batch.id}", status_code=303)
            flash_message(
                request, response, N_("Batch %(number)s is ready. A council member must approve it."), number=batch.id
            )
            return response
    if "form" not in chosen.problems and not chosen.lines:
        chosen.problems.add("form", N_("Choose at least one weaver to pay."))
    raise ErrorPage(lambda db: _proposal_page(request, db, values=values, problems=chosen.problems, status=422))


@dataclass
class PayoutRow:
    payout: Payout
    name: str
    photo: str | None


def _batch_page(request: Request, session, batch_id: int, *, errors=None, status=200):
    batch = payout_batches.batch_by_id(session, batch_id)
    names = dict(
        session.execute(
            sa.select(Weaver.id, Weaver.name).where(Weaver.id.in_([p.weaver_id for p in batch.payouts]))
        ).all()
    )
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
            **_labels(),
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


def _payout_batch(session, payout_id: int) -> int:
    batch_id = session.scalar(sa.select(Payout.batch_id).where(Payout.id == payout_id))
    if batch_id is None:
        raise NotFound(N_("There is no payout %(number)s."), number=payout_id)
    return batch_id


def _money(request: Request, amount: int) -> str:
    return translator(request.state.lang).money(amount, request.app.state.settings.default_currency)


@router.post("/pagos/{payout_id}/efectivo")
def pay_cash(request: Request, session: SessionDep, who: PayoutDesk, payout_id: RowId):
    batch_id = _payout_batch(session, payout_id)
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
    batch_id = _payout_batch(session, payout_id)
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
        payout = payout_flow.transfer(
            engine,
            request.app.state.gateway if _connect(request) else None,
            payout_id,
            by=who.user,
            hold=hold(request),
        )
    except DomainError as exc:
        # Not the buyer's "unavailable" message: the money may have left, and the payout stays "being sent".
        shown = payout_flow.TransferUnanswered() if isinstance(exc, PaymentProviderUnavailable) else exc
        with session_scope(engine, writes=False) as session:
            return _failed(request, session, _payout_batch(session, payout_id), shown, f"payout-{payout_id}")
    return _back_to_batch(
        request, payout.batch_id, N_("Sent through Stripe: %(amount)s."), amount=_money(request, payout.amount)
    )


@router.post("/pagos/{payout_id}/deshacer")
def undo(request: Request, session: SessionDep, who: PayoutDesk, payout_id: RowId, reason: Text = ""):
    batch_id = _payout_batch(session, payout_id)
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
