"""One weaver's money, for the treasurer and the council: how she is paid (cash, or SPEI to a checked CLABE),
her monthly statements to print, her payouts, and writing off what she owes."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from shop.accounts.models import Role
from shop.api.http.auth import Signed, require
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.models import Weaver
from shop.clock import utcnow
from shop.errors import N_, DomainError, NotFound, ValidationFailed
from shop.i18n import translator
from shop.ledger import payable, payout_accounts
from shop.ledger.clabe import bank_of
from shop.ledger.models import Payout, PayoutMethod, PayoutStatus
from shop.ledger.payout_history import clabe_changes
from shop.ledger.statements import Statement, active_months, month_of, parse_month, statement
from shop.ledger.write_offs import write_off
from shop.money import parse_amount
from shop.web.flash import flash_message
from shop.web.workspace.form_reading import Problems
from shop.web.workspace.payouts import METHOD_NAMES, PAYOUT_STATES, PayoutDesk, RowId, hold
from shop.web.workspace.render import ws_render
from shop.web.workspace.thumbs import first_photos, weaver_photos

router = APIRouter(prefix="/taller/tejedoras", include_in_schema=False)

FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
TreasurerOnly = Annotated[Signed, Depends(require(Role.treasurer))]
CouncilOnly = Annotated[Signed, Depends(require(Role.council))]
Short = Annotated[str, Form(max_length=120)]


def statement_context(session, st: Statement) -> dict:
    """What the shared statement template needs besides the statement: the pieces' thumbnails."""
    return {"st": st, "photos": first_photos(session, {line.product_id for line in st.lines if line.product_id})}


def her_payouts(session, weaver_id: int, limit: int = 24) -> list[Payout]:
    return list(
        session.scalars(
            sa.select(Payout)
            .where(Payout.weaver_id == weaver_id, Payout.status.in_((PayoutStatus.paid, PayoutStatus.failed)))
            .order_by(Payout.paid_at.desc(), Payout.id.desc())
            .limit(limit)
        )
    )


def _weaver(session, weaver_id: int) -> Weaver:
    weaver = session.get(Weaver, weaver_id)
    if weaver is None:
        raise NotFound(N_("We could not find that weaver."))
    return weaver


def _account_page(
    request: Request, session, weaver_id: int, *, errors=None, values=None, write_off_values=None, status=200
):
    weaver = _weaver(session, weaver_id)
    details = payout_accounts.payout_account(session, weaver_id)
    found = payable.owed(session, now=utcnow(), hold=hold(request), weaver_ids=[weaver_id])
    owed = found[0] if found else None
    values = values or {
        "method": details.method.value,
        "clabe": details.clabe or "",
        "account_holder": details.account_holder or weaver.name,
        "stripe_account_id": details.stripe_account_id or "",
    }
    return ws_render(
        request,
        "workspace/weaver_account.html",
        {
            "weaver": weaver,
            "photo": weaver_photos(session, [weaver_id]).get(weaver_id),
            "owed": owed,
            "balance": owed.balance if owed else 0,
            "details": details,
            "bank": bank_of(details.clabe) if details.clabe else None,
            "values": values,
            "write_off_values": write_off_values or {"amount": "", "reason": ""},
            "form_key": secrets.token_urlsafe(16),
            "errors": errors or {},
            "months": active_months(session, weaver_id),
            "payouts": her_payouts(session, weaver_id),
            "clabe_changes": clabe_changes(session, weaver_id),
            "method_names": METHOD_NAMES,
            "payout_states": PAYOUT_STATES,
            "connect": request.app.state.settings.stripe_connect_payouts,
            "currency": request.app.state.settings.default_currency,
            "can_edit": request.state.user.has(Role.treasurer),
            "can_write_off": request.state.user.has(Role.council),
        },
        status_code=status,
    )


@router.get("/{weaver_id}/cuenta")
def account_page(request: Request, session: SessionDep, who: PayoutDesk, weaver_id: RowId):
    return _account_page(request, session, weaver_id)


@router.post("/{weaver_id}/cuenta")
def save_account(
    request: Request,
    session: SessionDep,
    who: TreasurerOnly,
    weaver_id: RowId,
    method: Annotated[str, Form(max_length=20)] = "cash",
    clabe: Annotated[str, Form(max_length=60)] = "",
    account_holder: Short = "",
    stripe_account_id: Annotated[str, Form(max_length=80)] = "",
):
    values = {
        "method": method,
        "clabe": clabe,
        "account_holder": account_holder,
        "stripe_account_id": stripe_account_id,
    }
    problems = Problems(request)
    try:
        chosen = PayoutMethod(method)
    except ValueError:
        problems.add("method", N_("Choose how she is paid."))
    if not problems:
        try:
            payout_accounts.set_payout_account(
                session,
                weaver_id,
                method=chosen,
                clabe=clabe,
                account_holder=account_holder,
                stripe_account_id=stripe_account_id,
                by=who.user,
                now=utcnow(),
            )
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        errors = problems.items
        raise ErrorPage(lambda db: _account_page(request, db, weaver_id, errors=errors, values=values, status=422))
    response = RedirectResponse(f"/taller/tejedoras/{weaver_id}/cuenta", status_code=303)
    flash_message(request, response, N_("Saved: how she is paid."))
    return response


@router.post("/{weaver_id}/condonar")
def forgive(
    request: Request,
    session: SessionDep,
    who: CouncilOnly,
    weaver_id: RowId,
    amount: Annotated[str, Form(max_length=30)] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
    form_key: Annotated[str, Form(max_length=80)] = "",
):
    currency = request.app.state.settings.default_currency
    problems = Problems(request)
    try:
        if not amount.strip():
            raise ValidationFailed(N_("Write an amount greater than zero."), field="write_off_amount")
        centavos = parse_amount(amount, currency, field="write_off_amount")
        write_off(
            session,
            weaver_id,
            amount=centavos,
            reason=reason,
            by=who.user,
            form_key=form_key if FORM_KEY.fullmatch(form_key) else None,
        )
    except DomainError as exc:
        problems.add_error(exc, "write_off_reason" if exc.field == "reason" else "write_off_amount")
        errors, status, typed = problems.items, exc.status_code, {"amount": amount, "reason": reason}
        raise ErrorPage(
            lambda db: _account_page(request, db, weaver_id, errors=errors, write_off_values=typed, status=status)
        ) from exc
    response = RedirectResponse(f"/taller/tejedoras/{weaver_id}/cuenta", status_code=303)
    flash_message(
        request,
        response,
        N_("%(amount)s written off, recorded in the ledger."),
        amount=translator(request.state.lang).money(centavos, currency),
    )
    return response


@router.get("/{weaver_id}/estado")
def statement_page(request: Request, session: SessionDep, who: PayoutDesk, weaver_id: RowId, mes: str = ""):
    month = parse_month(mes) if mes.strip() else _this_month()
    st = statement(session, weaver_id, month)
    return ws_render(
        request,
        "workspace/statement.html",
        {
            **statement_context(session, st),
            "currency": request.app.state.settings.default_currency,
            "mine": False,
            "back": f"/taller/tejedoras/{weaver_id}/cuenta",
        },
    )


def _this_month():
    return month_of(utcnow())
