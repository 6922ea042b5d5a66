"""The cooperative's bank details for transfers from abroad (SWIFT/BIC, IBAN or account number, bank, beneficiary),
for the admin and the treasurer. Buyers outside Mexico are offered a bank transfer only while all of them are set;
emptying every field takes the offer away. Each save is in the audit log (``InternationalTransferDetails`` is
tracked); mistakes come back on the same page, each beside its field, with status 422 and nothing saved.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from shop.api.http.auth import Treasurer
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import utcnow
from shop.errors import N_, DomainError
from shop.payments.methods import LABELS, international_details, save_international_details
from shop.web.workspace.form_reading import Problems
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/contabilidad", include_in_schema=False)
PAGE = "/taller/contabilidad/transferencias-internacionales"
Text = Annotated[str, Form(max_length=400)]


def _page(request: Request, session, *, values: dict | None = None, problems: Problems | None = None, status=200):
    details = international_details(session)
    return ws_render(
        request,
        "workspace/transfer_details.html",
        {
            "values": values if values is not None else {name: getattr(details, name) for name in LABELS},
            "errors": problems.items if problems else {},
            "labels": LABELS,
            "complete": details.complete,
            "page": PAGE,
        },
        status_code=status,
    )


@router.get("/transferencias-internacionales")
def transfer_details(request: Request, session: SessionDep, who: Treasurer):
    return _page(request, session)


@router.post("/transferencias-internacionales")
def save_transfer_details(
    request: Request,
    session: SessionDep,
    who: Treasurer,
    beneficiary: Text = "",
    bank_name: Text = "",
    bank_address: Text = "",
    swift_bic: Text = "",
    account: Text = "",
):
    values = {
        "beneficiary": beneficiary,
        "bank_name": bank_name,
        "bank_address": bank_address,
        "swift_bic": swift_bic,
        "account": account,
    }
    try:
        saved = save_international_details(session, values, now=utcnow())
    except DomainError as exc:
        problems, status = Problems(request), exc.status_code
        problems.add_error(exc)
        raise ErrorPage(lambda db: _page(request, db, values=values, problems=problems, status=status)) from exc
    if saved.complete:
        return redirect_saved(request, PAGE, N_("Saved. Buyers outside Mexico can now pay by bank transfer."))
    return redirect_saved(request, PAGE, N_("Removed. Buyers outside Mexico are no longer offered a bank transfer."))
