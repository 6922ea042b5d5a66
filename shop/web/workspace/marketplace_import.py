"""Importing sales made on eBay or Etsy, for the treasurer, the council and the admin: upload the CSV, see every
sale it would record (or every problem, with its line), then record them all at once or none.

The checked file comes back with the confirmation as text and is checked again then: a piece sold meanwhile, or
the same file imported in another tab, is refused rather than recorded twice."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from shop.accounts.models import Role
from shop.api.http.auth import Signed, require
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import local_today, utcnow
from shop.errors import N_, DomainError
from shop.i18n import translator
from shop.marketplaces import imports
from shop.orders.models import Channel, Order
from shop.spreadsheet import csv_text
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller/mercados", include_in_schema=False, route_class=SignedInFirst)
PAGE = "/taller/mercados"
MarketplaceDesk = Annotated[Signed, Depends(require(Role.treasurer, Role.council, Role.admin))]
EXAMPLE = [
    ("ebay", "14-09123-45678", "2026-07-31", "huipil-de-nachij", "1", "2150.00", "150.00", "284.88"),
    ("etsy", "3301245567", "2026-11-02", "bolsa-de-lana", "2", "900.00", "0", "58.50"),
]
COLUMN_HELP = {
    "marketplace": N_("ebay or etsy"),
    "order": N_("the marketplace's order number"),
    "sold_on": N_("the day it was sold, as 2026-07-31"),
    "product": N_("the piece's short name in the shop (its slug)"),
    "quantity": N_("how many"),
    "total_mxn": N_("what the buyer paid in pesos, shipping included"),
    "shipping_mxn": N_("the shipping in pesos"),
    "fees_mxn": N_("every fee the marketplace took for the order, in pesos, from its report"),
}


def _page(request, session, *, checked=None, content="", problems=None, status=200):
    t = translator(getattr(request.state, "lang", None) or "es")
    told = [(line, t.gettext(message, **params)) for line, message, params in (checked.problems if checked else [])]
    recent = session.scalars(
        sa.select(Order)
        .where(Order.channel == Channel.marketplace)
        .order_by(sa.func.coalesce(Order.paid_at, Order.created_at).desc(), Order.id.desc())
        .limit(20)
    ).all()
    return ws_render(
        request,
        "workspace/marketplace_import.html",
        {
            "columns": [(name, COLUMN_HELP[name]) for name in imports.COLUMNS],
            "told": told + [(0, message) for message in (problems or [])],
            "rows": checked.rows if checked and not checked.problems else [],
            "content": content,
            "recent": recent,
        },
        status_code=status,
    )


@router.get("")
def import_page(request: Request, session: SessionDep, who: MarketplaceDesk):
    return _page(request, session)


@router.get("/plantilla.csv")
def template(who: MarketplaceDesk):
    return Response(
        csv_text(list(imports.COLUMNS), EXAMPLE),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ventas-en-mercados.csv"', "Cache-Control": "no-store"},
    )


@router.post("/revisar")
def check(
    request: Request,
    session: SessionDep,
    who: MarketplaceDesk,
    file: Annotated[UploadFile | None, File()] = None,
):
    t = translator(getattr(request.state, "lang", None) or "es")
    if file is None or not (file.filename or file.size):
        raise ErrorPage(lambda db: _page(request, db, problems=[t.gettext(N_("Choose the CSV file."))], status=422))
    data = file.file.read(imports.MAX_FILE_BYTES + 1)
    if len(data) > imports.MAX_FILE_BYTES:
        too_big = t.gettext(N_("The file is larger than %(size)d KB; split it."), size=imports.MAX_FILE_BYTES // 1024)
        raise ErrorPage(lambda db: _page(request, db, problems=[too_big], status=413))
    checked = imports.read(session, data, local_today())
    if checked.problems:
        raise ErrorPage(lambda db: _page(request, db, checked=checked, status=422))
    return _page(request, session, checked=checked, content=data.decode("utf-8-sig"))


@router.post("/importar")
def confirm(
    request: Request,
    session: SessionDep,
    who: MarketplaceDesk,
    content: Annotated[str, Form(max_length=imports.MAX_FILE_BYTES)] = "",
):
    checked = imports.read(session, content.encode(), local_today())
    if checked.problems:
        raise ErrorPage(lambda db: _page(request, db, checked=checked, status=422))
    try:
        written = imports.write(session, checked.rows, actor=who.user.name, now=utcnow())
    except DomainError as exc:
        t = translator(getattr(request.state, "lang", None) or "es")
        message, status = exc.translated(t.gettext), exc.status_code
        raise ErrorPage(lambda db: _page(request, db, problems=[message], status=status)) from None
    return redirect_saved(
        request, PAGE, N_("%(count)d marketplace sales recorded; the weavers' shares are booked."), count=len(written)
    )
