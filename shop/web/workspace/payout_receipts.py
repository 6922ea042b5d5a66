"""The cash payout receipt a weaver signs or thumbprints, and the photo of it kept as proof.

The receipt is always in Spanish, the language of the cooperative's books, with the Tzotzil beside each line
where the catalog has it; the amount is written in words too, so no one can change the figure.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import RedirectResponse

from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.models import Weaver
from shop.clock import utcnow
from shop.errors import N_, DomainError, InvalidState, NotFound
from shop.i18n import translator
from shop.ledger import paying
from shop.ledger.models import Payout, PayoutMethod, PayoutStatus
from shop.ledger.proofs import NO_PROOF, proof_name, store_proof
from shop.ledger.statements import paid_for
from shop.money_words import amount_in_words
from shop.web.files import stored_file
from shop.web.flash import flash_message
from shop.web.workspace.bilingual import Bilingual
from shop.web.workspace.payouts import PayoutDesk, RowId
from shop.web.workspace.render import ws_render
from shop.web.workspace.thumbs import weaver_photos
from shop.web.workspace.uploads import SignedInFirst, chosen_photo

router = APIRouter(prefix="/taller/pagos-tejedoras", include_in_schema=False, route_class=SignedInFirst)

# The receipt's words, always shown in Spanish (and in Tzotzil beside them where the catalog has it).
WORDS = SimpleNamespace(
    coop=N_("Cooperative of Tzotzil women weavers · Chiapas, Mexico"),
    payment_to_a_weaver=N_("Payment to a weaver"),
    payout_in_batch=N_("Payout %(number)s · batch %(batch)s"),
    name=N_("Name"),
    pieces_sold=N_("Pieces sold"),
    date=N_("Date"),
    piece=N_("Piece"),
    price=N_("Price"),
    for_her=N_("For her"),
    refund=N_("Refund"),
    money=N_("Money"),
    received=N_("I received this amount in cash from the cooperative J'pas Joloviletik for my work."),
    signature=N_("Signature or thumbprint of the weaver"),
    witness=N_("Witness: name and signature"),
    paid_by=N_("Paid by: %(name)s"),
)


def _paid_cash(session, payout_id: int) -> Payout:
    payout = session.get(Payout, payout_id)
    if payout is None:
        raise NotFound(N_("There is no payout %(number)s."), number=payout_id)
    if payout.method is not PayoutMethod.cash or payout.status not in (PayoutStatus.paid, PayoutStatus.failed):
        raise InvalidState(N_("Only a cash payout that was paid has a receipt."))
    return payout


@router.get("/pagos/{payout_id}/recibo")
def receipt(request: Request, session: SessionDep, who: PayoutDesk, payout_id: RowId):
    payout = _paid_cash(session, payout_id)
    weaver = session.get(Weaver, payout.weaver_id)
    return ws_render(
        request,
        "workspace/payout_receipt.html",
        {
            "payout": payout,
            "weaver": weaver,
            "photo": weaver_photos(session, [payout.weaver_id]).get(payout.weaver_id),
            "pieces": paid_for(session, payout),
            "in_words": amount_in_words(payout.amount),
            "both": Bilingual(),
            "words": WORDS,
            "es": translator("es"),
        },
    )


@router.post("/pagos/{payout_id}/comprobante")
def upload_proof(
    request: Request,
    session: SessionDep,
    who: PayoutDesk,
    payout_id: RowId,
    photo: Annotated[UploadFile | None, File()] = None,
):
    store = request.app.state.files.proofs
    try:
        payout = _paid_cash(session, payout_id)
        data, limits = chosen_photo(
            request, photo, field="proof", missing=N_("Choose the photo of the signed receipt.")
        )
        paying.check_proof_wanted(payout)
        name = store_proof(data, store, payout.id, limits)
        try:
            paying.attach_proof(session, payout.id, path=name, now=utcnow())
        except DomainError:
            store.forget(name)
            raise
    except DomainError as exc:
        response = RedirectResponse(f"/taller/pagos-tejedoras/pagos/{payout_id}/recibo", status_code=303)
        flash_message(request, response, exc.message, "error", **exc.params)
        raise ErrorPage(lambda db: response) from exc
    response = RedirectResponse(f"/taller/pagos-tejedoras/lotes/{payout.batch_id}", status_code=303)
    flash_message(request, response, N_("The signed receipt is saved with the payout."))
    return response


@router.get("/pagos/{payout_id}/comprobante")
def show_proof(request: Request, session: SessionDep, who: PayoutDesk, payout_id: RowId):
    payout = session.get(Payout, payout_id)
    if payout is None:
        raise NotFound(N_("There is no payout %(number)s."), number=payout_id)
    return stored_file(
        request.app.state.files.proofs,
        proof_name(payout.proof_path),
        media_type="image/jpeg",
        missing=NotFound(NO_PROOF),
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
