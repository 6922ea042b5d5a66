"""Paying weavers: what each is owed, and batches prepared by the treasurer. A batch's own page (approving it,
paying each payout in cash, by SPEI or through Stripe, or undoing it) lives in ``payout_batch``.

Money moves only through the ledger (``payout_batches``, ``paying``); these handlers read forms, show mistakes
next to their fields, and send the person back to the batch with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse

from shop.accounts.models import Role
from shop.api.http.auth import Signed, require
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import local_today, utcnow
from shop.cooperative.bylaws import payout_minimum_on
from shop.errors import N_, DomainError, ValidationFailed
from shop.ledger import payable, payout_batches
from shop.ledger.fund import fund_position
from shop.ledger.models import BatchStatus, PayoutMethod, PayoutStatus
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.payout_queries import recent_batches
from shop.money import parse_amount
from shop.payments.to_resolve import payments_to_resolve
from shop.web.flash import flash_message
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


def connect_on(request: Request) -> bool:
    settings = request.app.state.settings
    return settings.stripe_connect_payouts and request.app.state.gateway is not None


def labels() -> dict:
    return {"method_names": METHOD_NAMES, "batch_states": BATCH_STATES, "payout_states": PAYOUT_STATES}


@router.get("")
def overview(request: Request, session: SessionDep, who: PayoutDesk):
    settings = request.app.state.settings
    rows = payable.owed(session, now=utcnow(), hold=hold(request), stripe_connect=connect_on(request))
    batches, totals = recent_batches(session)
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
            "minimum": payout_minimum(request, session),
            "hold_days": settings.payout_hold_days,
            "currency": settings.default_currency,
            "photos": weaver_photos(session, [row.weaver_id for row in rows]),
            "can_prepare": who.has(Role.treasurer),
            "can_resolve": who.has(Role.treasurer, Role.admin),  # the council sees them, the treasury resolves them
            **labels(),
        },
    )


def payout_minimum(request: Request, session) -> int:
    """What a weaver must be owed to be proposed for a batch: the bylaws' figure in force today (set by an
    assembly resolution), else the shop's setting."""
    set_by_bylaws = payout_minimum_on(session, local_today())
    return set_by_bylaws[0] if set_by_bylaws else request.app.state.settings.payout_minimum


def _proposal_page(request: Request, session, *, values=None, problems: Problems | None = None, status=200):
    settings = request.app.state.settings
    rows = [
        row
        for row in payable.owed(session, now=utcnow(), hold=hold(request), stripe_connect=connect_on(request))
        if row.available > 0
    ]
    minimum = payout_minimum(request, session)
    if values is None:
        values = {
            "pay": {str(r.weaver_id) for r in rows if r.available >= minimum and not r.problem},
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
            "minimum": minimum,
            "hold_days": settings.payout_hold_days,
            "currency": settings.default_currency,
            "photos": weaver_photos(session, [row.weaver_id for row in rows]),
            **labels(),
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
                stripe_connect=connect_on(request),
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
