"""The exchange rates the channel comparison converts marketplaces' dollar fees with: partner staff, the
treasurer and the admin enter each day's; the council reads them too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from shop.accounts.models import Role
from shop.api.http.auth import Signed, require
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import local_today
from shop.errors import N_, DomainError
from shop.marketplaces import rates
from shop.web.workspace.form_reading import Problems, read_day
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/panel/tipos-de-cambio", include_in_schema=False)
PAGE = "/taller/panel/tipos-de-cambio"
RateKeepers = Annotated[Signed, Depends(require(Role.partner_staff, Role.treasurer, Role.admin))]
RateReaders = Annotated[Signed, Depends(require(Role.partner_staff, Role.treasurer, Role.admin, Role.council))]
Short = Annotated[str, Form(max_length=40)]


def _page(request, session, who, *, values=None, errors=None, status=200):
    return ws_render(
        request,
        "dashboard/rates.html",
        {
            "rates": rates.latest(session),
            "currencies_options": [(c, c) for c in rates.CURRENCIES],
            "may_enter": who.has(Role.partner_staff, Role.treasurer, Role.admin),
            "values": values or {"day": local_today().isoformat(), "currency": "USD"},
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("")
def rates_page(request: Request, session: SessionDep, who: RateReaders):
    return _page(request, session, who)


@router.post("")
def add_rate(
    request: Request,
    session: SessionDep,
    who: RateKeepers,
    day: Short = "",
    currency: Short = "USD",
    rate: Short = "",
    source: Annotated[str, Form(max_length=200)] = "",
):
    problems = Problems(request)
    when = read_day(day, "day", problems)
    if when is not None:
        try:
            rates.record(session, day=when, currency=currency, rate=rate, source=source, today=local_today())
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        values = {"day": day, "currency": currency, "rate": rate, "source": source}
        raise ErrorPage(lambda db: _page(request, db, who, values=values, errors=problems.items, status=422))
    return redirect_saved(request, PAGE, N_("The rate of %(day)s is recorded."), day=day)
