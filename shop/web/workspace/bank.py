"""The bank, for the treasurer and the council: what the bank's statements show that the shop has not matched
yet (and the other way round), each with its age; the matching screen where she confirms or fixes each
suggestion; and undoing a match. The money moves only through ``shop.ledger.bank_matches``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import load_only

from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import to_local, utcnow
from shop.errors import N_, DomainError, ValidationFailed
from shop.i18n import translator
from shop.ledger import bank_matches, reconciliation
from shop.ledger.balances import balance
from shop.ledger.models import BankStatement, StatementStatus
from shop.payments.bank_transfers import received_transfer, unmatched_transfers
from shop.web.flash import flash_message
from shop.web.workspace.bank_import import BankDesk, RowId
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/banco", include_in_schema=False)

Choice = Annotated[str, Form(max_length=40)]
NONE = "none"  # "none of these": the line stays unmatched and is no longer suggested a match


def _today() -> date:
    return to_local(utcnow()).date()


def _overview(request: Request, session, *, errors: dict | None = None, status: int = 200):
    transfers = unmatched_transfers(session)
    open_lines = reconciliation.open_lines(session, today=_today(), transfers=transfers)
    unseen_transfers, unseen_payouts = reconciliation.unseen(session, today=_today(), transfers=transfers)
    statements = session.scalars(
        sa.select(BankStatement)
        .options(load_only(*_STATEMENT_COLUMNS))
        .where(BankStatement.status == StatementStatus.imported)
        .order_by(BankStatement.imported_at.desc(), BankStatement.id.desc())
        .limit(12)
    ).all()
    return ws_render(
        request,
        "workspace/bank.html",
        {
            "open_lines": open_lines,
            "to_confirm": sum(1 for item in open_lines if item.options),
            "unseen_transfers": unseen_transfers,
            "unseen_payouts": unseen_payouts,
            "matched": reconciliation.recent_matches(session),
            "statements": statements,
            "to_reconcile": balance(session, "pending_offline"),
            "in_bank": balance(session, "bank"),
            "errors": errors or {},
            "currency": request.app.state.settings.default_currency,
        },
        status_code=status,
    )


_STATEMENT_COLUMNS = (
    BankStatement.id,
    BankStatement.bank_name,
    BankStatement.filename,
    BankStatement.imported_at,
    BankStatement.uploaded_by,
    BankStatement.lines_total,
    BankStatement.lines_new,
)


@router.get("")
def overview(request: Request, session: SessionDep, who: BankDesk):
    return _overview(request, session)


def _matching_page(request: Request, session, *, errors: dict | None = None, chosen: dict | None = None, status=200):
    open_lines = reconciliation.open_lines(session, today=_today(), transfers=unmatched_transfers(session))
    items = [item for item in open_lines if item.options]
    errors = errors or {}
    shown = {item.line.id for item in items}
    return ws_render(
        request,
        "workspace/bank_match.html",
        {
            "items": items,
            "without_options": sum(1 for item in open_lines if not item.options),
            "errors": errors,
            # A line matched meanwhile (by someone else) is no longer on the page: its message goes on top.
            "other_errors": [message for line_id, message in errors.items() if line_id not in shown],
            "chosen": chosen or {},
            "none_choice": NONE,
            "currency": request.app.state.settings.default_currency,
        },
        status_code=status,
    )


@router.get("/conciliar")
def matching(request: Request, session: SessionDep, who: BankDesk):
    return _matching_page(request, session)


def _message(request: Request, exc: DomainError) -> str:
    return exc.translated(translator(request.state.lang).gettext)


@router.post("/lineas/{line_id}/conciliar")
def confirm(
    request: Request,
    session: SessionDep,
    who: BankDesk,
    line_id: RowId,
    choice: Choice = "",
    suggested: Choice = "",
):
    """She confirmed the suggestion, picked another candidate, or said none of them (the line stays unmatched)."""
    kind, _, number = choice.partition(":")
    try:
        if choice == NONE:
            bank_matches.set_aside(session, line_id, by=who.user, now=utcnow())
        elif kind in (reconciliation.PAYMENT, reconciliation.PAYOUT) and number.isdigit() and len(number) <= 9:
            is_payment = kind == reconciliation.PAYMENT
            match = bank_matches.confirm_match(
                session,
                line_id,
                transfer=received_transfer(session, int(number)) if is_payment else None,
                payout_id=None if is_payment else int(number),
                suggested=choice == suggested,
                by=who.user,
                now=utcnow(),
            )
        else:
            raise ValidationFailed(N_("Choose what this bank line is."), field="choice")
    except DomainError as exc:
        errors, status = {line_id: _message(request, exc)}, exc.status_code
        raise ErrorPage(
            lambda db: _matching_page(request, db, errors=errors, chosen={line_id: choice}, status=status)
        ) from exc
    response = RedirectResponse(f"/taller/banco/conciliar#linea-{line_id}", status_code=303)
    if choice == NONE:
        flash_message(request, response, N_("The bank line stays unmatched. It is listed on the Bank page."))
    else:
        flash_message(request, response, N_("Matched: the bank line is %(what)s."), what=match.label)
    return response


@router.post("/lineas/{line_id}/deshacer")
def undo(
    request: Request,
    session: SessionDep,
    who: BankDesk,
    line_id: RowId,
    reason: Annotated[str, Form(max_length=300)] = "",
):
    """The match was wrong: its money goes back to "to reconcile" (a reversing entry) and both sides are free."""
    try:
        bank_matches.undo_match(session, line_id, by=who.user, reason=reason, now=utcnow())
    except DomainError as exc:
        errors, status = {line_id: _message(request, exc)}, exc.status_code
        raise ErrorPage(lambda db: _overview(request, db, errors=errors, status=status)) from exc
    response = RedirectResponse("/taller/banco", status_code=303)
    flash_message(request, response, N_("The match was undone. The bank line is waiting to be matched again."))
    return response
